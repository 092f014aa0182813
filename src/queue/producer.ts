/** Manual runs through the queue: a `queued` record in the shared store, then the job, under the run's id. */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { newRunRecord } from '../runs/new-run.ts';
import type { RunStore } from '../runs/types.ts';
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
  now?: () => Date;
}

/** Records the run as queued and adds its job; returns the run id. */
export async function enqueueRun(queue: Queue<RunJobData>, store: RunStore, workflow: Workflow, options: EnqueueOptions): Promise<string> {
  const runId = options.runId ?? randomUUID();
  const record = newRunRecord(workflow, {
    id: runId,
    trigger: { type: 'manual' },
    inputs: options.resolved,
    status: 'queued',
    mode: workflow.mode,
    backend: options.backend,
    model: options.model,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
  });
  await store.save(record);
  await queue.add(workflow.name, jobData(workflow, { inputs: options.inputs, runId }), { jobId: runId, ...retryOptions(workflow), ...KEEP_JOBS });
  return runId;
}
