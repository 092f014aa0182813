/**
 * The queue's reaper: no run is left `running` (or `queued`) once its job is gone. A job BullMQ gave up on (it
 * stalled more often than allowed, so no processor ever ends its run), a job removed by hand, or a worker killed
 * in a way nothing noticed: the record is closed as failed, kind `infrastructure`, with the reason. Workers run it
 * now and then (and expire waiting runs nobody decided on in time); `runner runs --repair` runs it once.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord } from '../runs/types.ts';
import { jobIdsOf } from './names.ts';
import type { RunJobData } from './payload.ts';

/** Job states in which something will still run the job (its run may stay open). */
const LIVE_STATES = new Set(['active', 'waiting', 'wait', 'delayed', 'prioritized', 'waiting-children']);

/** Options of {@link reapOrphans}. */
export interface ReapOptions {
  /** Runs younger than this are left alone (a run is recorded before its job is added), ms (default 60 s). */
  graceMs?: number;
  /** Clock (default: the system clock). */
  now?: () => Date;
  /** Most open runs looked at per status (default 500). */
  limit?: number;
}

/** Closes open runs whose job no longer exists or has ended; returns the runs it closed. */
export async function reapOrphans(queue: Queue<RunJobData>, lifecycle: RunLifecycle, options: ReapOptions = {}): Promise<RunRecord[]> {
  const now = (options.now ?? (() => new Date()))().getTime();
  const grace = options.graceMs ?? 60_000;
  const closed: RunRecord[] = [];
  for (const status of ['running', 'queued'] as const) {
    for (const run of await lifecycle.store.list({ status, limit: options.limit ?? 500 })) {
      const since = Date.parse(run.attempts.at(-1)?.startedAt ?? run.createdAt);
      if (now - since < grace) continue;
      const states = await Promise.all(jobIdsOf(run).map((id) => queue.getJobState(id)));
      if (states.some((s) => LIVE_STATES.has(s))) continue;
      // The state of the job the run went through, when one is still known.
      const state = states.find((s) => s !== 'unknown') ?? 'unknown';
      const what = state === 'unknown' ? 'no longer exists' : `is ${state}`;
      const done = await lifecycle.abandon(run.id, {
        kind: 'infrastructure',
        message: `the run's job ${what}, but nothing closed the run (its worker died or the queue gave up on it); closed by the reaper`,
        retryable: true,
      });
      if (done) closed.push(done);
    }
  }
  return closed;
}

/**
 * Ends the waiting runs whose approval wait expired, exactly once however many workers notice: each claims the run
 * in Redis first (a key that outlives any worker's reaper pass) and only the claimer expires it.
 */
export async function expireWaiting(redis: Redis, prefix: string, lifecycle: RunLifecycle): Promise<RunRecord[]> {
  return lifecycle.expireDue({
    claim: async (runId) => (await redis.set(`${prefix}:expiry-claim:${runId}`, '1', 'PX', 24 * 3600_000, 'NX')) === 'OK',
  });
}
