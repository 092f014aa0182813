/**
 * The spans of one run attempt while it goes on: its root, the step in progress, the Agents SDK's spans mapped so
 * far. It rides in the OpenTelemetry context the attempt runs in, which is how the SDK's processor, called deep
 * inside a prompt step, finds the attempt its spans belong to.
 */
import { type Attributes, type Context, context, createContextKey, type Span, trace, type Tracer } from '@opentelemetry/api';
import type { Redactor } from '../shared/redact.ts';

/** A model request retry announced by the engine, waiting for the request that repeats the failed one. */
export interface PendingRetry {
  /** Which retry it is, 1-based. */
  attempt: number;
  /** HTTP status of the failed request, when there was one. */
  status?: number;
  /** How long the runner waited before retrying, ms. */
  delayMs?: number;
}

/** Options of {@link AttemptSpans}. */
export interface AttemptSpansOptions {
  /** Makes the attempt's spans. */
  tracer: Tracer;
  /** The attempt's root span (its own trace). */
  root: Span;
  /** Whether spans carry prompts, answers and tool payloads (RUNNER_TRACE_CONTENT). */
  content: boolean;
  /** The run's redactor, applied to every content value. */
  redact: Redactor;
}

const ATTEMPT_KEY = createContextKey('confluence-runner run attempt');

/** One attempt's spans. */
export class AttemptSpans {
  /** Makes the attempt's spans. */
  readonly tracer: Tracer;
  /** The root span: `run <workflow>`. */
  readonly root: Span;
  /** Whether spans carry content (RUNNER_TRACE_CONTENT). */
  readonly content: boolean;
  /** The run's redactor. */
  readonly redact: Redactor;
  /** The step in progress, with its id. */
  step?: { id: string; span: Span };
  /** The run's model (from `run_start`), for model requests whose span data does not name it. */
  model?: string;
  /** The retry the next model request of the step is. */
  pendingRetry?: PendingRetry;
  /** OpenTelemetry spans of the SDK's spans, by the SDK's span id. */
  readonly sdkSpans = new Map<string, Span>();
  /** SDK function spans a gateway call was merged into (one call each; more become child spans). */
  readonly merged = new Set<string>();
  #ended = false;

  constructor(options: AttemptSpansOptions) {
    this.tracer = options.tracer;
    this.root = options.root;
    this.content = options.content;
    this.redact = options.redact;
  }

  /** The context to run the attempt in: the root span active, and this attempt findable by {@link currentAttempt}. */
  context(base: Context): Context {
    return trace.setSpan(base, this.root).setValue(ATTEMPT_KEY, this);
  }

  /** Where a new span goes: under the SDK span `sdkParent` when it is known, else the step in progress, else the root. */
  parentOf(sdkParent?: string | null): Span {
    return (sdkParent ? this.sdkSpans.get(sdkParent) : undefined) ?? this.step?.span ?? this.root;
  }

  /** Starts a span under `parent`. */
  startSpan(name: string, parent: Span, attributes: Attributes, startTime?: number): Span {
    return this.tracer.startSpan(name, { attributes, ...(startTime === undefined ? {} : { startTime }) }, trace.setSpan(context.active(), parent));
  }

  /** Ends what is still open (the step, SDK spans, the root); safe to call twice. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const span of this.sdkSpans.values()) if (span.isRecording()) span.end();
    if (this.step?.span.isRecording()) this.step.span.end();
    this.root.end();
  }

  /** True once {@link end} ran. */
  get ended(): boolean {
    return this.#ended;
  }
}

/** The attempt whose context is active, if any. */
export function currentAttempt(): AttemptSpans | undefined {
  return context.active().getValue(ATTEMPT_KEY) as AttemptSpans | undefined;
}
