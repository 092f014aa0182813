/**
 * A model decorator that watches every request of a step: counts turns, sums token usage (also of runs that
 * end in an error, which the SDK's result would lose), remembers the function calls the model asked for (the
 * gateway records refusals of tools the model was never offered), and lets a hook hold requests back (the
 * shared rate limit in queue mode).
 */
import type { Model, ModelRequest, ModelResponse } from '@openai/agents';
import type { TokenUsage } from '../runs/types.ts';

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
  name: string;
  args: unknown;
  turn: number;
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

  constructor(inner: Model, options: ObservedModelOptions = {}) {
    this.inner = inner;
    this.options = options;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    await this.options.beforeRequest?.(request.signal);
    const response = await this.inner.getResponse(request);
    this.#observe(response);
    return response;
  }

  async *getStreamedResponse(request: ModelRequest) {
    await this.options.beforeRequest?.(request.signal);
    for await (const event of this.inner.getStreamedResponse(request)) {
      if (event.type === 'response_done') this.#observe({ usage: event.response.usage as never, output: event.response.output as never });
      yield event;
    }
  }

  getRetryAdvice(args: Parameters<NonNullable<Model['getRetryAdvice']>>[0]) {
    return this.inner.getRetryAdvice?.(args);
  }

  #observe(response: Pick<ModelResponse, 'usage' | 'output'>): void {
    this.turns += 1;
    const usage: TokenUsage = {
      requests: 1,
      inputTokens: response.usage?.inputTokens ?? 0,
      outputTokens: response.usage?.outputTokens ?? 0,
    };
    this.usage.requests += 1;
    this.usage.inputTokens += usage.inputTokens;
    this.usage.outputTokens += usage.outputTokens;
    for (const item of response.output ?? []) {
      if (item.type === 'function_call') {
        const args = parseJson(item.arguments);
        this.calls.set(item.callId, { name: item.name, args, turn: this.turns });
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
