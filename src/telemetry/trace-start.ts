/**
 * Whether this process exports traces, and the switch that starts them. Cheap to import: the OpenTelemetry SDK
 * is loaded (`tracing.ts`, through `import()`) only when OTEL_EXPORTER_OTLP_ENDPOINT is set, so a process without
 * it pays nothing. One tracing per process, started by the command that runs attempts (`runner run`, `serve`,
 * `worker`) or adds jobs (the queue commands).
 */
import type { RunnerConfig } from '../config/config.ts';
import type { StartTracingOptions, Tracing } from './trace-types.ts';

export type { StartTracingOptions, Tracing } from './trace-types.ts';

let started: Promise<Tracing> | undefined;
let agentsProcessor = false;

/**
 * Starts exporting traces when `config.telemetry.otlpEndpoint` is set and returns them; undefined (with nothing
 * loaded) when it is not. Later calls return the first one's tracing.
 */
export function startTracing(config: RunnerConfig, options: StartTracingOptions = {}): Promise<Tracing | undefined> {
  if (!config.telemetry.otlpEndpoint) return Promise.resolve(undefined);
  started ??= import('./tracing.ts').then(({ createTracing }) => {
    const tracing = createTracing(config, options);
    agentsProcessor = true;
    return tracing;
  });
  return started;
}

/** Sends what is pending of this process's traces, if it has any, within `timeoutMs` (default 3.5 s). */
export async function flushTracing(timeoutMs?: number): Promise<void> {
  if (!started) return;
  await (await started).flush(timeoutMs);
}

/**
 * Whether agent runs should record the Agents SDK's spans: when this process exports traces (they become spans of
 * the attempt's trace), or when RUNNER_TRACING=on and the model is OpenAI itself (they go to OpenAI's traces).
 */
export function agentsTracingEnabled(config: Pick<RunnerConfig, 'openai'>): boolean {
  return agentsProcessor || (config.openai.tracing && !config.openai.baseUrl);
}
