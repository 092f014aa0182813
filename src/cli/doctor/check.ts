/** The shape every `runner doctor` check answers with, and the helpers the checks share. */

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
