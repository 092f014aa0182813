/**
 * The OpenTelemetry set-up of a process that exports traces (loaded by `trace-start.ts` only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set): the async-hooks context manager, W3C trace context propagation (so a job
 * carries its producer's context to the worker), a tracer provider batching spans to `<endpoint>/v1/traces` over
 * OTLP/HTTP, the Agents SDK's processor, and BullMQ's telemetry over the same provider.
 */
import { hostname } from 'node:os';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { BullMQOtel } from 'bullmq-otel';
import type { RunnerConfig } from '../config/config.ts';
import { createRedactor } from '../shared/redact.ts';
import { AgentsSpanProcessor, installAgentsProcessor } from './agents-processor.ts';
import { runSpans } from './run-spans.ts';
import { WarnOnceExporter } from './trace-exporter.ts';
import type { StartTracingOptions, Tracing } from './trace-types.ts';

/** How long one export may take, retries included, before its spans are dropped, ms: also how long a CLI can linger on a silent collector. */
export const EXPORT_TIMEOUT_MS = 3_000;
/** How long a flush waits by default before the process goes on without it, ms (a bit over one export, so its own error is what is reported). */
export const FLUSH_TIMEOUT_MS = 3_500;
/** The tracer's name (the instrumentation scope of the runner's own spans). */
export const TRACER_NAME = 'confluence-runner';

/** Sets up tracing for this process; call once (`startTracing` does). */
export function createTracing(config: RunnerConfig, options: StartTracingOptions = {}): Tracing {
  const endpoint = config.telemetry.otlpEndpoint;
  if (!endpoint) throw new Error('createTracing needs config.telemetry.otlpEndpoint');
  const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new WarnOnceExporter(new OTLPTraceExporter({ url, timeoutMillis: EXPORT_TIMEOUT_MS }), withoutCredentials(url), options.warn ?? (() => {}));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.telemetry.serviceName, 'service.instance.id': `${hostname()}:${process.pid}` }),
    spanProcessors: [new BatchSpanProcessor({ exporter, exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  });
  trace.setGlobalTracerProvider(provider);
  installAgentsProcessor(new AgentsSpanProcessor(), config.openai.tracing && !config.openai.baseUrl);
  return {
    observe: runSpans({ tracer: provider.getTracer(TRACER_NAME), content: config.telemetry.traceContent, redact: createRedactor(config.secrets) }),
    bullmq: new BullMQOtel({ tracerName: 'bullmq' }),
    async flush(timeoutMs = FLUSH_TIMEOUT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeoutMs);
        timer.unref();
      });
      const flushed = provider.forceFlush({ timeoutMillis: timeoutMs }).then(
        () => 'done' as const,
        (error: unknown) => (error as Error).message ?? String(error),
      );
      const outcome = await Promise.race([flushed, late]);
      clearTimeout(timer);
      if (outcome === 'late') exporter.warn(`no answer within ${timeoutMs / 1000} s`);
      else if (outcome !== 'done') exporter.warn(outcome);
    },
  };
}

/** The URL without user and password, for messages. */
function withoutCredentials(url: string): string {
  const parsed = URL.parse(url);
  return parsed ? `${parsed.origin}${parsed.pathname}` : url;
}
