/** What the queue commands share: a Redis connection, the runs queue and the shared run store, closed in reverse. */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunnerConfig } from '../config/config.ts';
import type { RunJobData } from '../queue/payload.ts';
import type { RunStore } from '../runs/types.ts';
import { ExternalError } from '../shared/errors.ts';
import { flushTracing, startTracing, type Tracing } from '../telemetry/trace-start.ts';
import { err, printable } from './output.ts';

/** Open queue-mode resources. */
export interface QueueContext {
  redis: Redis;
  queue: Queue<RunJobData>;
  store: RunStore;
  /** This process's traces, when OTEL_EXPORTER_OTLP_ENDPOINT is set: the queue's job spans carry their context to the worker. */
  tracing?: Tracing;
  /** Closes everything, newest first, then sends what is pending of the traces; safe to call twice. */
  close(): Promise<void>;
}

/** Connects to REDIS_URL; fails with a one-line error when Redis does not answer within `timeoutMs`. */
export async function openQueueContext(config: RunnerConfig, timeoutMs = 5000): Promise<QueueContext> {
  const [{ Queue }, { connectRedis }, { openRedisRunStore }, { QUEUE_NAME }, { SCHEDULE_SETTINGS }] = await Promise.all([
    import('bullmq'),
    import('../queue/connection.ts'),
    import('../runs/redis-store.ts'),
    import('../queue/names.ts'),
    import('../queue/repeat-strategy.ts'),
  ]);
  const redis = connectRedis(config.redisUrl, { name: 'runner-cli' });
  // Heard, so ioredis does not print "Unhandled error event" on every reconnection while Redis is down; a command
  // that cannot be served fails (or the ping below times out) with a message of its own.
  redis.on('error', () => {});
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref()),
    ]);
  } catch (error) {
    redis.disconnect();
    throw new ExternalError('infrastructure', `cannot reach Redis at ${redactUrl(config.redisUrl)}: ${(error as Error).message}; is it running? (REDIS_URL)`, {
      cause: error,
    });
  }
  const tracing = await startTracing(config, { warn: (line) => err(`warning: ${printable(line)}`) });
  // Workers keep the queue's meta hash; the CLI leaving it alone is what lets an unchanged `schedule sync` write nothing.
  const queue = new Queue<RunJobData>(QUEUE_NAME, {
    connection: redis,
    prefix: config.queue.prefix,
    skipMetasUpdate: true,
    settings: SCHEDULE_SETTINGS,
    telemetry: tracing?.bullmq,
  });
  // Unheard, BullMQ dumps every reconnection error to stderr with its stack; an outage already shows in the
  // commands waiting on the connection (and in the worker's own `redis:` log line).
  queue.on('error', () => {});
  const store = openRedisRunStore({ redis, prefix: config.queue.prefix, retentionMs: config.queue.retentionMs });
  let closed = false;
  return {
    redis,
    queue,
    store,
    tracing,
    async close() {
      if (closed) return;
      closed = true;
      await store.close();
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
      await flushTracing();
    },
  };
}

/** REDIS_URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
