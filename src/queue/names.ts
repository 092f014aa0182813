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

/**
 * The BullMQ job id a run goes through now: its resume job after a wait, else the run id for manual runs and
 * re-runs (the producer uses it as the job id), and the
 * scheduler's job id for a schedule slot (BullMQ names those `repeat:<scheduler>:<slot ms>`).
 */
export function jobIdOf(run: Pick<RunRecord, 'id' | 'workflow' | 'trigger' | 'approvals'>): string {
  // A run that resumed after a wait goes on in its resume job (see producer.ts enqueueResume).
  const waits = run.approvals?.length ?? 0;
  if (waits > 0 && run.approvals![waits - 1]!.closedAt) return `${run.id}:resume:${waits}`;
  return run.trigger.type === 'schedule' ? `repeat:${run.workflow}:${Date.parse(run.trigger.slot)}` : run.id;
}
