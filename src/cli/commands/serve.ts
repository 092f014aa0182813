import { cliConfig, loadOptions } from '../context.ts';
import { untilSignal } from '../signals.ts';

/** Exit code when a second signal cuts the shutdown short (128 + SIGINT), as shells expect. */
const EXIT_INTERRUPTED = 130;

/**
 * `runner serve [dir]`: one process, no Redis. Schedules every workflow of the folder that has a schedule, runs each
 * firing with the engine and the SQLite run store, reloads when files change and stops cleanly on SIGINT/SIGTERM.
 */
export async function serveCommand(dir: string | undefined): Promise<void> {
  const config = cliConfig();
  const folder = dir ?? config.workflowsDir;
  const [{ runWorkflow }, { openSqliteRunStore }, { LocalScheduler, stderrLogger }, { watchFolder }] = await Promise.all([
    import('../../engine/run-workflow.ts'),
    import('../../runs/sqlite-store.ts'),
    import('../../serve/local-scheduler.ts'),
    import('../../serve/watch.ts'),
  ]);
  const logger = stderrLogger();
  const store = openSqliteRunStore(config.dbPath);
  const scheduler = new LocalScheduler({
    dir: folder,
    loadOptions: loadOptions(),
    store,
    logger,
    run: (workflow, options) => runWorkflow(workflow, options, { config, store }),
  });
  try {
    await scheduler.start();
  } catch (error) {
    await store.close();
    throw error;
  }
  const watcher = watchFolder(folder, () => void scheduler.reload(), {
    onError: (error) => logger.error(`watching ${folder} failed (${error.message}); changes are no longer picked up`),
  });
  logger.info(`watching ${folder} for changes; runs recorded in ${config.dbPath}; Ctrl-C to stop`);

  const signal = await untilSignal();
  const again = () => {
    logger.warn('second signal: exiting now without waiting for runs');
    process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', again);
  process.on('SIGTERM', again);
  logger.info(`${signal} received (send it again to exit at once)`);
  try {
    watcher.close();
    const { abandoned } = await scheduler.stop({ graceMs: config.queue.graceMs });
    await store.close();
    // A run that ignored its abort may still hold sockets or timers; its record is closed, so leave without it.
    if (abandoned) process.exit(process.exitCode ?? 0);
  } finally {
    process.off('SIGINT', again);
    process.off('SIGTERM', again);
  }
}
