/**
 * Manual runs, re-runs and backfilled slots through the queue: a `queued` record in the shared store, then the job,
 * under the run's id.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import { slotRunId } from '../runs/slot-id.ts';
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

/** Job states in which a job will still run. */
const PENDING_STATES = new Set(['active', 'waiting', 'wait', 'delayed', 'prioritized', 'waiting-children']);

/** Whether a job of this id is in the queue and will still run. */
export async function isPending(queue: Queue<RunJobData>, jobId: string): Promise<boolean> {
  return PENDING_STATES.has(await queue.getJobState(jobId));
}

/** Options of {@link enqueueSlot}. */
export interface EnqueueSlotOptions {
  /** Why, recorded on a new record (e.g. who backfilled it, when). */
  note: string;
  /** Resolved input values (the defaults: schedule runs take no inputs), backend and model names for the record. */
  resolved: InputValues;
  backend: string;
  model: string;
}

/**
 * Queues a backfilled schedule slot (`runner schedule backfill`): a `queued` record with the note when the slot has
 * none (one recorded missed or skipped keeps its record until a worker runs it), then a job named by the slot's
 * run id, so a slot is queued once however often it is backfilled. A finished job of that id (one that recorded
 * the slot as skipped) is replaced; false, and nothing written, when one is still pending.
 */
export async function enqueueSlot(
  queue: Queue<RunJobData>,
  lifecycle: RunLifecycle,
  workflow: Workflow,
  slot: string,
  options: EnqueueSlotOptions,
): Promise<boolean> {
  const runId = slotRunId(workflow.name, slot);
  const job = await queue.getJob(runId);
  if (job) {
    if (PENDING_STATES.has(await job.getState())) return false;
    await job.remove();
  }
  if (!(await lifecycle.store.get(runId))) {
    await lifecycle.queue(workflow, {
      id: runId,
      trigger: { type: 'schedule', slot },
      inputs: options.resolved,
      mode: workflow.mode,
      backend: options.backend,
      model: options.model,
      notes: [options.note],
    });
  }
  await queue.add(workflow.name, jobData(workflow, { slot, origin: 'backfill' }), { jobId: runId, ...retryOptions(workflow), ...KEEP_JOBS });
  return true;
}
