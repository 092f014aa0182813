/**
 * The queue's processor: a plain function of a job, so it can be tested without a queue. It rebuilds the
 * workflow from the job (exactly the text that was scheduled), derives the run id from the schedule slot (one slot,
 * one run, however many schedulers and workers), lets the slot gate apply the schedule's policies (pause, catch-up,
 * overlap; `slots.ts`), and calls the same runWorkflow as `runner run`. Failures map onto BullMQ's retry: transient
 * ones throw (retried with the workflow's backoff), the rest are UnrecoverableError; a run cancelled by shutdown
 * goes back to the queue without using an attempt. Every end that will not change by itself is told to the notifier.
 */
import { type Job, type Queue, UnrecoverableError, WaitingError } from 'bullmq';
import type { RunnerConfig } from '../config/config.ts';
import { runWorkflow as defaultRunWorkflow, type RunDeps } from '../engine/run-workflow.ts';
import { guardStore } from '../runs/guarded-store.ts';
import { observeAttempt, type RunObserver } from '../runs/observer.ts';
import { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord, RunStore, RunTrigger } from '../runs/types.ts';
import { formatDiagnostic } from '../shared/errors.ts';
import { confluenceCatalogue, type ToolCatalogue } from '../toolkit/catalogue.ts';
import { silentNotifier, type Notifier } from '../notify/notifier.ts';
import type { PauseStore } from '../schedules/pauses.ts';
import { loadWorkflowText } from '../workflow/load.ts';
import type { ScheduleSpec, Workflow } from '../workflow/types.ts';
import type { InFlightRuns } from './in-flight.ts';
import { slotRunId } from '../runs/slot-id.ts';
import type { RunJobData } from './payload.ts';
import { admitSlot } from './slots.ts';

/** A job in progress, as the worker sees it. */
export interface TrackedRun {
  controller: AbortController;
  /** Stops the run's record writes and cancels it: the job's lock was lost. */
  fence(): void;
}

/** What a finished job returns (kept in BullMQ's job record). */
export interface RunJobResult {
  runId: string;
  status: RunRecord['status'];
  /** True when the slot's run had already succeeded (a duplicate delivery). */
  duplicate?: boolean;
}

/** Options of {@link createRunProcessor}. */
export interface ProcessorOptions {
  config: RunnerConfig;
  /** The store every worker shares. */
  store: RunStore;
  /** Tool catalogue for validation (default: the embedded one). */
  catalogue?: ToolCatalogue;
  /** Awaited before every model request: the shared rate limit (default: none). */
  beforeModelRequest?: (signal?: AbortSignal) => Promise<void>;
  /** Worker identity recorded in attempts (default hostname:pid). */
  worker?: string;
  /** The engine (default runWorkflow; tests may wrap it). */
  runWorkflow?: typeof defaultRunWorkflow;
  /** Opens tool backends (default: a new one per run; the worker passes its pool). */
  openBackend?: RunDeps['openBackend'];
  /** True once the worker is shutting down: a run cancelled then goes back to the queue. */
  shuttingDown?: () => boolean;
  /**
   * Registers a running job so the worker can cancel it (shutdown) or fence it (lock lost: its record writes stop,
   * since another worker owns the job now); returns the unregister function.
   */
  track?: (jobId: string, run: TrackedRun) => () => void;
  /** Clock (default: the system clock). */
  now?: () => Date;
  /** Hears every run end that will not change by itself (default: silentNotifier, which tells nobody). */
  notifier?: Notifier;
  /** Paused schedules: a paused workflow's slots are recorded as skipped (default: none paused). */
  pauses?: PauseStore;
  /**
   * The runs in flight across workers, for `schedule.overlap` (default: none tracked: every slot runs at once). The
   * worker passes `redisInFlight` under the queue's prefix.
   */
  inFlight?: InFlightRuns;
  /** The runs queue, where jobs of late slots the catch-up policy runs go (required once a slot is caught up). */
  queue?: Queue<RunJobData>;
  /** Log lines about slots: caught up, recorded as missed, waiting their turn (default: none). */
  log?: (line: string) => void;
  /** Watches each attempt the processor starts: metrics, traces (default: none). */
  observe?: RunObserver;
}

