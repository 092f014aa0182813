/**
 * A model decorator that watches every request of a step: counts turns, sums token usage (also of runs that
 * end in an error, which the SDK's result would lose), remembers the function calls the model asked for (the
 * gateway records refusals of tools the model was never offered), and lets a hook hold requests back (the
 * shared rate limit in queue mode). It sees each answer before the SDK does: an answer that cannot be read or
 * holds nothing becomes a retryable `model` failure, decorated tool names are mapped to the offered tool, and
 * arguments that are not one JSON object are set aside for the gateway to refuse (see `tool-call-repair.ts`).
 */
import type { Model, ModelRequest, ModelResponse } from '@openai/agents';
import type { TokenUsage } from '../runs/types.ts';
import { ExternalError } from '../shared/errors.ts';
import { readArguments, replayableName, resolveToolName } from './tool-call-repair.ts';

/** Options of {@link ObservedModel}. */
export interface ObservedModelOptions {
  /** Awaited before each request (default: none). */
  beforeRequest?: (signal?: AbortSignal) => Promise<void>;
  /** Told after each answer, with the turn number (1-based) and that answer's usage. */
  onTurn?: (turn: number, usage: TokenUsage) => void;
  /** Told of each tool call the provider ran itself (hosted MCP), after the fact. */
  onHostedCall?: (call: HostedCall) => void;
}

/** A tool call the model provider ran on its side (hosted MCP). */
export interface HostedCall {
  name: string;
  args: unknown;
  output: unknown;
  error?: string;
  turn: number;
}

/** One function call the model asked for. */
export interface AskedCall {
  /** The tool's name as the SDK got it: the offered tool a decorated name meant, else a name safe to replay. */
  name: string;
  /** The name as the model wrote it, when it was not {@link name} (a decorated or unreplayable name). */
  askedAs?: string;
  args: unknown;
  turn: number;
}

/** A function call whose arguments were not one JSON object: the text as sent and what is wrong with it. */
export interface InvalidArguments {
  raw: string;
  problem: string;
}

/** Wraps a model; each prompt step gets its own instance. */
export class ObservedModel implements Model {
  readonly inner: Model;
  readonly options: ObservedModelOptions;
  /** Answers received so far. */
  turns = 0;
  /** Usage summed over every answer. */
  readonly usage: TokenUsage = { requests: 0, inputTokens: 0, outputTokens: 0 };
  /** Function calls by call id. */
  readonly calls = new Map<string, AskedCall>();
  /** Function calls whose arguments were not one JSON object, by call id (the SDK was handed `{}` instead). */
  readonly invalidArguments = new Map<string, InvalidArguments>();

  constructor(inner: Model, options: ObservedModelOptions = {}) {
    this.inner = inner;
    this.options = options;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    await this.options.beforeRequest?.(request.signal);
    let response: ModelResponse;
    try {
      response = await this.inner.getResponse(request);
    } catch (error) {
      throw unreadableAnswer(error) ?? error;
    }
    this.#observe(response, request);
    return response;
  }

