/** Manual runs through the queue: a `queued` record in the shared store, then the job, under the run's id. */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RunLifecycle } from '../runs/lifecycle.ts';
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
}

/** Records the run as queued and adds its job; returns the run id. */
export async function enqueueRun(queue: Queue<RunJobData>, lifecycle: RunLifecycle, workflow: Workflow, options: EnqueueOptions): Promise<string> {
  const runId = options.runId ?? randomUUID();
  await lifecycle.queue(workflow, {
    id: runId,
    trigger: { type: 'manual' },
    inputs: options.resolved,
    mode: workflow.mode,
    backend: options.backend,
    model: options.model,
  });
  await queue.add(workflow.name, jobData(workflow, { inputs: options.inputs, runId }), { jobId: runId, ...retryOptions(workflow), ...KEEP_JOBS });
  return runId;
}
