/**
 * Run attempts as traces: a {@link RunObserver} that gives each attempt a trace of its own, whose root span is
 * active while the attempt runs, and turns the attempt's events into spans: one per step, one per tool call. Model
 * requests and the agent's loop come from the Agents SDK's spans (`agents-processor.ts`), which find their step
 * through the active context. In queue mode the root links to the BullMQ job span that was active when the attempt
 * started: the job's trace (enqueue → process, across retries) and each attempt's trace point at each other.
 */
import { getCurrentSpan } from '@openai/agents';
import { type Attributes, context, isSpanContextValid, type Link, type Span, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { RunEvent, RunEventOf } from '../runs/events.ts';
import type { AttemptOrigin, RunObserver } from '../runs/observer.ts';
import type { Redactor } from '../shared/redact.ts';
import { ATTR, defined } from './trace-attributes.ts';
import { AttemptSpans } from './trace-attempt.ts';
import { contentAttributes } from './trace-content.ts';

/** Options of {@link runSpans}. */
export interface RunSpansOptions {
  /** Makes the spans. */
  tracer: Tracer;
  /** Whether spans carry prompts, answers and tool payloads (RUNNER_TRACE_CONTENT; default false). */
  content?: boolean;
  /** The run's redactor, applied to every content value. */
  redact: Redactor;
}

/** The observer that traces attempts. */
export function runSpans(options: RunSpansOptions): RunObserver {
  return (origin) => {
    const active = context.active();
    const job = jobAttributes(origin);
    const jobSpan = trace.getSpanContext(active);
    const links: Link[] = jobSpan && isSpanContextValid(jobSpan) ? [{ context: jobSpan, attributes: job }] : [];
    // A trace per attempt: the root starts a new trace even under the job's span, and only links to it.
    // Named after the workflow once the attempt starts; a job already names it.
    const root = options.tracer.startSpan(
      origin.job ? `run ${origin.job.name}` : 'run',
      { root: true, links, attributes: { [ATTR.source]: origin.source, ...job } },
      active,
    );
    const attempt = new AttemptSpans({ tracer: options.tracer, root, content: options.content === true, redact: options.redact });
    const totals = { inputTokens: 0, outputTokens: 0, retries: 0, toolCalls: 0 };
    return {
      onEvent: (event) => record(attempt, totals, event),
      async within<T>(run: () => Promise<T>): Promise<T> {
        try {
          return await context.with(attempt.context(active), run);
        } catch (error) {
          // The attempt never reached its end: the engine refused to start it (bad inputs, no model).
          if (!attempt.ended) {
            root.setStatus({ code: SpanStatusCode.ERROR, message: options.redact((error as Error).message ?? String(error)) });
            root.setAttribute(ATTR.errorType, (error as Error).name ?? 'Error');
          }
          throw error;
        } finally {
          attempt.end();
        }
      },
    };
  };
}

interface Totals {
  inputTokens: number;
  outputTokens: number;
  retries: number;
  toolCalls: number;
}

function jobAttributes(origin: AttemptOrigin): Attributes {
  if (!origin.job) return {};
  return { [ATTR.jobId]: origin.job.id, [ATTR.jobName]: origin.job.name, [ATTR.jobAttempt]: origin.job.attempt };
}

function record(attempt: AttemptSpans, totals: Totals, event: RunEvent): void {
  if (attempt.ended) return;
  switch (event.type) {
    case 'run_start': {
      const { run } = event;
      attempt.model = run.model;
      attempt.root.updateName(`run ${run.workflow}`);
      attempt.root.setAttributes({
        [ATTR.runId]: run.id,
        [ATTR.workflow]: run.workflow,
        [ATTR.attempt]: event.attempt,
        [ATTR.trigger]: run.trigger.type,
        [ATTR.mode]: run.mode,
        [ATTR.backend]: run.backend,
        [ATTR.requestModel]: run.model,
      });
      return;
    }
    case 'step_start': {
      if (attempt.step?.span.isRecording()) attempt.step.span.end();
      const { step } = event;
      const attributes = { [ATTR.stepId]: step.id, [ATTR.stepKind]: step.kind, [ATTR.stepIndex]: event.index };
      attempt.step = { id: step.id, span: attempt.startSpan(`step ${step.id}`, attempt.root, attributes) };
      attempt.pendingRetry = undefined;
      return;
    }
    case 'model_retry': {
      const retry = { attempt: event.attempt, status: event.status, delayMs: event.delayMs };
      attempt.pendingRetry = retry;
      totals.retries += 1;
      attempt.step?.span.addEvent('model_retry', defined({ [ATTR.retry]: retry.attempt, [ATTR.httpStatus]: retry.status, [ATTR.retryDelay]: retry.delayMs }));
      return;
    }
    case 'tool_end':
      totals.toolCalls += 1;
      toolCall(attempt, event);
      return;
    case 'step_end':
      endStep(attempt, totals, event);
      return;
    case 'run_end': {
      const { run } = event;
      attempt.root.setAttributes({
        [ATTR.status]: run.status,
        [ATTR.inputTokens]: totals.inputTokens,
        [ATTR.outputTokens]: totals.outputTokens,
        [ATTR.retries]: totals.retries,
        [ATTR.toolCalls]: totals.toolCalls,
      });
      if (run.status === 'failed') {
        attempt.root.setStatus({ code: SpanStatusCode.ERROR, message: run.error?.message });
        if (run.error) attempt.root.setAttribute(ATTR.errorType, run.error.kind);
      }
      attempt.end();
      return;
    }
    default:
      // turn (usage is on the model request spans) and tool_start (a call's span is made when it ended, with its times).
      return;
  }
}

function endStep(attempt: AttemptSpans, totals: Totals, { step }: RunEventOf<'step_end'>): void {
  const open = attempt.step?.id === step.id ? attempt.step.span : undefined;
  if (!open) return;
  totals.inputTokens += step.usage?.inputTokens ?? 0;
  totals.outputTokens += step.usage?.outputTokens ?? 0;
  open.setAttributes(
    defined({
      [ATTR.stepStatus]: step.status,
      [ATTR.requestModel]: step.model,
      [ATTR.turns]: step.turns,
      [ATTR.retries]: step.modelRetries,
      [ATTR.inputTokens]: step.usage?.inputTokens,
      [ATTR.outputTokens]: step.usage?.outputTokens,
      [ATTR.toolCalls]: step.toolCalls.length,
      [ATTR.errorType]: step.error?.kind,
    }),
  );
  open.setAttributes(contentAttributes(attempt.content, attempt.redact, { [ATTR.prompt]: step.prompt, [ATTR.output]: step.output }));
  if (step.status === 'failed') open.setStatus({ code: SpanStatusCode.ERROR, message: step.error?.message });
  open.end();
  attempt.step = undefined;
}

/**
 * A tool call's span. A call the model asked for runs inside the SDK's function span, which becomes the call's span
 * (one span per call, named after the tool); inner calls of a meta tool, tool steps and calls a hosted provider made
 * get a span of their own, timed as the gateway measured them.
 */
function toolCall(attempt: AttemptSpans, { step, call }: RunEventOf<'tool_end'>): void {
  const sdk = getCurrentSpan();
  const attributes: Attributes = {
    ...defined({
      [ATTR.operation]: 'execute_tool',
      [ATTR.toolName]: call.tool,
      [ATTR.effect]: call.effect,
      [ATTR.toolStatus]: call.status,
      [ATTR.toolDuration]: call.durationMs,
      [ATTR.stepId]: step,
      [ATTR.via]: call.via,
      [ATTR.turn]: call.turn,
      [ATTR.errorType]: call.failure?.kind,
    }),
    ...contentAttributes(attempt.content, attempt.redact, { [ATTR.toolArgs]: call.args, [ATTR.toolResult]: call.result ?? call.error }),
  };
  const name = `execute_tool ${call.tool}`;
  const own = sdk && sdk.spanData.type === 'function' && !call.via && !attempt.merged.has(sdk.spanId) ? attempt.sdkSpans.get(sdk.spanId) : undefined;
  if (own?.isRecording()) {
    attempt.merged.add(sdk!.spanId);
    own.updateName(name);
    own.setAttributes(attributes);
    setToolStatus(own, call.status, call.error);
    return;
  }
  const started = Date.parse(call.startedAt);
  const start = Number.isNaN(started) ? Date.now() - call.durationMs : started;
  const span = attempt.startSpan(name, attempt.parentOf(sdk?.spanId), attributes, start);
  setToolStatus(span, call.status, call.error);
  span.end(start + call.durationMs);
}

function setToolStatus(span: Span, status: string, error: string | undefined): void {
  if (status === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: error });
}
