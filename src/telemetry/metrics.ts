/**
 * A process's run metrics for Prometheus: what its runs did (outcomes, durations, tokens, tool calls, model retries)
 * and its notification deliveries, plus prom-client's default process metrics. Fed from two places, each fact from
 * one: an attempt's events through {@link RunMetrics.observe} (durations, tokens, tools, retries), and the facts the
 * lifecycle and `deliverOnce` publish on their channels (every run end, with or without an attempt; deliveries).
 * Counters of several processes add up, so a cluster's primary can aggregate them (see metrics-cluster.ts).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { onNotification, onRunEnded } from '../runs/run-channels.ts';
import type { RunObserver } from '../runs/observer.ts';

/** Bounds of the run duration histogram, seconds: tool-step runs end within a second, agent runs take up to an hour. */
export const RUN_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Options of {@link createRunMetrics}. */
export interface RunMetricsOptions {
  /** Where the metrics are registered (default: a new registry). */
  registry?: Registry;
  /** Also collect prom-client's default process metrics (`process_*`, `nodejs_*`) (default true). */
  processMetrics?: boolean;
  /** Hear the lifecycle's and the notifier's channels (default true; false counts only what `observe` hears). */
  channels?: boolean;
}

/** One process's run metrics. */
export interface RunMetrics {
  /** The registry that holds them. */
  readonly registry: Registry;
  /** Watches each attempt (give it to the queue worker, or wrap serve's runs with `observeAttempt`). */
  readonly observe: RunObserver;
  /** Stops hearing the channels; safe to call twice. */
  close(): void;
}

/** Creates the metrics and starts hearing the lifecycle's and the notifier's channels. */
export function createRunMetrics(options: RunMetricsOptions = {}): RunMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // prom-client names three gauges `nodejs_active_{handles,requests,resources}_total`, which Prometheus' naming
    // rules (and `promtool check metrics`) keep for counters; the same numbers by type stay (`nodejs_active_handles`).
    for (const metric of registry.getMetricsAsArray()) {
      if (metric.name.endsWith('_total') && !(metric instanceof Counter)) registry.removeSingleMetric(metric.name);
    }
  }
  const registers = [registry];
  const runs = new Counter({
    name: 'runner_runs_total',
    help: 'Runs that ended, by workflow and status (succeeded, failed, cancelled, missed, skipped); a retried failed attempt counts as failed',
    labelNames: ['workflow', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'runner_run_duration_seconds',
    help: 'Time of one run attempt in this process, from its start (or resume) to its end or its pause for a person, by workflow and status',
    labelNames: ['workflow', 'status'] as const,
    buckets: RUN_DURATION_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'runner_model_tokens_total',
    help: 'Model tokens used, by workflow, model and type (input or output)',
    labelNames: ['workflow', 'model', 'type'] as const,
    registers,
  });
  const requests = new Counter({
    name: 'runner_model_requests_total',
    help: 'Model requests answered, by workflow and model',
    labelNames: ['workflow', 'model'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'runner_model_retries_total',
    help: 'Model requests retried after a transient failure, by workflow, model and HTTP status (429: rate limited; none: timeout or connection)',
    labelNames: ['workflow', 'model', 'status'] as const,
    registers,
  });
  const tools = new Counter({
    name: 'runner_tool_calls_total',
    help: 'Tool calls, by tool and status (ok, error, refused, simulated, journaled, hosted)',
    labelNames: ['tool', 'status'] as const,
    registers,
  });
  const deliveries = new Counter({
    name: 'runner_notification_deliveries_total',
    help: 'Notification delivery attempts, by channel kind (webhook, slack, email) and outcome (delivered, failed)',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });

  const observe: RunObserver = (origin) => {
    // What the attempt's first event says; a queue job is named after its workflow, so that is known earlier.
    let workflow = origin.job?.name ?? '';
    let model = '';
    let started: number | undefined;
    return {
      onEvent(event) {
        switch (event.type) {
          case 'run_start':
            workflow = event.run.workflow;
            model = event.run.model;
            started = performance.now();
            break;
          case 'turn':
            tokens.inc({ workflow, model, type: 'input' }, event.usage.inputTokens);
            tokens.inc({ workflow, model, type: 'output' }, event.usage.outputTokens);
            requests.inc({ workflow, model }, event.usage.requests);
            break;
          case 'model_retry':
            retries.inc({ workflow, model, status: event.status === undefined ? 'none' : String(event.status) });
            break;
          case 'tool_end':
            tools.inc({ tool: event.call.tool, status: event.call.status });
            break;
          case 'run_end':
            if (started !== undefined) duration.observe({ workflow, status: event.run.status }, (performance.now() - started) / 1000);
            started = undefined;
            break;
        }
      },
    };
  };

  const stops =
    options.channels === false
      ? []
      : [
          onRunEnded(({ run }) => runs.inc({ workflow: run.workflow, status: run.status })),
          onNotification((fact) => deliveries.inc({ channel: fact.channel, outcome: fact.ok ? 'delivered' : 'failed' })),
        ];
  return {
    registry,
    observe,
    close() {
      for (const stop of stops.splice(0)) stop();
    },
  };
}
