/**
 * The Agents SDK's spans as OpenTelemetry spans, through the SDK's `TracingProcessor` interface: each SDK span of a
 * prompt step (the agent, its task and turns, every model request, every function call) becomes a span of the
 * attempt's trace, under its SDK parent or, at the top, under the step in progress. The attempt is found through
 * the active context, so the SDK's own traces (one per `Runner.run`) are not exported as such. Spans outside any
 * attempt are left alone. Prompts, answers and tool payloads go on spans only with RUNNER_TRACE_CONTENT=on.
 */
import {
  BatchTraceProcessor,
  type FunctionSpanData,
  type GenerationSpanData,
  OpenAITracingExporter,
  type ResponseSpanData,
  type Span as SdkSpan,
  type SpanData,
  setTraceProcessors,
  type TracingProcessor,
} from '@openai/agents';
import { type Attributes, type Span, SpanStatusCode } from '@opentelemetry/api';
import { ATTR, defined } from './trace-attributes.ts';
import { type AttemptSpans, currentAttempt } from './trace-attempt.ts';
import { contentAttributes } from './trace-content.ts';

/** Maps SDK spans to spans of the attempt they happen in. */
export class AgentsSpanProcessor implements TracingProcessor {
  readonly #open = new WeakMap<SdkSpan<SpanData>, { attempt: AttemptSpans; span: Span }>();

  async onTraceStart(): Promise<void> {}

  async onTraceEnd(): Promise<void> {}

  async onSpanStart(sdk: SdkSpan<SpanData>): Promise<void> {
    const attempt = currentAttempt();
    const data = sdk.spanData;
    // The SDK's task span wraps one Runner.run, which is the step already: its children go under the step.
    if (!attempt || attempt.ended || data.type === 'task') return;
    const attributes: Attributes = defined({ [ATTR.stepId]: attempt.step?.id, ...startAttributes(data) });
    const retry = isModelRequest(data) ? attempt.pendingRetry : undefined;
    if (retry) {
      attempt.pendingRetry = undefined;
      Object.assign(attributes, defined({ [ATTR.retry]: retry.attempt, [ATTR.httpStatus]: retry.status, [ATTR.retryDelay]: retry.delayMs }));
    }
    const span = attempt.startSpan(spanName(data, attempt), attempt.parentOf(sdk.parentId), attributes);
    attempt.sdkSpans.set(sdk.spanId, span);
    this.#open.set(sdk, { attempt, span });
  }

  async onSpanEnd(sdk: SdkSpan<SpanData>): Promise<void> {
    const open = this.#open.get(sdk);
    if (!open) return;
    this.#open.delete(sdk);
    const { attempt, span } = open;
    if (!span.isRecording()) return;
    const data = sdk.spanData;
    if (isModelRequest(data)) {
      const model = modelRequest(data, attempt);
      span.updateName(`chat ${model.attributes[ATTR.requestModel] ?? ''}`.trim());
      span.setAttributes(model.attributes);
      span.setAttributes(contentAttributes(attempt.content, attempt.redact, { [ATTR.inputMessages]: model.input, [ATTR.outputMessages]: model.output }));
    } else if (data.type === 'function' && !attempt.merged.has(sdk.spanId)) {
      // A call the gateway did not see (the SDK refused it first): the SDK's own view is all there is.
      const fn = data as FunctionSpanData;
      span.setAttributes(
        contentAttributes(attempt.content, attempt.redact, { [ATTR.toolArgs]: fn.input || undefined, [ATTR.toolResult]: fn.output || undefined }),
      );
    }
    if (sdk.error) span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.redact(sdk.error.message) });
    span.end();
  }

  async shutdown(): Promise<void> {
    // The OpenTelemetry provider owns the export; `flushTracing` sends what is pending.
  }

  async forceFlush(): Promise<void> {}
}

/**
 * Makes `processor` the SDK's trace processor. OpenAI's own exporter stays beside it only when `openai` is true
 * (RUNNER_TRACING=on and the model is OpenAI itself); it goes second, so the attempt's spans are mapped first.
 */
export function installAgentsProcessor(processor: TracingProcessor, openai: boolean): void {
  setTraceProcessors(openai ? [processor, new BatchTraceProcessor(new OpenAITracingExporter())] : [processor]);
}

function isModelRequest(data: SpanData): data is GenerationSpanData | ResponseSpanData {
  return data.type === 'generation' || data.type === 'response';
}

function spanName(data: SpanData, attempt: AttemptSpans): string {
  switch (data.type) {
    case 'agent':
      return `invoke_agent ${data.name}`;
    case 'function':
      return `execute_tool ${data.name}`;
    case 'generation':
    case 'response':
      // Renamed with the model that answered once the request ends.
      return `chat ${attempt.model ?? ''}`.trim();
    case 'turn':
      return `turn ${data.turn}`;
    default:
      return 'name' in data && typeof data.name === 'string' ? `${data.type} ${data.name}` : data.type;
  }
}

function startAttributes(data: SpanData): Record<string, string | number | undefined> {
  switch (data.type) {
    case 'agent':
      return { [ATTR.operation]: 'invoke_agent', [ATTR.agentName]: data.name };
    case 'function':
      return { [ATTR.operation]: 'execute_tool', [ATTR.toolName]: data.name };
    case 'generation':
    case 'response':
      return { [ATTR.operation]: 'chat', [ATTR.provider]: 'openai' };
    case 'turn':
      return { [ATTR.turn]: data.turn };
    default:
      return {};
  }
}

/** What a finished model request says: model, tokens, response id, and what went in and out (for content). */
function modelRequest(data: GenerationSpanData | ResponseSpanData, attempt: AttemptSpans): { attributes: Attributes; input: unknown; output: unknown } {
  if (data.type === 'generation') {
    // Chat Completions: the raw completion is the output's first item.
    const completion = data.output?.[0] as {
      model?: string;
      usage?: { prompt_tokens?: number; completion_tokens?: number };
      choices?: Array<{ message?: unknown }>;
    };
    return {
      attributes: defined({
        [ATTR.requestModel]: data.model ?? attempt.model,
        [ATTR.responseModel]: completion?.model,
        [ATTR.inputTokens]: data.usage?.input_tokens ?? completion?.usage?.prompt_tokens,
        [ATTR.outputTokens]: data.usage?.output_tokens ?? completion?.usage?.completion_tokens,
      }),
      input: data.input,
      output: completion?.choices ? completion.choices.map((c) => c.message) : data.output,
    };
  }
  const response = data._response as { model?: string; usage?: { input_tokens?: number; output_tokens?: number }; output?: unknown } | undefined;
  return {
    attributes: defined({
      [ATTR.requestModel]: attempt.model ?? response?.model,
      [ATTR.responseModel]: response?.model,
      [ATTR.responseId]: data.response_id,
      [ATTR.inputTokens]: response?.usage?.input_tokens,
      [ATTR.outputTokens]: response?.usage?.output_tokens,
    }),
    input: data._input,
    output: response?.output,
  };
}
