/**
 * The model-request rate limit every worker shares through Redis: a sliding window log (a sorted set of admission
 * times) checked and updated by one Lua script, so admissions from all processes never exceed the budget.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Admits one request or says how long to wait.
 * KEYS: the window's sorted set. ARGV: now (ms; empty for the Redis server's clock), window (ms), limit, member.
 * Returns 0 when admitted, else the ms until the oldest admission that blocks this one leaves the window.
 */
const ACQUIRE_LUA = `
if redis.replicate_commands then redis.replicate_commands() end
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.17g', now - window))
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], string.format('%.17g', now), ARGV[4])
  -- Expiry runs on Redis's clock and the window maybe on another (an injected one): keep a minute of slack.
  redis.call('PEXPIRE', KEYS[1], window + 60000)
  return 0
end
local blocking = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(blocking[2]) + window - now))
`;

const ACQUIRE_COMMAND = 'runnerAcquireSlot';

/** Default length of the window: a minute. */
const MINUTE_MS = 60_000;

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** The connection to use; the caller owns it (the limiter never quits it). */
  redis: Redis;
  /** The key of the window's sorted set; every limiter on the same key shares one budget. */
  key: string;
  /** Requests admitted per window (RUNNER_MODEL_RPM); below 1, one request per `windowMs / perMinute`. */
  perMinute: number;
  /** Length of the window in ms (default 60000; tests shorten it). */
  windowMs?: number;
  /** Clock in ms (default: the Redis server's clock, the one clock every machine shares). */
  now?: () => number;
  /** Called with the wait in ms each time a request must wait for a slot (default: nothing). */
  onWait?: (waitMs: number) => void;
}

/** A shared rate limit. */
export interface RateLimiter {
  /** Resolves once a request may go; rejects with the signal's reason if it is aborted first. */
  acquire(signal?: AbortSignal): Promise<void>;
}

/** The script this limiter defines on the connection. */
interface LimiterCommands {
  [ACQUIRE_COMMAND](key: string, now: number | string, windowMs: number, limit: number, member: string): Promise<number>;
}

/** A rate limiter whose budget lives in Redis under `key` (defines one Lua command on the connection). */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { limit, windowMs } = budget(options.perMinute, options.windowMs ?? MINUTE_MS);
  const redis = options.redis as Redis & LimiterCommands;
  redis.defineCommand(ACQUIRE_COMMAND, { numberOfKeys: 1, lua: ACQUIRE_LUA });
  return {
    async acquire(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const now = options.now ? Math.floor(options.now()) : '';
        const waitMs = Number(await redis[ACQUIRE_COMMAND](options.key, now, windowMs, limit, randomUUID()));
        if (waitMs <= 0) return;
        signal?.throwIfAborted();
        options.onWait?.(waitMs);
        await sleep(waitMs, signal);
      }
    },
  };
}

/** Whole requests per window: a fractional rate rounds down, a rate below one stretches the window instead. */
function budget(perMinute: number, windowMs: number): { limit: number; windowMs: number } {
  if (!(perMinute > 0) || !Number.isFinite(perMinute)) throw new RangeError(`perMinute must be a positive number, not ${perMinute}`);
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, not ${windowMs}`);
  if (perMinute >= 1) return { limit: Math.floor(perMinute), windowMs: Math.ceil(windowMs) };
  return { limit: 1, windowMs: Math.ceil(windowMs / perMinute) };
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
