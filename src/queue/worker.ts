/**
 * `runner worker`: a BullMQ Worker around the run processor, with a shutdown that stops taking jobs, lets
 * in-flight runs finish within a grace period, then cancels the rest (recorded, and their jobs re-queued).
 */
import { hostname } from 'node:os';
import { type Job, Queue, type Telemetry, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunnerConfig } from '../config/config.ts';
import { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord, RunStore } from '../runs/types.ts';
import type { Workflow } from '../workflow/types.ts';
import { createBackendOpener } from '../backends/open.ts';
import { createBackendPool, type BackendPool } from '../backends/pool.ts';
import type { BackendOpener } from '../backends/types.ts';
import { createSandboxLauncher } from '../sandbox/launcher.ts';
import { silentNotifier, type Notifier } from '../notify/notifier.ts';
import { openRedisPauseStore, type PauseStore } from '../schedules/pauses.ts';
import { redisInFlight } from './in-flight.ts';
import { QUEUE_NAME } from './names.ts';
import { SCHEDULE_SETTINGS } from './repeat-strategy.ts';
import { createRunProcessor, loadJobWorkflow, type ProcessorOptions, type RunJobResult, runOfJob, type TrackedRun } from './processor.ts';
import { expireWaiting, reapOrphans } from './reaper.ts';
import type { RunJobData } from './payload.ts';

/** Options of {@link startRunWorker}. */
export interface RunWorkerOptions {
  config: RunnerConfig;
  /** Connection the worker blocks on (the caller owns and closes it). */
  connection: Redis;
  store: RunStore;
  /** Runs processed at once (default 4). */
  concurrency?: number;
  /** Awaited before every model request (the shared limiter). */
  beforeModelRequest?: ProcessorOptions['beforeModelRequest'];
  /** Log lines (default: none). */
  log?: (line: string) => void;
  /** The engine (default runWorkflow). */
  runWorkflow?: ProcessorOptions['runWorkflow'];
  /** Opens tool backends (default: the real ones, with one in-process sandbox launcher for this worker). */
  openBackend?: BackendOpener;
  /** Backends reused across runs (default: a pool over `openBackend` keeping up to `concurrency` idle backends per settings, closed on stop). */
  pool?: BackendPool;
  /**
   * The runs queue on a non-blocking connection: where catch-up jobs go, and, when given, the reaper that closes
   * runs whose job is gone runs too (default: a queue of the worker's own on `redis`, and no reaping; the caller
   * owns a queue it gives).
   */
  queue?: Queue<RunJobData>;
  /**
   * A non-blocking connection: the reaper's claims (expiring waiting runs exactly once), the runs in flight
   * (`schedule.overlap`) and paused schedules (default: a duplicate of `connection`, closed on stop; the caller owns
   * one it gives). Required with `queue`.
   */
  redis?: Redis;
  /** How often the reaper looks, ms (default: ten job locks, at least a minute). */
  reapEveryMs?: number;
  /** Hears every run end that will not change by itself (default: silentNotifier). */
  notifier?: Notifier;
  /** Paused schedules (default: the Redis pause store under the queue's prefix, on `redis`). */
  pauses?: PauseStore;
  /** Watches each run attempt: metrics, traces (default: none). */
  observe?: ProcessorOptions['observe'];
  /** BullMQ's telemetry, for the Worker and the queue it opens itself: job spans whose context each attempt links to (default: none). */
  telemetry?: Telemetry;
}

/** A running worker. */
export interface RunWorker {
  readonly worker: Worker<RunJobData, RunJobResult>;
  /** Runs in flight. */
  inFlight(): number;
  /** Stops taking jobs, waits up to `graceMs` for in-flight runs, then cancels them; safe to call twice. */
  stop(graceMs: number): Promise<void>;
}

