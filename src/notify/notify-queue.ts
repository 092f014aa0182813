/**
 * The BullMQ queue notifications go through in queue mode: its name (beside the runs queue, under the same
 * RUNNER_QUEUE_PREFIX), what a job carries, its id (one job per run, event and rule, so no two workers send the
 * same notification) and its attempts and backoff (RUNNER_NOTIFY_ATTEMPTS, RUNNER_NOTIFY_BACKOFF doubling).
 */
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { NotifySettings } from '../config/config.ts';
import type { NotifyChannel, NotifyEvent } from '../workflow/types.ts';

/** The notifications queue (its keys live under RUNNER_QUEUE_PREFIX, like the runs queue's). */
export const NOTIFY_QUEUE_NAME = 'notifications';

/** Data of a notification job: which notification of which run, and the channel (secrets as `{env: NAME}`, never values). */
export interface NotifyJobData {
  runId: string;
  /** The run's workflow (the job's name too, for logs). */
  workflow: string;
  event: Exclude<NotifyEvent, 'invalid'>;
  /** `workflow#<n>` or `default#<n>`. */
  rule: string;
  channel: NotifyChannel;
}

/** `<runId>:<event>:<rule>`: the job id, so a notification is queued once however often it is asked for. */
export function notifyJobId(data: Pick<NotifyJobData, 'runId' | 'event' | 'rule'>): string {
  return `${data.runId}:${data.event}:${data.rule}`;
}

/** Attempts, exponential backoff from the first retry's delay, and how long finished jobs stay (the run record keeps the history). */
export function notifyJobOptions(settings: Pick<NotifySettings, 'attempts' | 'backoffMs'>): JobsOptions {
  return {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
  };
}

/** The notifications queue on `connection` (the caller owns the connection and closes the queue). */
export function openNotifyQueue(connection: Redis, prefix: string): Queue<NotifyJobData> {
  const queue = new Queue<NotifyJobData>(NOTIFY_QUEUE_NAME, { connection, prefix });
  // Unheard, BullMQ dumps every reconnection error to stderr with its stack; an outage shows in the worker's own
  // `redis:` log line and in notifications that could not be queued.
  queue.on('error', () => {});
  return queue;
}
