/**
 * Which runs of a workflow are in flight, across every worker: what `schedule.overlap` asks before a slot starts.
 * One sorted set per workflow (run id → when its claim lapses, on Redis's clock). A worker renews its claims while
 * its runs go on and drops them when they end; a claim a killed worker left behind lapses by itself, so it can
 * hold a workflow up for one `ttlMs` at most.
 */
import type { Redis } from 'ioredis';
import { inFlightKey } from './names.ts';

/** The runs of each workflow in flight (see the module comment). */
export interface InFlightRuns {
  /** How long a claim lasts unless renewed, ms. */
  readonly ttlMs: number;
  /**
   * Counts `runId` as in flight for `workflow` unless something blocks it, and answers the blocking run's id (then
   * nothing is counted). `alone` (default): any run of the workflow in flight blocks, this very run id too (another
   * job holds the same slot); `beside` (`overlap: allow`): only this run id blocks; `force`: nothing does (runs that
   * are not schedule slots, a retry or takeover of a run that began already). Atomic: of two slots that ask at once,
   * one is told about the other.
   */
  claim(workflow: string, runId: string, mode?: ClaimMode): Promise<string | undefined>;
  /** Extends the claim of a run that goes on (counting it again if its claim had lapsed). */
  renew(workflow: string, runId: string): Promise<void>;
  /** The run ended (or never started): it no longer counts. */
  release(workflow: string, runId: string): Promise<void>;
  /** The runs of `workflow` in flight now. */
  list(workflow: string): Promise<string[]>;
}

/** What may block a claim (see {@link InFlightRuns.claim}). */
export type ClaimMode = 'alone' | 'beside' | 'force';

/** Options of {@link redisInFlight}. */
export interface InFlightOptions {
  /** How long a claim lasts unless renewed, ms (default 60 s; the worker uses two job locks). */
  ttlMs?: number;
}

// KEYS[1] the workflow's set; ARGV[1] run id, ARGV[2] ttl ms, ARGV[3] the mode. Answers the blocking run's id, or
// nothing once `runId` counts. Redis's own clock, so workers whose clocks differ agree on what lapsed.
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[3] ~= 'force' then
  if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return ARGV[1] end
  if ARGV[3] == 'alone' then
    local other = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
    if other then return other end
  end
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return false
`;

// KEYS[1] the workflow's set; the runs whose claims have not lapsed.
const LIST = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
`;

/** The in-flight runs under `prefix`, on the caller's (non-blocking) connection. */
export function redisInFlight(redis: Redis, prefix: string, options: InFlightOptions = {}): InFlightRuns {
  const ttlMs = options.ttlMs ?? 60_000;
  const claim = async (workflow: string, runId: string, mode: ClaimMode) =>
    ((await redis.eval(CLAIM, 1, inFlightKey(prefix, workflow), runId, String(ttlMs), mode)) as string | null) ?? undefined;
  return {
    ttlMs,
    claim: (workflow, runId, mode = 'alone') => claim(workflow, runId, mode),
    renew: async (workflow, runId) => {
      await claim(workflow, runId, 'force');
    },
    release: async (workflow, runId) => {
      await redis.zrem(inFlightKey(prefix, workflow), runId);
    },
    list: async (workflow) => (await redis.eval(LIST, 1, inFlightKey(prefix, workflow))) as string[],
  };
}