  async *getStreamedResponse(request: ModelRequest) {
    await this.options.beforeRequest?.(request.signal);
    const events = this.inner.getStreamedResponse(request)[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: Awaited<ReturnType<typeof events.next>>;
        try {
          next = await events.next();
        } catch (error) {
          throw unreadableAnswer(error) ?? error;
        }
        if (next.done) return;
        const event = next.value;
        if (event.type === 'response_done') this.#observe({ usage: event.response.usage as never, output: event.response.output as never }, request);
        yield event;
      }
    } finally {
      await events.return?.();
    }
  }

  getRetryAdvice(args: Parameters<NonNullable<Model['getRetryAdvice']>>[0]) {
    return this.inner.getRetryAdvice?.(args);
  }

  #observe(response: Pick<ModelResponse, 'usage' | 'output' | 'providerData'>, request: ModelRequest): void {
    if (!response.output?.length) {
      throw new ExternalError('model', `the model server's answer holds no message and no tool call (${describeEmpty(response.providerData)})`, {
        retryable: true,
      });
    }
    this.turns += 1;
    const usage: TokenUsage = {
      requests: 1,
      inputTokens: response.usage?.inputTokens ?? 0,
      outputTokens: response.usage?.outputTokens ?? 0,
    };
    this.usage.requests += 1;
    this.usage.inputTokens += usage.inputTokens;
    this.usage.outputTokens += usage.outputTokens;
    const offered = request.tools.flatMap((t) => (t.type === 'function' ? [t.name] : []));
    for (const item of response.output) {
      if (item.type === 'function_call') {
        const asked = item.name;
        item.name = resolveToolName(asked, offered) ?? replayableName(asked, offered);
        const read = readArguments(item.arguments);
        if (read.ok) {
          // Normalised text (`{}` for empty arguments), so the SDK's own parse of it cannot fail.
          item.arguments = JSON.stringify(read.value);
        } else {
          // The SDK would answer a generic message and never call the tool: hand it an empty object, and let the
          // tool see (by call id) what was really sent, so the gateway records the refusal and tells the model why.
          this.invalidArguments.set(item.callId, { raw: item.arguments, problem: read.problem });
          item.arguments = '{}';
        }
        const args = read.ok ? read.value : (this.invalidArguments.get(item.callId)?.raw ?? '');
        this.calls.set(item.callId, { name: item.name, args, turn: this.turns, ...(asked !== item.name ? { askedAs: asked } : {}) });
      } else if (item.type === 'hosted_tool_call' && item.name === 'mcp_call') {
        const data = (item.providerData ?? {}) as { name?: string; arguments?: string; error?: unknown };
        this.options.onHostedCall?.({
          name: data.name ?? 'unknown',
          args: parseJson(data.arguments),
          output: parseJson(item.output),
          error: describeError(data.error),
          turn: this.turns,
        });
      }
    }
    this.options.onTurn?.(this.turns, usage);
  }
}

/**
 * The failure an error of the provider means when the server's answer could not be read: the OpenAI client and the
 * SDK parse the answer, so a SyntaxError is JSON or an event stream cut off or garbled, and a TypeError a body of
 * the wrong shape (`null`, an HTML page where JSON belongs). The request itself is sound (OPENAI_BASE_URL is checked
 * when the model is built), so another attempt may well get a good answer.
 */
function unreadableAnswer(error: unknown): ExternalError | undefined {
  if (!(error instanceof SyntaxError || error instanceof TypeError)) return undefined;
  const first = error.message.split('\n')[0] ?? '';
  return new ExternalError('model', `the model server's answer cannot be read: ${first.length > 200 ? `${first.slice(0, 200)}…` : first}`, {
    retryable: true,
    cause: error,
  });
}

/** What an answer without output items was, for the message: text where JSON belongs, or no choices. */
function describeEmpty(providerData: unknown): string {
  if (typeof providerData === 'string') {
    const text = providerData.replace(/\s+/g, ' ').trim();
    return `text instead of a completion: ${text.length > 80 ? `${text.slice(0, 80)}…` : text || '(empty)'}`;
  }
  const choices = (providerData as { choices?: unknown } | undefined)?.choices;
  if (Array.isArray(choices) && choices.length === 0) return 'a completion with no choices';
  return 'empty output';
}

/** A hosted call's error as text: the Responses API sends an object ({type, message} or {type, content}). */
function describeError(error: unknown): string | undefined {
  if (error === null || error === undefined) return undefined;
  if (typeof error === 'string') return error;
  const e = error as { message?: unknown; content?: unknown };
  if (typeof e.message === 'string') return e.message;
  const parts = Array.isArray(e.content)
    ? (e.content as Array<{ type?: string; text?: unknown }>).filter((c) => c?.type === 'text').map((c) => String(c.text))
    : [];
  return parts.length ? parts.join('\n') : JSON.stringify(error);
}

/** Parses JSON text, keeping text that is not JSON as it is (the record shows what was sent). */
function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
