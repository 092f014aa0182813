/**
 * What a run reports as it goes: one typed event map. Producers (the lifecycle, the gateway, prompt steps) emit
 * into a run's {@link RunEvents}; the attempt's record, the CLI's progress printer and the worker's log subscribe.
 * Every payload is redacted once, before any listener sees it, so no subscriber has to think about secrets.
 */
import type { Redactor } from '../shared/redact.ts';
import type { RunRecord, StepRecord, TokenUsage, ToolCallRecord } from './types.ts';

/** Events by name, with their payloads. */
export interface RunEventMap {
  /** An attempt began (`attempt` is 1-based). */
  run_start: { run: RunRecord; attempt: number };
  step_start: { step: StepRecord; index: number; total: number };
  /** A model answer arrived; `usage` is that answer's. */
  turn: { step: string; turn: number; usage: TokenUsage };
  /** A model request failed transiently and is retried. */
  model_retry: { step: string; attempt: number; status?: number; delayMs?: number };
  tool_start: { step: string; tool: string; args: unknown; turn?: number; via?: string };
  /** A tool call ended (or was refused, simulated, journaled); `links` are web links to content a write changed. */
  tool_end: { step: string; call: ToolCallRecord; links: string[] };
  step_end: { step: StepRecord };
  /** The attempt ended; `run` is the record as stored. */
  run_end: { run: RunRecord };
}

/** An event's name. */
export type RunEventType = keyof RunEventMap;

/** One event: its name in `type`, with its payload. */
export type RunEvent = { [K in RunEventType]: { type: K } & RunEventMap[K] }[RunEventType];

/** The event of one name. */
export type RunEventOf<K extends RunEventType> = Extract<RunEvent, { type: K }>;

/** Receives events; a listener that throws is ignored (progress output must never break a run). */
export type RunEventListener = (event: RunEvent) => void;

/** Options of {@link RunEvents}. */
export interface RunEventsOptions {
  /** Applied to every payload before listeners see it (default: none). */
  redact?: Redactor;
}

/** One run's event channel. */
export class RunEvents {
  readonly #redact: Redactor;
  readonly #byType = new Map<RunEventType, Set<(event: RunEvent) => void>>();
  readonly #any = new Set<RunEventListener>();

  constructor(options: RunEventsOptions = {}) {
    this.#redact = options.redact ?? (<T>(value: T) => value);
  }

  /** Listens to one kind of event; returns the function that stops listening. */
  on<K extends RunEventType>(type: K, listener: (event: RunEventOf<K>) => void): () => void {
    let set = this.#byType.get(type);
    if (!set) this.#byType.set(type, (set = new Set()));
    const wrapped = listener as (event: RunEvent) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Listens to every event; returns the function that stops listening. */
  onAny(listener: RunEventListener): () => void {
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }

  /** Sends an event to its listeners (redacted once, only when someone listens). */
  emit<K extends RunEventType>(type: K, payload: RunEventMap[K]): void {
    const typed = this.#byType.get(type);
    if (!typed?.size && this.#any.size === 0) return;
    const event = this.#redact({ type, ...payload }) as unknown as RunEvent;
    for (const listener of [...(typed ?? []), ...this.#any]) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own business.
      }
    }
  }
}
