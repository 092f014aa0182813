/**
 * Metrics of shared state, read when Prometheus scrapes: runs waiting for a person (from the run store) and the
 * queues' jobs by state (BullMQ's job counts, the numbers its own `exportPrometheusMetrics` prints). In queue mode
 * every process would read the same numbers, so exactly one process per scrape target adds these: the one that
 * serves /metrics (a single worker, `runner serve`, or a supervisor's primary), never each cluster child.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { RunStore } from '../runs/types.ts';

/** Most waiting runs read per scrape. */
export const WAITING_SCAN_LIMIT = 1000;

/** A queue as these metrics read it (a BullMQ `Queue`). */
export interface CountedQueue {
  /** The queue's name, e.g. `runs`. */
  readonly name: string;
  /** Jobs by state (BullMQ's `getJobCounts()`). */
  getJobCounts(): Promise<Record<string, number>>;
}

/** What the state metrics read; either may be set later with {@link StateMetrics.watch}. */
export interface StateSources {
  /** The run store whose waiting runs are counted (default: none, no approval metrics). */
  store?: Pick<RunStore, 'list'>;
  /** Queues whose jobs are counted by state (default: none). */
  queues?: readonly CountedQueue[];
}

/** A waiting run as the approval gauges see it. */
interface WaitingRun {
  workflow: string;
  ageSeconds: number;
}

/** Options of {@link createStateMetrics}. */
export interface StateMetricsOptions extends StateSources {
  /** Where the metrics are registered (default: a new registry). */
  registry?: Registry;
  /** Clock (default: the system clock). */
  now?: () => Date;
}

/** Metrics read from shared state at scrape time. */
export interface StateMetrics {
  /** The registry that holds them. */
  readonly registry: Registry;
  /** Sets what is read from now on (sources not given stay as they were). */
  watch(sources: StateSources): void;
}

/** Creates the metrics; nothing is read until a scrape. */
export function createStateMetrics(options: StateMetricsOptions = {}): StateMetrics {
  const registry = options.registry ?? new Registry();
  const now = options.now ?? (() => new Date());
  const sources: StateSources = { ...(options.store ? { store: options.store } : {}), ...(options.queues ? { queues: options.queues } : {}) };
  const registers = [registry];
  const errors = new Counter({
    name: 'runner_metrics_read_errors_total',
    help: 'Scrapes that could not read a source (store: the run store; queue: a queue), whose metrics were left out',
    labelNames: ['source'] as const,
    registers,
  });
  // Both approval gauges are collected at once; they share one read of the store per scrape.
  let reading: Promise<WaitingRun[] | undefined> | undefined;
  const readWaiting = (): Promise<WaitingRun[] | undefined> => {
    const store = sources.store;
    if (!store) return Promise.resolve(undefined);
    reading ??= store.list({ status: 'waiting', limit: WAITING_SCAN_LIMIT }).then(
      (runs) => {
        reading = undefined;
        const at = now().getTime();
        return runs.map((run) => {
          const since = Date.parse(run.approvals?.at(-1)?.since ?? run.createdAt);
          return { workflow: run.workflow, ageSeconds: Number.isNaN(since) ? 0 : Math.max(0, (at - since) / 1000) };
        });
      },
      () => {
        reading = undefined;
        errors.inc({ source: 'store' });
        return undefined;
      },
    );
    return reading;
  };
  new Gauge({
    name: 'runner_approvals_waiting',
    help: 'Runs waiting for a person to approve or reject held tool calls, by workflow (only workflows with a waiting run)',
    labelNames: ['workflow'] as const,
    registers,
    async collect() {
      const waiting = await readWaiting();
      this.reset();
      for (const run of waiting ?? []) this.inc({ workflow: run.workflow });
    },
  });
  new Gauge({
    name: 'runner_approvals_oldest_wait_seconds',
    help: 'Age of the oldest wait for a person, by workflow (only workflows with a waiting run)',
    labelNames: ['workflow'] as const,
    registers,
    async collect() {
      const waiting = await readWaiting();
      this.reset();
      const oldest = new Map<string, number>();
      for (const run of waiting ?? []) oldest.set(run.workflow, Math.max(run.ageSeconds, oldest.get(run.workflow) ?? 0));
      for (const [workflow, age] of oldest) this.set({ workflow }, age);
    },
  });
  new Gauge({
    name: 'runner_queue_jobs',
    help: 'Jobs in each queue by state (waiting, active, delayed, prioritized, waiting-children, completed, failed)',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const counted = await Promise.all(
        (sources.queues ?? []).map((queue) =>
          queue.getJobCounts().then(
            (counts) => ({ queue: queue.name, counts }),
            () => {
              errors.inc({ source: 'queue' });
              return undefined;
            },
          ),
        ),
      );
      for (const entry of counted) {
        if (!entry) continue;
        for (const [state, count] of Object.entries(entry.counts)) this.set({ queue: entry.queue, state }, count);
      }
    },
  });
  return {
    registry,
    watch(next) {
      if (next.store) sources.store = next.store;
      if (next.queues) sources.queues = next.queues;
    },
  };
}
