/** The vocabulary of a process's traces, shared by the cheap switch (`trace-start.ts`) and the set-up (`tracing.ts`). */
import type { Telemetry } from 'bullmq';
import type { RunObserver } from '../runs/observer.ts';

/** A process's traces, once started. */
export interface Tracing {
  /** Watches run attempts: one trace per attempt (see `run-spans.ts`). */
  readonly observe: RunObserver;
  /** BullMQ's `telemetry` option for Queues and Workers: job spans, and the trace context carried in each job. */
  readonly bullmq: Telemetry;
  /** Sends the spans that ended and are not sent yet; resolves within `timeoutMs` whatever the collector does (default 3.5 s). */
  flush(timeoutMs?: number): Promise<void>;
}

/** Options of `startTracing`. */
export interface StartTracingOptions {
  /** Where the one warning about a collector that cannot be reached goes (default: nowhere). */
  warn?: (line: string) => void;
}
