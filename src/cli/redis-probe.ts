/**
 * One look at Redis: a one-try connection (no reconnects, no queued commands), so an absent server answers at once
 * and a silent one within the timeout. `runner doctor` and the store `runner runs` did not pick both use it.
 */
import type { Redis } from 'ioredis';

/**
 * Runs `fn` on a one-try Redis connection (no reconnects, no offline queue) and gives up after `timeoutMs`;
 * the connection is always dropped afterwards.
 */
export async function withRedis<T>(url: string, timeoutMs: number, fn: (redis: Redis) => Promise<T>, name = 'runner-cli-probe'): Promise<T> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    connectionName: name,
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
