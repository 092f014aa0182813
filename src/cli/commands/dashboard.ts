/**
 * `runner dashboard`: the web app over the runs the CLI sees (Redis in queue mode, else RUNNER_DB), until Ctrl-C.
 * `runner serve --dashboard` serves the same app from serve's process (see {@link startDashboardHere}).
 */
import { randomBytes } from 'node:crypto';
import type { RunnerConfig } from '../../config/config.ts';
import type { DashboardHandle } from '../../dashboard/server.ts';
import type { Notifier } from '../../notify/notifier.ts';
import type { PauseStore } from '../../schedules/pauses.ts';
import type { RunStore } from '../../runs/types.ts';
import { isLoopbackHost } from '../../mcp/http-guard.ts';
import { cliBackends, cliConfig, loadOptions } from '../context.ts';
import { boundAddress, listenError, warnIfExposed } from '../listening.ts';
import { err, out } from '../output.ts';
import { redactUrl } from '../queue-context.ts';
import { untilSignal } from '../signals.ts';
import { parsePort } from './sandbox.ts';

/** Default port of the dashboard. */
export const DASHBOARD_PORT = 8790;

/** Flags of `runner dashboard` (and serve's `--dashboard-port`). */
export interface DashboardFlags {
  port?: string;
  host?: string;
  'allow-host'?: string[];
}

/** What a dashboard in this process reads and acts with; `close` releases what it opened (not what it was given). */
interface DashboardSources {
  store: RunStore;
  pauses: PauseStore;
  launcher: import('../../dashboard/launcher.ts').RunLauncher;
  queues?: import('bullmq').Queue[];
  close(): Promise<void>;
}

/** `runner dashboard`. */
export async function dashboardCommand(flags: DashboardFlags): Promise<void> {
  const config = cliConfig();
  const sources = config.store === 'redis' ? await queueSources(config) : await localSources(config);
  let dashboard: DashboardHandle;
  try {
    dashboard = await startDashboardHere(config, sources, flags);
  } catch (error) {
    await sources.close();
    throw error;
  }
  out(
    `  runs from: ${config.store === 'redis' ? `Redis (${redactUrl(config.redisUrl)}, prefix ${config.queue.prefix}); approvals and re-runs go to the workers` : `${config.dbPath}; approvals and re-runs run in this process`}`,
  );
  out('Press Ctrl-C to stop.');
  await untilSignal();
  await dashboard.close();
  await sources.launcher.close(config.queue.graceMs);
  await sources.close();
  err('dashboard stopped');
}

/**
 * Starts the dashboard over `sources` and prints where it listens and how to sign in. Off loopback a token is
 * required: RUNNER_DASHBOARD_TOKEN, else one generated now and printed once.
 */
export async function startDashboardHere(
  config: RunnerConfig,
  sources: Pick<DashboardSources, 'store' | 'pauses' | 'launcher' | 'queues'>,
  flags: DashboardFlags,
): Promise<DashboardHandle> {
  const [{ startDashboard }, { createActions }] = await Promise.all([import('../../dashboard/server.ts'), import('../../dashboard/actions.ts')]);
  const host = flags.host ?? '127.0.0.1';
  const port = parsePort(flags.port, DASHBOARD_PORT);
  const generated = config.dashboardToken || isLoopbackHost(host) ? undefined : randomBytes(24).toString('base64url');
  const token = config.dashboardToken ?? generated;
  config.secrets.add(token);
  const dashboard = await startDashboard({
    store: sources.store,
    pauses: sources.pauses,
    queues: sources.queues,
    actions: createActions({ store: sources.store, secrets: config.secrets, launcher: sources.launcher, loadOptions: loadOptions() }),
    workflowsDir: config.workflowsDir,
    loadOptions: loadOptions(),
    host,
    port,
    allowHosts: flags['allow-host'] ?? [],
    token,
  }).catch((error: NodeJS.ErrnoException) => {
    throw listenError(error, host, port);
  });
  warnIfExposed(host, 'the dashboard (it approves held writes and starts runs)');
  out(`Dashboard at ${boundAddress(dashboard.bound.url, dashboard.url)}`);
  if (generated) out(`  sign in: ${dashboard.url}/login?token=${generated}   (generated for this run; set RUNNER_DASHBOARD_TOKEN to choose a lasting one)`);
  else if (token) out('  sign in with RUNNER_DASHBOARD_TOKEN');
  return dashboard;
}

/** SQLite mode: RUNNER_DB's runs and pauses; approvals and re-runs run in this process. */
export async function localSources(config: RunnerConfig, given?: { store: RunStore; pauses: PauseStore; notifier: Notifier }): Promise<DashboardSources> {
  const [{ openSqliteRunStore }, { openSqlitePauseStore }, { RunLifecycle }, { localLauncher }, { createLocalNotifier }] = await Promise.all([
    import('../../runs/sqlite-store.ts'),
    import('../../schedules/pauses.ts'),
    import('../../runs/lifecycle.ts'),
    import('../../dashboard/launcher.ts'),
    import('../../notify/local-notifier.ts'),
  ]);
  const store = given?.store ?? openSqliteRunStore(config.dbPath);
  const pauses = given?.pauses ?? openSqlitePauseStore(config.dbPath);
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
  try {
    const notifier = given?.notifier ?? createLocalNotifier({ config, lifecycle, logger: (line) => err(`notify: ${line}`) });
    const launcher = localLauncher({ config, lifecycle, openBackend: cliBackends(), notifier, log: (line) => err(line) });
    return {
      store,
      pauses,
      launcher,
      async close() {
        if (given) return;
        await pauses.close();
        await store.close();
      },
    };
  } catch (error) {
    if (!given) {
      await pauses.close();
      await store.close();
    }
    throw error;
  }
}

/** Queue mode: the shared store, pauses and queues in Redis; approvals and re-runs become jobs. */
async function queueSources(config: RunnerConfig): Promise<DashboardSources> {
  const [{ openQueueContext }, { openRedisPauseStore }, { RunLifecycle }, { queueLauncher }, { openNotifyQueue }] = await Promise.all([
    import('../queue-context.ts'),
    import('../../schedules/pauses.ts'),
    import('../../runs/lifecycle.ts'),
    import('../queue-launcher.ts'),
    import('../../notify/notify-queue.ts'),
  ]);
  const context = await openQueueContext(config);
  const notifications = openNotifyQueue(context.redis, config.queue.prefix);
  const pauses = openRedisPauseStore(context.redis, config.queue.prefix);
  return {
    store: context.store,
    pauses,
    queues: [context.queue, notifications],
    launcher: queueLauncher(context.queue, new RunLifecycle(context.store, { secrets: config.secrets }), config),
    async close() {
      await pauses.close();
      await notifications.close();
      await context.close();
    },
  };
}
