/**
 * `--metrics-port` and `--metrics-host` of `runner worker` and `runner serve`: checks the flags, then serves this
 * process's run metrics and the shared-state metrics (waiting approvals, queue depth) on `GET /metrics`. Under
 * `runner worker --processes N` the primary serves (children's run metrics added up, the state read once, by the
 * primary) and each child only answers the primary.
 */
import type { RunnerConfig } from '../config/config.ts';
import type { StateSources } from '../telemetry/metrics-state.ts';
import type { RunObserver } from '../runs/observer.ts';
import { UserError } from '../shared/errors.ts';
import { warnIfExposed } from './listening.ts';

/** Default address of the metrics endpoint: this machine only. */
export const METRICS_HOST = '127.0.0.1';

/** The flags, as the command table gives them. */
export interface MetricsFlags {
  /** Serve metrics on this port (default: no metrics; 0 picks a free port). */
  'metrics-port'?: string;
  /** Address the metrics endpoint listens on (default {@link METRICS_HOST}). */
  'metrics-host'?: string;
}

/** Where to serve metrics. */
export interface MetricsAddress {
  port: number;
  host: string;
}

/** The checked flags: where to serve metrics, or undefined without `--metrics-port` (a UserError for a bad port). */
export function metricsAddress(flags: MetricsFlags, warn: (line: string) => void): MetricsAddress | undefined {
  const value = flags['metrics-port'];
  if (value === undefined) {
    if (flags['metrics-host'] !== undefined) warn('--metrics-host is for --metrics-port; ignored without it');
    return undefined;
  }
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UserError(`--metrics-port must be a number from 0 to 65535 (0 picks a free port), not '${value}'`);
  return { port, host: flags['metrics-host'] ?? METRICS_HOST };
}

/** A process's metrics: served here, or handed to the primary. */
export interface MetricsEndpoint {
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9464/metrics` (absent in a cluster child: its primary serves). */
  readonly url?: string;
  /** Watches each run attempt (compose with other observers through `combineObservers`). */
  readonly observe: RunObserver;
  /** Sets what the state metrics read: the run store, the queues. */
  watch(sources: StateSources): void;
  /** Stops serving and hearing runs; safe to call twice. */
  close(): Promise<void>;
}

/** Starts serving; a busy port or a bad address is a one-line UserError. */
export async function startMetricsEndpoint(at: MetricsAddress, sources: StateSources = {}): Promise<MetricsEndpoint> {
  const [{ createRunMetrics }, { createStateMetrics }, { registriesText, serveMetrics }] = await Promise.all([
    import('../telemetry/metrics.ts'),
    import('../telemetry/metrics-state.ts'),
    import('../telemetry/metrics-server.ts'),
  ]);
  warnIfExposed(at.host, 'the metrics endpoint');
  const runs = createRunMetrics();
  const state = createStateMetrics(sources);
  const server = await serveMetrics({ port: at.port, host: at.host, collect: registriesText(runs.registry, state.registry) }).catch((error: unknown) => {
    runs.close();
    throw metricsListenError(error as NodeJS.ErrnoException, at);
  });
  return {
    url: server.url,
    observe: runs.observe,
    watch: (next) => state.watch(next),
    async close() {
      runs.close();
      await server.close();
    },
  };
}

/** A listen failure as the person who gave the flags can fix it. */
function metricsListenError(error: NodeJS.ErrnoException, at: MetricsAddress): Error {
  if (error.code === 'EADDRINUSE') return new UserError(`--metrics-port ${at.port} is in use; pick another port (0 picks a free one)`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new UserError(`cannot serve metrics on --metrics-host ${at.host}: not an address of this machine`);
  }
  if (error.code === 'EACCES') return new UserError(`not allowed to listen on ${at.host}:${at.port}; pick a --metrics-port above 1023`);
  return error;
}

/** In a `runner worker --processes N` child: run metrics answered to the primary's scrapes, no server. */
export async function shareMetricsWithPrimary(): Promise<MetricsEndpoint> {
  const [{ createRunMetrics }, { answerPrimaryScrapes }] = await Promise.all([import('../telemetry/metrics.ts'), import('../telemetry/metrics-cluster.ts')]);
  const runs = createRunMetrics();
  answerPrimaryScrapes(runs.registry);
  return {
    observe: runs.observe,
    // The primary reads the shared state once for the whole cluster.
    watch: () => {},
    async close() {
      runs.close();
    },
  };
}

/**
 * In the `runner worker --processes N` primary (a supervisor's `primaryServices` entry): serves the children's run
 * metrics added up, and reads the waiting approvals and the queues' depth itself, on a Redis connection of its own.
 */
export async function startPrimaryMetricsEndpoint(at: MetricsAddress, config: RunnerConfig): Promise<{ url: string; close(): Promise<void> }> {
  const [{ createStateMetrics }, { clusterMetricsText }, { serveMetrics }, { openQueueContext }, { openNotifyQueue }] = await Promise.all([
    import('../telemetry/metrics-state.ts'),
    import('../telemetry/metrics-cluster.ts'),
    import('../telemetry/metrics-server.ts'),
    import('./queue-context.ts'),
    import('../notify/notify-queue.ts'),
  ]);
  warnIfExposed(at.host, 'the metrics endpoint');
  const context = await openQueueContext(config);
  const notifyQueue = openNotifyQueue(context.redis, config.queue.prefix);
  const state = createStateMetrics({ store: context.store, queues: [context.queue, notifyQueue] });
  const closeSources = async () => {
    await notifyQueue.close();
    await context.close();
  };
  const server = await serveMetrics({ port: at.port, host: at.host, collect: clusterMetricsText(state.registry) }).catch(async (error: unknown) => {
    await closeSources();
    throw metricsListenError(error as NodeJS.ErrnoException, at);
  });
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    close() {
      closing ??= server.close().then(closeSources);
      return closing;
    },
  };
}
