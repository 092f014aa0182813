/**
 * The notify worker of queue mode: a BullMQ Worker on the notifications queue whose processor delivers one attempt
 * per job try, records it on the run, and throws to have BullMQ retry with backoff (the last failure, or a refusal
 * no retry can help, is recorded as done and ends the job). The processor is a plain function of a job.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunnerConfig } from '../config/config.ts';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import { targetOf } from './channel.ts';
import { deliverOnce } from './deliver.ts';
import { NOTIFY_QUEUE_NAME, type NotifyJobData } from './notify-queue.ts';

/** What a finished notification job returns. */
export interface NotifyJobResult {
  runId: string;
  delivered: boolean;
  /** Why nothing was sent: the run is gone, the notification was delivered (or given up) before, or another process sends it. */
  skipped?: string;
  /** HTTP status or SMTP reply code of the delivery. */
  status?: number;
}

/** Options of {@link createNotifyProcessor}. */
export interface NotifyProcessorOptions {
  /** Settings (SMTP, public URL) and the secrets `{env: NAME}` values come from. */
  config: RunnerConfig;
  /** The shared store: runs are read and attempts recorded there. */
  lifecycle: RunLifecycle;
  /** Timeout of one attempt, ms (default 10 s). */
  attemptTimeoutMs?: number;
  /** Clock (default: the system clock). */
  now?: () => Date;
}

/** The processor: one delivery attempt per try of a job. */
export function createNotifyProcessor(options: NotifyProcessorOptions): (job: Job<NotifyJobData>) => Promise<NotifyJobResult> {
  const { config, lifecycle } = options;
  return async (job) => {
    const { runId, event, rule, channel } = job.data;
    const which = { event, rule };
    const run = await lifecycle.store.get(runId);
    if (!run || run.id !== runId) return { runId, delivered: false, skipped: 'no such run' };
    const existing = run.notifications?.find((n) => n.event === event && n.rule === rule);
    if (existing?.done) return { runId, delivered: existing.deliveredAt !== undefined, skipped: 'sent before' };
    // No record yet: this is the job's first try. A record not done is this job's (one job per id), from an earlier try.
    if (!existing && !(await lifecycle.claimNotification(runId, { ...which, channel: channel.kind, target: targetOf(channel, config) })))
      return { runId, delivered: false, skipped: 'another process sends it' };
    const { attempt, retryable } = await deliverOnce({ event, run }, channel, {
      config,
      redact: lifecycle.store.redact,
      ...(options.attemptTimeoutMs !== undefined ? { timeoutMs: options.attemptTimeoutMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    const last = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await lifecycle.noteDelivery(runId, which, attempt, attempt.ok || last);
    if (attempt.ok) return { runId, delivered: true, ...(attempt.status !== undefined ? { status: attempt.status } : {}) };
    const message = `${event} notification of run ${runId} (${rule}, ${channel.kind}): ${attempt.error}`;
    throw last ? new UnrecoverableError(message) : new Error(message);
  };
}

/** Options of {@link createNotifyWorker}. */
export interface NotifyWorkerOptions extends NotifyProcessorOptions {
  /** Connection the worker blocks on (the caller owns and closes it). */
  connection: Redis;
  /** RUNNER_QUEUE_PREFIX. */
  prefix: string;
  /** Notifications delivered at once (default 4). */
  concurrency?: number;
  /** Log lines: failed attempts, given-up notifications, Redis trouble (default: none). */
  logger?: (line: string) => void;
}

/** Starts a worker on the notifications queue; close it with `worker.close()`. */
export function createNotifyWorker(options: NotifyWorkerOptions): Worker<NotifyJobData, NotifyJobResult> {
  const log = options.logger ?? (() => {});
  const worker = new Worker<NotifyJobData, NotifyJobResult>(NOTIFY_QUEUE_NAME, createNotifyProcessor(options), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 4,
  });
  worker.on('failed', (job, error) => {
    const left = job ? (job.opts.attempts ?? 1) - job.attemptsMade : 0;
    log(`${error.message}${left > 0 && !(error instanceof UnrecoverableError) ? `; retrying (${left} attempt(s) left)` : '; giving up'}`);
  });
  worker.on('error', (error) => log(`notify worker: redis: ${error.message}`));
  return worker;
}
