/** Manual runs and re-runs through the queue: a `queued` record in the shared store, then the job, under the run's id. */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord } from '../runs/types.ts';
import type { InputValues } from '../workflow/inputs.ts';
import type { Workflow } from '../workflow/types.ts';
import { KEEP_JOBS, jobData, retryOptions, type RunJobData } from './payload.ts';

/** Options of {@link enqueueRun}. */
export interface EnqueueOptions {
  /** Input values as given (validated by the caller). */
  inputs: Record<string, unknown>;
  /** Resolved input values for the record. */
  resolved: InputValues;
  /** Backend and model names for the record (what the worker will use unless its configuration differs). */
  backend: string;
  model: string;
  /** Run id (default: a new UUID). */
  runId?: string;
  /** The run this one re-runs (default: none, a manual run). */
  rerunOf?: string;
  /** What templates see as `run.scheduled_at` (default: the run's start). */
  scheduledAt?: Date;
}

/** Records the run as queued and adds its job; returns the run id. */
export async function enqueueRun(queue: Queue<RunJobData>, lifecycle: RunLifecycle, workflow: Workflow, options: EnqueueOptions): Promise<string> {
  const runId = options.runId ?? randomUUID();
  const scheduledAt = options.scheduledAt?.toISOString();
  await lifecycle.queue(workflow, {
    id: runId,
    trigger: options.rerunOf ? { type: 'rerun', of: options.rerunOf } : { type: 'manual' },
    ...(scheduledAt && { scheduledAt }),
    inputs: options.resolved,
    mode: workflow.mode,
    backend: options.backend,
    model: options.model,
  });
  const data = jobData(workflow, { inputs: options.inputs, runId, ...(options.rerunOf && { rerunOf: options.rerunOf }), ...(scheduledAt && { scheduledAt }) });
  await queue.add(workflow.name, data, { jobId: runId, ...retryOptions(workflow), ...KEEP_JOBS });
  return runId;
}

/**
 * Queues the continuation of a waiting run whose held calls are all decided: any worker takes it and resumes the
 * run from its record (the workflow text it ran). The job id names the wait, so each wait resumes once.
 */
export async function enqueueResume(queue: Queue<RunJobData>, workflow: Workflow, run: Pick<RunRecord, 'id' | 'approvals' | 'inputs'>): Promise<string> {
  const jobId = `${run.id}:resume:${run.approvals?.length ?? 0}`;
  await queue.add(workflow.name, jobData(workflow, { runId: run.id, resume: true }), { jobId, ...retryOptions(workflow), ...KEEP_JOBS });
  return jobId;
}