/**
 * The run a job is: its trigger (a schedule slot, a re-run, or manual), its run id (the slot's, or the one enqueued)
 * and the `run.scheduled_at` it was given (re-runs keep their original's).
 */
export function runOfJob(job: Pick<Job<RunJobData>, 'data' | 'id' | 'repeatJobKey' | 'opts'>): { trigger: RunTrigger; runId: string; scheduledAt?: Date } {
  const slotMs = job.repeatJobKey ? job.opts.prevMillis : undefined;
  // A caught-up, backfilled or waiting slot carries its slot; a scheduler's fresh job has it as its fire time.
  const slot = job.data.slot ?? (slotMs === undefined ? undefined : new Date(slotMs).toISOString());
  if (slot !== undefined) return { trigger: { type: 'schedule', slot }, runId: slotRunId(job.data.workflow, slot) };
  const runId = job.data.runId ?? String(job.id);
  const scheduledAt = job.data.scheduledAt ? new Date(job.data.scheduledAt) : undefined;
  return { trigger: job.data.rerunOf ? { type: 'rerun', of: job.data.rerunOf } : { type: 'manual' }, runId, ...(scheduledAt && { scheduledAt }) };
}

/** Builds the processor function. */
export function createRunProcessor(options: ProcessorOptions) {
  const catalogue = options.catalogue ?? confluenceCatalogue();
  const run = options.runWorkflow ?? defaultRunWorkflow;
  const now = options.now ?? (() => new Date());
  const notifier = options.notifier ?? silentNotifier;
  const log = options.log ?? (() => {});
  const workflows = new WorkflowCache(catalogue);
  return async function processRunJob(job: Job<RunJobData>, token?: string, signal?: AbortSignal): Promise<RunJobResult> {
    const data = job.data;
    const workflow = workflows.load(data);
    const { trigger, runId, scheduledAt } = runOfJob(job);

    const store = guardStore(options.store, options.config.secrets);
    const lifecycle = new RunLifecycle(store, { now });
    const backend = workflow.tools.backend ?? options.config.backend;
    const model = workflow.agent.model ?? options.config.model;
    const existing = await store.get(runId);
    if (existing?.status === 'succeeded') return { runId, status: 'succeeded', duplicate: true };
    // A waiting run goes on only through a resume job, once a person decided; any other delivery leaves it be.
    if (existing?.status === 'waiting' && !data.resume) return { runId, status: 'waiting', duplicate: true };
    // A slot recorded as not run stays so, unless a person backfills it.
    if ((existing?.status === 'missed' || existing?.status === 'skipped') && data.origin !== 'backfill') {
      return { runId, status: existing.status, duplicate: true };
    }

    // A slot nothing began yet passes the schedule's policies; any other run (a retry, a takeover, a manual run)
    // only counts as in flight, so slots that come meanwhile see it.
    const begun = existing !== undefined && existing.status !== 'queued' && existing.status !== 'missed' && existing.status !== 'skipped';
    if (trigger.type === 'schedule' && workflow.schedule && !begun) {
      const admission = await admitSlot(
        { now, pauses: options.pauses, inFlight: options.inFlight, queue: options.queue, log, target: { lifecycle, notifier, backend, model } },
        { job, token, workflow: workflow as Workflow & { schedule: ScheduleSpec }, slot: trigger.slot, runId },
      );
      if (!admission.run) return { runId, status: admission.status };
    } else await options.inFlight?.claim(workflow.name, runId, 'force');
    const renewal = options.inFlight ? keepClaim(options.inFlight, workflow.name, runId) : undefined;

    const controller = new AbortController();
    const onJobAbort = () => controller.abort();
    signal?.addEventListener('abort', onJobAbort, { once: true });
    const untrack = options.track?.(String(job.id), {
      controller,
      fence: () => {
        store.fence();
        controller.abort();
      },
    });
    let record: RunRecord;
    try {
      const origin = { source: 'queue' as const, job: { id: String(job.id), name: job.name, attempt: job.attemptsMade + 1 } };
      record = await observeAttempt(options.observe, origin, (onEvent) =>
        run(
          workflow,
          { runId, trigger, inputs: data.inputs, signal: controller.signal, scheduledAt, resume: data.resume },
          {
            config: options.config,
            store,
            catalogue,
            beforeModelRequest: options.beforeModelRequest,
            worker: options.worker,
            // The job's lock makes this worker the run's only owner.
            exclusive: true,
            openBackend: options.openBackend,
            onEvent,
          },
        ),
      );
    } catch (error) {
      // runWorkflow throws only for what the user gave (bad inputs, no model configured): retrying cannot help.
      // The run never started, so its queued record is closed here, with the reason.
      const fields = { id: runId, trigger, inputs: data.inputs ?? {}, mode: workflow.mode, backend, model };
      const closed = await lifecycle.reject(workflow, fields, { kind: 'validation', message: (error as Error).message, retryable: false });
      await notifier.runEnded(closed, workflow);
      throw new UnrecoverableError(closed.error?.message ?? 'the run could not start');
    } finally {
      untrack?.();
      signal?.removeEventListener('abort', onJobAbort);
      await renewal?.stop();
    }
    if (store.fenced) throw new Error(`lost the job's lock mid-run; another worker owns run ${runId} now and this worker stopped writing its record`);
    if (record.status === 'succeeded' || record.status === 'waiting') {
      await notifier.runEnded(record, workflow);
      return { runId, status: record.status };
    }
    if (record.status === 'cancelled' && options.shuttingDown?.()) {
      // Not the run's fault: put the job back for another worker, without spending one of its attempts.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const message = `${record.error?.kind ?? 'failed'}${record.error?.step ? ` in step ${record.error.step}` : ''}: ${record.error?.message ?? 'the run failed'}`;
    // BullMQ counts failed attempts in attemptsMade once this one is over: this is the last when none is left.
    const retried = record.error?.retryable === true && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
    if (record.status === 'failed' && !retried) await notifier.runEnded(record, workflow);
    if (retried) throw new Error(message);
    throw new UnrecoverableError(message);
  };
}

/** Keeps a run's in-flight claim alive while it goes on; `stop` drops it. */
function keepClaim(inFlight: InFlightRuns, workflow: string, runId: string): { stop(): Promise<void> } {
  // A failed renewal (Redis restarting) is retried at the next tick; the claim outlives two missed ticks.
  const timer = setInterval(() => void inFlight.renew(workflow, runId).catch(() => {}), Math.max(100, Math.floor(inFlight.ttlMs / 3)));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight.release(workflow, runId).catch(() => {});
    },
  };
}