/** Starts a worker on the runs queue. */
export function startRunWorker(options: RunWorkerOptions): RunWorker {
  const { config } = options;
  const log = options.log ?? (() => {});
  const running = new Map<string, TrackedRun>();
  let stopping = false;
  const identity = `${hostname()}:${process.pid}`;
  const pool =
    options.pool ??
    createBackendPool({ open: options.openBackend ?? createBackendOpener({ sandbox: createSandboxLauncher() }), maxIdle: options.concurrency ?? 4 });
  const notifier = options.notifier ?? silentNotifier;
  // Connections and the queue the worker opens itself are its to close, after the Worker, in reverse order.
  const redis = options.redis ?? options.connection.duplicate({ connectionName: 'runner-worker-commands' });
  const queue =
    options.queue ??
    new Queue<RunJobData>(QUEUE_NAME, { connection: redis, prefix: config.queue.prefix, settings: SCHEDULE_SETTINGS, telemetry: options.telemetry });
  if (!options.queue) queue.on('error', () => {});
  const processor = createRunProcessor({
    config,
    store: options.store,
    notifier,
    pauses: options.pauses ?? openRedisPauseStore(redis, config.queue.prefix),
    // A claim outlives two job locks: a killed worker's runs stop counting about when their jobs are taken over.
    inFlight: redisInFlight(redis, config.queue.prefix, { ttlMs: 2 * config.queue.lockMs }),
    queue,
    log,
    beforeModelRequest: options.beforeModelRequest,
    worker: identity,
    runWorkflow: options.runWorkflow,
    observe: options.observe,
    openBackend: (config, openOptions) => pool.open(config, openOptions),
    shuttingDown: () => stopping,
    track: (jobId, run) => {
      running.set(jobId, run);
      return () => running.delete(jobId);
    },
  });
  const worker = new Worker<RunJobData, RunJobResult>(QUEUE_NAME, processor, {
    connection: options.connection,
    prefix: config.queue.prefix,
    concurrency: options.concurrency ?? 4,
    lockDuration: config.queue.lockMs,
    stalledInterval: config.queue.lockMs,
    // A job whose worker died twice is more likely the cause than the victim.
    maxStalledCount: 2,
    // The next job of each scheduler, computed after taking its current one, fires when the runner says.
    settings: SCHEDULE_SETTINGS,
    telemetry: options.telemetry,
  });
  worker.on('active', (job) => log(`started ${job.name} (job ${job.id})`));
  worker.on('completed', (job, result) => {
    const waits = result.status === 'waiting' && !result.duplicate ? `; it waits for a person: runner approve ${result.runId.slice(0, 8)}` : '';
    log(`${result.duplicate ? 'skipped duplicate of' : 'finished'} ${job.name}: ${result.status} (run ${result.runId})${waits}`);
  });
  const lifecycle = new RunLifecycle(options.store, { secrets: config.secrets });
  worker.on('failed', (job, error) => {
    log(`failed ${job?.name ?? '?'} (attempt ${job?.attemptsMade ?? '?'} of ${job?.opts.attempts ?? 1}): ${error.message.split('\n')[0]}`);
    if (job) void closeGivenUp(job, error, lifecycle, notifier, log);
  });
  worker.on('stalled', (jobId) => log(`job ${jobId} stalled (its worker stopped answering); it runs again`));
  worker.on('error', (error) => log(`redis: ${error.message}`));
  // A lock this worker could not renew means the job may already run elsewhere: stop writing its record, cancel it.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const id of jobIds) {
      const run = running.get(id);
      if (!run) continue;
      log(`lost the lock of job ${id}; stopping its run without writing its record`);
      run.fence();
    }
  });

  const reaping = options.queue
    ? startReaping(
        options.queue,
        options.redis,
        config.queue.prefix,
        lifecycle,
        notifier,
        options.reapEveryMs ?? Math.max(60_000, config.queue.lockMs * 10),
        log,
      )
    : undefined;

  let stopped: Promise<void> | undefined;
  return {
    worker,
    inFlight: () => running.size,
    stop(graceMs) {
      stopped ??= (async () => {
        stopping = true;
        reaping?.stop();
        const timer = setTimeout(() => {
          if (running.size) log(`grace period over: cancelling ${running.size} run(s)`);
          for (const run of running.values()) run.controller.abort();
        }, graceMs);
        try {
          await worker.close();
        } finally {
          clearTimeout(timer);
          if (!options.pool) await pool.close();
          if (!options.queue) await queue.close().catch(() => {});
          if (!options.redis) await redis.quit().catch(() => redis.disconnect());
        }
      })();
      return stopped;
    },
  };
}

/**
 * A job that failed for good while its run is still open was given up on by BullMQ itself (it stalled more often
 * than allowed): no processor will end the run, so it is closed here, with BullMQ's reason.
 */
async function closeGivenUp(job: Job<RunJobData>, error: Error, lifecycle: RunLifecycle, notifier: Notifier, log: (line: string) => void): Promise<void> {
  try {
    if ((await job.getState()) !== 'failed') return;
    const { runId } = runOfJob(job);
    const closed = await lifecycle.abandon(runId, {
      kind: 'infrastructure',
      message: `the queue gave up on the run's job: ${error.message.split('\n')[0]}`,
      retryable: false,
    });
    if (!closed) return;
    log(`closed run ${runId}: its job failed without it (${error.message.split('\n')[0]})`);
    await Promise.resolve()
      .then(() => notifier.runEnded(closed, loadJobWorkflow(job.data)))
      .catch((failure: Error) => log(`could not notify the end of run ${runId}: ${failure.message}`));
  } catch (failure) {
    log(`could not close the run of job ${job.id}: ${(failure as Error).message}`);
  }
}

/** Runs the reaper at start and every `everyMs`; never lets a reaper failure reach the worker. */
function startReaping(
  queue: Queue<RunJobData>,
  redis: Redis | undefined,
  prefix: string,
  lifecycle: RunLifecycle,
  notifier: Notifier,
  everyMs: number,
  log: (line: string) => void,
): { stop(): void } {
  // Runs the reaper ends failed with nobody watching: their notify rules hear of it like any other failure.
  const tell = (run: RunRecord) => {
    const workflow = workflowOfRecord(run);
    if (workflow) void notifier.runEnded(run, workflow);
  };
  const reap = () =>
    Promise.all([reapOrphans(queue, lifecycle), redis ? expireWaiting(redis, prefix, lifecycle) : []]).then(
      ([closed, expired]) => {
        for (const run of closed) log(`closed run ${run.id} (${run.workflow}): ${run.error?.message}`);
        for (const run of expired) log(`expired run ${run.id} (${run.workflow}): ${run.error?.message}`);
        for (const run of [...closed, ...expired]) tell(run);
      },
      (error: unknown) => log(`reaper: ${(error as Error).message}`),
    );
  void reap();
  const timer = setInterval(() => void reap(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The workflow a recorded run ran, for its notify rules; undefined for a record without its text, or text that no longer loads. */
function workflowOfRecord(run: RunRecord): Workflow | undefined {
  if (!run.workflowSource) return undefined;
  try {
    return loadJobWorkflow({ workflow: run.workflow, file: run.workflowFile, hash: run.workflowHash, source: run.workflowSource });
  } catch {
    return undefined;
  }
}
