import { availableParallelism } from 'node:os';
import { combineObservers } from '../../runs/observer.ts';
import { UserError } from '../../shared/errors.ts';
import { formatDuration } from '../../shared/duration.ts';
import { cliBackends, cliConfig } from '../context.ts';
import { type MetricsFlags, metricsAddress, shareMetricsWithPrimary, startMetricsEndpoint } from '../metrics-endpoint.ts';
import { err, printable } from '../output.ts';
import { openQueueContext } from '../queue-context.ts';
import { isSupervisedChild, leaveSupervisor, onRepeatedStop, reportReady, stopSignals } from '../worker-cluster.ts';

/** Flags of `runner worker`. */
export interface WorkerFlags extends MetricsFlags {
  concurrency?: string;
  /** Worker processes, each at `concurrency`, under one supervisor (default: the CPUs available, at most 64; 1: no supervisor). */
  processes?: string;
}

/** Exit code after a second signal: 128 + SIGINT, as shells expect. */
const EXIT_INTERRUPTED = 130;

/**
 * `runner worker`: takes runs from the queue until SIGTERM or SIGINT. The first signal stops taking jobs and lets
 * in-flight runs finish within RUNNER_SHUTDOWN_GRACE, then cancels (records) the rest and re-queues their jobs;
 * a second signal exits at once. With `--processes` above 1 (the default on a machine with several CPUs) this
 * process supervises that many such workers instead (worker-supervisor.ts) and each child runs the path below.
 */
export async function workerCommand(flags: WorkerFlags): Promise<void> {
  const config = cliConfig();
  const concurrency = flags.concurrency === undefined ? 4 : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new UserError(`--concurrency must be a whole number from 1 to 1000, not '${flags.concurrency}'`);
  }
  const processes = flags.processes === undefined ? Math.min(64, availableParallelism()) : Number(flags.processes);
  if (!Number.isInteger(processes) || processes < 1 || processes > 64) {
    throw new UserError(`--processes must be a whole number from 1 to 64, not '${flags.processes}'`);
  }
  // Checked before any child starts: a bad --metrics-port stops the supervisor too.
  const metricsAt = metricsAddress(flags, (line) => err(line));
  // Several processes: this one only supervises (no Redis, no jobs); each child runs this command again, below.
  if (processes > 1 && !isSupervisedChild()) {
    const { superviseUntilSignal } = await import('../worker-supervisor.ts');
    process.exitCode = await superviseUntilSignal({
      processes,
      concurrency,
      graceMs: config.queue.graceMs,
      log: (line) => err(`${new Date().toISOString()} ${printable(line)}`),
      relay: err,
      // --metrics-port: the primary serves the sum over its children (and reads queue depth and approvals once).
      primaryServices: metricsAt
        ? [
            async () => {
              const { startPrimaryMetricsEndpoint } = await import('../metrics-endpoint.ts');
              const endpoint = await startPrimaryMetricsEndpoint(metricsAt, config);
              err(`${new Date().toISOString()} metrics on ${endpoint.url}`);
              return endpoint;
            },
          ]
        : [],
    });
    return;
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
  // A busy --metrics-port stops the worker before it connects; a supervised child answers its primary instead.
  const metrics = metricsAt ? await (isSupervisedChild() ? shareMetricsWithPrimary() : startMetricsEndpoint(metricsAt)) : undefined;
  const context = await openQueueContext(config);
  // Worker log lines quote workflow names and failure messages: printable, like every line the CLI writes.
  const log = (line: string) => err(`${new Date().toISOString()} ${printable(line)}`);
  // Notifications go through a queue of their own, so a crash loses none and each is sent once; every worker
  // also delivers them. A bad RUNNER_NOTIFY_DEFAULT file stops the worker here (exit 2).
  const lifecycle = new RunLifecycle(context.store, { secrets: config.secrets });
  const notifyQueue = openNotifyQueue(context.redis, config.queue.prefix);
  metrics?.watch({ store: context.store, queues: [context.queue, notifyQueue] });
  let notifier: ReturnType<typeof createQueueNotifier>;
  try {
    notifier = createQueueNotifier({ config, lifecycle, queue: notifyQueue, logger: log });
  } catch (error) {
    await metrics?.close();
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
    observe: combineObservers(metrics?.observe, context.tracing?.observe),
    telemetry: context.tracing?.bullmq,
  });
  await worker.worker.waitUntilReady();
  log(
    `worker ready: queue '${config.queue.prefix}:runs', concurrency ${concurrency}${config.modelRpm ? `, ${config.modelRpm} model requests/min shared` : ''}${metrics?.url ? `, metrics on ${metrics.url}` : ''}`,
  );
  reportReady();

  // SIGINT and SIGTERM; a supervised child heeds its supervisor's SIGTERM only.
  const stopOn = stopSignals();
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const name of stopOn) process.once(name, resolve);
  });
  const again = () => {
    log('second signal: exiting now');
    process.exit(EXIT_INTERRUPTED);
  };
  onRepeatedStop(again);
  log(`${signal}: no new jobs; ${worker.inFlight()} run(s) in flight get ${formatDuration(config.queue.graceMs)} to finish`);
  await worker.stop(config.queue.graceMs);
  await notifyWorker.close();
  await notifier.drain();
  await metrics?.close();
  await notifyQueue.close();
  for (const connection of [blocking, notifyBlocking]) await connection.quit().catch(() => connection.disconnect());
  await context.close();
  log('worker stopped');
  leaveSupervisor();
}
