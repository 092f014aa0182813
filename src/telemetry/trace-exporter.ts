/**
 * The exporter's failures as one line, once: a collector that cannot be reached costs the process its traces, never
 * a stack trace or a line per batch. Spans that fail to go are dropped (the OTLP exporter already retried them).
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** Wraps an exporter; `warn` hears the first failure (or flush timeout) only. */
export class WarnOnceExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #where: string;
  readonly #warn: (line: string) => void;
  #warned = false;

  /** `where` names the collector in the warning (no credentials). */
  constructor(inner: SpanExporter, where: string, warn: (line: string) => void) {
    this.#inner = inner;
    this.#where = where;
    this.#warn = warn;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      if (result.code === ExportResultCode.FAILED) this.warn(firstLine(result.error?.message ?? 'the export failed'));
      done(result);
    });
  }

  /** Tells `warn` why spans were lost, the first time only. */
  warn(reason: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#warn(`traces: could not send spans to ${this.#where} (${reason}); later failures are not reported`);
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}
