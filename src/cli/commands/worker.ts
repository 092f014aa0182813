import { UserError } from '../../shared/errors.ts';
import { formatDuration } from '../../shared/duration.ts';
import { cliBackends, cliConfig } from '../context.ts';
import { err, printable } from '../output.ts';
import { openQueueContext } from '../queue-context.ts';

/** Flags of `runner worker`. */
export interface WorkerFlags {
  concurrency?: string;
}

/** Exit code after a second signal: 128 + SIGINT, as shells expect. */
const EXIT_INTERRUPTED = 130;

/**
 * `runner worker`: takes runs from the queue until SIGTERM or SIGINT. The first signal stops taking jobs and lets
 * in-flight runs finish within RUNNER_SHUTDOWN_GRACE, then cancels (records) the rest and re-queues their jobs;
 * a second signal exits at once.
 */
export async function workerCommand(flags: WorkerFlags): Promise<void> {
  const config = cliConfig();
  const concurrency = flags.concurrency === undefined ? 4 : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new UserError(`--concurrency must be a whole number from 1 to 1000, not '${flags.concurrency}'`);
  }
  const [
    { startRunWorker },
    { connectRedis },
    { createRedisRateLimiter },
    { limiterKey },
    { RunLifecycle },
    { openNotifyQueue },
    { createQueueNotifier },
    { createNotifyWorker },
  ] = await Promise.all([
    import('../../queue/worker.ts'),
    import('../../queue/connection.ts'),
    import('../../queue/rate-limit.ts'),
    import('../../queue/names.ts'),
    import('../../runs/lifecycle.ts'),
    import('../../notify/notify-queue.ts'),
    import('../../notify/queue-notifier.ts'),
    import('../../notify/notify-worker.ts'),
  ]);
  const context = await openQueueContext(config);
  // Worker log lines quote workflow names and failure messages: printable, like every line the CLI writes.
  const log = (line: string) => err(`${new Date().toISOString()} ${printable(line)}`);
  // Notifications go through a queue of their own, so a crash loses none and each is sent once; every worker
  // also delivers them. A bad RUNNER_NOTIFY_DEFAULT file stops the worker here (exit 2).
  const lifecycle = new RunLifecycle(context.store, { secrets: config.secrets });
  const notifyQueue = openNotifyQueue(context.redis, config.queue.prefix);
  let notifier: ReturnType<typeof createQueueNotifier>;
  try {
    notifier = createQueueNotifier({ config, lifecycle, queue: notifyQueue, logger: log });
  } catch (error) {
    await notifyQueue.close();
    await context.close();
    throw error;
  }
  const blocking = connectRedis(config.redisUrl, { name: 'runner-worker' });
  const notifyBlocking = connectRedis(config.redisUrl, { name: 'runner-notify' });
  const notifyWorker = createNotifyWorker({ config, lifecycle, connection: notifyBlocking, prefix: config.queue.prefix, logger: log });
  const limiter = config.modelRpm
    ? createRedisRateLimiter({ redis: context.redis, key: limiterKey(config.queue.prefix), perMinute: config.modelRpm })
    : undefined;
  const worker = startRunWorker({
    config,
    connection: blocking,
    store: context.store,
    queue: context.queue,
    redis: context.redis,
    openBackend: cliBackends(),
    concurrency,
    beforeModelRequest: limiter ? (signal) => limiter.acquire(signal) : undefined,
    notifier,
    log,
  });
  await worker.worker.waitUntilReady();
  log(
    `worker ready: queue '${config.queue.prefix}:runs', concurrency ${concurrency}${config.modelRpm ? `, ${config.modelRpm} model requests/min shared` : ''}`,
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const again = () => {
    log('second signal: exiting now');
    process.exit(EXIT_INTERRUPTED);
  };
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  log(`${signal}: no new jobs; ${worker.inFlight()} run(s) in flight get ${formatDuration(config.queue.graceMs)} to finish`);
  await worker.stop(config.queue.graceMs);
  await notifyWorker.close();
  await notifier.drain();
  await notifyQueue.close();
  for (const connection of [blocking, notifyBlocking]) await connection.quit().catch(() => connection.disconnect());
  await context.close();
  log('worker stopped');
}
