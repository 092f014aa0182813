/** The queue's name and the ids queue mode derives: one place, so producers, schedulers and workers agree. */
import type { RunRecord } from '../runs/types.ts';

/** The BullMQ queue every run goes through (its keys live under RUNNER_QUEUE_PREFIX). */
export const QUEUE_NAME = 'runs';

/** The Redis hash of schedule fingerprints (workflow name → hash, cron and zone) kept by `schedule sync`. */
export function fingerprintsKey(prefix: string): string {
  return `${prefix}:schedules:fingerprints`;
}

/** The Redis key of the shared model-request limiter. */
export function limiterKey(prefix: string): string {
  return `${prefix}:limiter:model-requests`;
}

/** The Redis sorted set of a workflow's runs in flight (run id → when its claim expires), for `schedule.overlap`. */
export function inFlightKey(prefix: string, workflow: string): string {
  return `${prefix}:in-flight:${workflow}`;
}

/**
 * The BullMQ job ids a run may go through now: its resume job after a wait, else the run id for manual runs and
 * re-runs (the producer uses it as the job id). A schedule slot runs in the scheduler's job (BullMQ names those
 * `repeat:<scheduler>:<slot ms>`) or, when it was caught up or backfilled, in a job named by the run id.
 */
export function jobIdsOf(run: Pick<RunRecord, 'id' | 'workflow' | 'trigger' | 'approvals'>): string[] {
  // A run that resumed after a wait goes on in its resume job (see producer.ts enqueueResume).
  const waits = run.approvals?.length ?? 0;
  if (waits > 0 && run.approvals![waits - 1]!.closedAt) return [`${run.id}:resume:${waits}`];
  return run.trigger.type === 'schedule' ? [`repeat:${run.workflow}:${Date.parse(run.trigger.slot)}`, run.id] : [run.id];
}
