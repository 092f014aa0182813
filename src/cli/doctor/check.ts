/** The shape every `runner doctor` check answers with, and the helpers the checks share. */
import type { Redis } from 'ioredis';

/** ok (✓), warn (! : worth knowing, not a failure) or fail (✗: exit 1). */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** What one check found. */
export interface CheckResult {
  /** Short name: node, .env, model, backend, redis, run store, workflows. */
  name: string;
  status: CheckStatus;
  /** What was found, naming what was tried (a URL, a file). */
  message: string;
  /** What to do about it, for warn and fail. */
  fix?: string;
  /** Further lines, e.g. each workflow diagnostic as file:line:col. */
  details?: string[];
}

/** Builders of results, so checks read as sentences. */
export const ok = (name: string, message: string): CheckResult => ({ name, status: 'ok', message });
export const warn = (name: string, message: string, fix?: string): CheckResult => ({ name, status: 'warn', message, ...(fix ? { fix } : {}) });
export const fail = (name: string, message: string, fix?: string, details?: string[]): CheckResult => ({
  name,
  status: 'fail',
  message,
  ...(fix ? { fix } : {}),
  ...(details?.length ? { details } : {}),
});

/**
 * The first line of an error's message, with what fetch's bare "fetch failed" hides (its cause's message) and the
 * network code (ECONNREFUSED) when the message does not say it.
 */
export function reason(error: unknown): string {
  const first = (e: { message?: string } | undefined) => e?.message?.split('\n')[0] ?? '';
  let message = first(error as Error) || String(error);
  let current = error as { message?: string; code?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (depth > 0 && first(current) && !message.includes(first(current))) message += `: ${first(current)}`;
    if (typeof current.code === 'string' && !message.includes(current.code)) return `${message} (${current.code})`;
    current = current.cause as typeof current;
  }
  return message;
}

/**
 * Runs `fn` on a one-try Redis connection (no reconnects, no offline queue) and gives up after `timeoutMs`;
 * the connection is always dropped afterwards.
 */
export async function withRedis<T>(url: string, timeoutMs: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    connectionName: 'runner-doctor',
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    disconnectTimeout: 100,
  });
  redis.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const answer = (async () => {
      await redis.connect();
      return fn(redis);
    })();
    // Past the deadline nobody waits for it any more; its late failure is not news.
    answer.catch(() => {});
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
