/**
 * What a queued run carries: the workflow exactly as validated (text and hash), so a worker runs what was
 * scheduled even if the files on its machine differ. No secrets: those come from each worker's configuration.
 */
import type { Workflow } from '../workflow/types.ts';

/** Data of a run job. */
export interface RunJobData {
  /** Workflow name. */
  workflow: string;
  /** File the workflow came from (for messages and records). */
  file: string;
  /** sha256 of `source`. */
  hash: string;
  /** The workflow file's text. */
  source: string;
  /** Input values as given (manual runs); schedules use defaults. */
  inputs?: Record<string, unknown>;
  /** Run id of a manual run or a re-run (schedule runs derive theirs from the slot). */
  runId?: string;
  /** The run this one re-runs (`runner rerun --enqueue`); absent for manual and schedule runs. */
  rerunOf?: string;
  /** ISO time templates see as `run.scheduled_at` (a re-run keeps its original's); absent: the slot, else the start. */
  scheduledAt?: string;
  /** Continue the waiting run `runId` now that its held calls are decided (`runner approve`/`reject` in queue mode). */
  resume?: boolean;
  /**
   * The schedule slot (ISO) this job runs, already decided to run: set on catch-up and backfill jobs, and on a
   * scheduler's job that waits for the workflow's previous run (`overlap: queue`). Absent on a scheduler's fresh
   * jobs, whose slot is their fire time and whose lateness is still to be judged.
   */
  slot?: string;
  /** Why `slot` runs: `catchup` (schedule.catchup), `backfill` (`runner schedule backfill`) or `overlap` (waited its turn). */
  origin?: SlotOrigin;
  /** How often this job already waited for the workflow's previous run (paces its next look). */
  waits?: number;
}

/** Why a job runs a schedule slot it carries. */
export type SlotOrigin = 'catchup' | 'backfill' | 'overlap';

/** The job data for a workflow. */
export function jobData(
  workflow: Workflow,
  extra: Pick<RunJobData, 'inputs' | 'runId' | 'rerunOf' | 'scheduledAt' | 'resume' | 'slot' | 'origin'> = {},
): RunJobData {
  return { workflow: workflow.name, file: workflow.file, hash: workflow.hash, source: workflow.source, ...extra };
}

/** BullMQ attempts and backoff from the workflow's `retry`. */
export function retryOptions(workflow: Workflow): { attempts: number; backoff: { type: 'fixed' | 'exponential'; delay: number } } {
  return { attempts: workflow.retry.attempts, backoff: { type: workflow.retry.backoff.type, delay: workflow.retry.backoff.delayMs } };
}

/** How long finished jobs stay in Redis (the run record is the lasting history). */
export const KEEP_JOBS = { removeOnComplete: { age: 24 * 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600, count: 5000 } } as const;