/** The workflow a job carries, validated (an invalid one throws UnrecoverableError listing every diagnostic). */
export function loadJobWorkflow(data: RunJobData, catalogue: ToolCatalogue = confluenceCatalogue()): Workflow {
  return new WorkflowCache(catalogue).load(data);
}

/**
 * Validated workflows by the hash of their text: a schedule's jobs all carry the same text, and validating it
 * again for every job costs from 0.1 ms to over a millisecond. Bounded, oldest dropped first.
 */
class WorkflowCache {
  readonly #catalogue: ToolCatalogue;
  readonly #byHash = new Map<string, Workflow>();
  static readonly MAX = 256;

  constructor(catalogue: ToolCatalogue) {
    this.#catalogue = catalogue;
  }

  /** The job's workflow; an invalid one is an UnrecoverableError listing every diagnostic. */
  load(data: RunJobData): Workflow {
    const cached = this.#byHash.get(data.hash);
    if (cached && cached.source === data.source && cached.file === data.file) return cached;
    const loaded = loadWorkflowText(data.file, data.source, { tools: this.#catalogue });
    if (!loaded.workflow) {
      throw new UnrecoverableError(`workflow ${data.workflow} is invalid:\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`);
    }
    if (this.#byHash.size >= WorkflowCache.MAX) this.#byHash.delete(this.#byHash.keys().next().value!);
    this.#byHash.set(data.hash, loaded.workflow);
    return loaded.workflow;
  }
}
