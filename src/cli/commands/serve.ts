import { combineObservers, observeAttempt } from '../../runs/observer.ts';
import { flushTracing, startTracing } from '../../telemetry/trace-start.ts';
import { printable } from '../output.ts';
import { cliBackends, cliConfig, loadOptions } from '../context.ts';
import { type MetricsFlags, metricsAddress, startMetricsEndpoint } from '../metrics-endpoint.ts';
import { untilSignal } from '../signals.ts';

/** Starts the dashboard for serve (loaded only with --dashboard). */
async function startDashboard(...args: Parameters<typeof import('./dashboard.ts').startDashboardHere>) {
  return (await import('./dashboard.ts')).startDashboardHere(...args);
}

/** How often serve looks for expired approval waits, ms. */
const EXPIRY_CHECK_MS = 30_000;

/** Exit code when a second signal cuts the shutdown short (128 + SIGINT), as shells expect. */
const EXIT_INTERRUPTED = 130;

/** Flags of `runner serve`. */
export interface ServeFlags extends MetricsFlags {
  /** Also serve the web dashboard from this process. */
  dashboard?: boolean;
  /** The dashboard's port and address (default 8790 on 127.0.0.1). */
  port?: string;
  host?: string;
}

/**
 * `runner serve [dir]`: one process, no Redis. Schedules every workflow of the folder that has a schedule, runs each
 * firing with the engine and the SQLite run store, reloads when files change and stops cleanly on SIGINT/SIGTERM.
 */
export async function serveCommand(dir: string | undefined, flags: ServeFlags = {}): Promise<void> {
  const config = cliConfig();
  const folder = dir ?? config.workflowsDir;
  const [
    { runWorkflow },
    { openSqliteRunStore },
    { RunLifecycle },
    { openSqlitePauseStore },
    { LocalScheduler, stderrLogger },
    { watchFolder },
    { createLocalNotifier },
  ] = await Promise.all([
    import('../../engine/run-workflow.ts'),
    import('../../runs/sqlite-store.ts'),
    import('../../runs/lifecycle.ts'),
    import('../../schedules/pauses.ts'),
    import('../../serve/local-scheduler.ts'),
    import('../../serve/watch.ts'),
    import('../../notify/local-notifier.ts'),
  ]);
  // Log lines quote workflow names and failure messages: printable, like every line the CLI writes.
  const logger = stderrLogger((text) => process.stderr.write(printable(text)));
  // A bad or busy --metrics-port stops serve before it opens anything.
  const metricsAt = metricsAddress(flags, (line) => logger.warn(line));
  const metrics = metricsAt ? await startMetricsEndpoint(metricsAt) : undefined;
  // With OTEL_EXPORTER_OTLP_ENDPOINT set, every run attempt is a trace (nothing is loaded without it).
  const tracing = await startTracing(config, { warn: (line) => logger.warn(line) });
  const store = openSqliteRunStore(config.dbPath);
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
  metrics?.watch({ store: lifecycle.store });
  // Workflows' notify rules and RUNNER_NOTIFY_DEFAULT's: a bad defaults file stops serve here (exit 2).
  let notifier: ReturnType<typeof createLocalNotifier>;
  try {
    notifier = createLocalNotifier({ config, lifecycle, logger: (line) => logger.info(line) });
  } catch (error) {
    await store.close();
    await metrics?.close();
    throw error;
  }
  // `runner schedule pause|resume` write pauses into the same SQLite file.
  const pauses = openSqlitePauseStore(config.dbPath);
  const openBackend = cliBackends();
  const scheduler = new LocalScheduler({
    dir: folder,
    loadOptions: loadOptions(),
    lifecycle,
    pauses,
    notifier,
    runDefaults: { backend: config.backend, model: config.model },
    logger,
    run: (workflow, options) =>
      observeAttempt(combineObservers(metrics?.observe, tracing?.observe), { source: 'serve' }, (onEvent) =>
        runWorkflow(workflow, options, { config, store: lifecycle.store, openBackend, onEvent }),
      ),
  });
  try {
    // A previous serve (or run) on this machine that was killed left its runs `running`: close them first.
    for (const run of await lifecycle.reapLocal()) logger.warn(`closed run ${run.id} (${run.workflow}): ${run.error?.message}`);
    await scheduler.start();
  } catch (error) {
    await pauses.close();
    await store.close();
    await metrics?.close();
    throw error;
  }
  // Held calls nobody decided on in time are rejected here (runs wait in this SQLite file; approvals resume elsewhere).
  const expire = () =>
    lifecycle.expireDue().then(
      (ended) => {
        for (const run of ended) {
          logger.warn(`expired run ${run.id} (${run.workflow}): ${run.error?.message}`);
          scheduler.tellEnded(run);
        }
      },
      (error: unknown) => logger.error(`expiring waiting runs failed: ${(error as Error).message}`),
    );
  void expire();
  const expiry = setInterval(() => void expire(), EXPIRY_CHECK_MS);
  expiry.unref();
  const watcher = watchFolder(folder, () => void scheduler.reload(), {
    onError: (error) => logger.error(`watching ${folder} failed (${error.message}); changes are no longer picked up`),
  });
  // The dashboard reads serve's store; its approvals and re-runs run in this process, told to serve's notifier.
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  let launcher: { close(graceMs: number): Promise<void> } | undefined;
  if (flags.dashboard) {
    const { localSources } = await import('./dashboard.ts');
    const sources = await localSources(config, { store: lifecycle.store, pauses, notifier });
    launcher = sources.launcher;
    dashboard = await startDashboard(config, sources, flags).catch(async (error: unknown) => {
      watcher.close();
      clearInterval(expiry);
      await scheduler.stop({ graceMs: 0 });
      await pauses.close();
      await store.close();
      await metrics?.close();
      throw error;
    });
  } else if (flags.port !== undefined || flags.host !== undefined) logger.warn('--port and --host are for --dashboard; ignored without it');
  if (metrics?.url) logger.info(`metrics on ${metrics.url}`);
  logger.info(`watching ${folder} for changes; runs recorded in ${config.dbPath}; Ctrl-C to stop`);

  const signal = await untilSignal();
  const again = () => {
    logger.warn('second signal: recording runs in flight as cancelled and exiting without waiting for them');
    // Never wait long: the person asked twice. Each record is one SQLite write.
    const recorded = Promise.race([scheduler.abandonInFlight(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    void recorded.finally(() => process.exit(EXIT_INTERRUPTED));
  };
  process.on('SIGINT', again);
  process.on('SIGTERM', again);
  logger.info(`${signal} received (send it again to exit at once)`);
  try {
    watcher.close();
    clearInterval(expiry);
    await dashboard?.close();
    const [{ abandoned }] = await Promise.all([scheduler.stop({ graceMs: config.queue.graceMs }), launcher?.close(config.queue.graceMs)]);
    await metrics?.close();
    await pauses.close();
    await store.close();
    await flushTracing();
    // A run that ignored its abort may still hold sockets or timers; its record is closed, so leave without it.
    if (abandoned) process.exit(process.exitCode ?? 0);
  } finally {
    process.off('SIGINT', again);
    process.off('SIGTERM', again);
  }
}
