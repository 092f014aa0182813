import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { chatCompletion, chatCompletionChunks } from './chat-api.ts';
import { HostedMcpError, runHostedMcpCalls } from './hosted-mcp.ts';
import { sendMalformed } from './malformed.ts';
import { headerRecord, openAiError, readBody, sendFault, sendJson, sendSse } from './openai-http.ts';
import { SlidingWindowLimiter } from './rate-window.ts';
import { buildRequestView } from './request-view.ts';
import { responseEvents, responseObject, responseOutput } from './responses-api.ts';
import type { IdSource, ModelRequestView, ResolvedAnswer, Script, ScriptedFailure, ScriptedTurn, ScriptedUsage } from './scripted-model-types.ts';

export type {
  MalformedAnswer,
  ModelRequestView,
  Script,
  ScriptedFailure,
  ScriptedFault,
  ScriptedMalformed,
  ScriptedHostedMcpCall,
  ScriptedToolCall,
  ScriptedTurn,
  ScriptedUsage,
} from './scripted-model-types.ts';

/**
 * A scripted LLM on loopback speaking the OpenAI HTTP API (Chat Completions and Responses, plain and streamed),
 * used by tests and benchmarks in place of OpenAI: the real `openai` client and Agents SDK run against it unchanged.
 */

/** Options of {@link startScriptedModelServer}. */
export interface ScriptedModelServerOptions {
  /** What to answer: a list indexed by `request.turn` (500 "script exhausted" past its end), or a function per request. */
  script: Script;
  /** Delay before every answer to a model request, ms (default 0). */
  latencyMs?: number;
  /** Answer 429 with Retry-After once more than `perMinute` requests arrive within a sliding 60 s window (default: unlimited). */
  rateLimit?: { perMinute: number };
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401 (default: no check). */
  apiKey?: string;
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1; `runner model serve --host` may widen it). */
  host?: string;
}

/** A model request as recorded: its view, arrival time and the status it was answered with. */
export interface RecordedRequest extends ModelRequestView {
  /** Arrival time, ms since the epoch. */
  at: number;
  /** HTTP status answered; 0 while unanswered (a hang), 499 when the client went away first. */
  status: number;
}

/** A running scripted model server. */
export interface ScriptedModelServer {
  /** Base URL to give the OpenAI client, ending in /v1 (on 127.0.0.1 when bound to every interface). */
  readonly url: string;
  /** Base URL of the address actually bound, ending in /v1 (equals {@link url} on loopback). */
  readonly boundUrl: string;
  /** Every model request received (chat and responses, faulted ones too), in arrival order. */
  readonly requests: RecordedRequest[];
  /** The next `count` requests get this fault (or malformed answer) instead of their scripted answer. */
  failNext(count: number, fault: ScriptedFailure): void;
  /** Every request gets this fault (or malformed answer) until called again with undefined (a model outage). */
  setOutage(fault: ScriptedFailure | undefined): void;
  /** Replaces the script. */
  setScript(script: Script): void;
  /** Stops listening, ends hung requests; safe to call twice. */
  close(): Promise<void>;
}

/** A turn calling one function tool. */
export function toolCall(name: string, args: Record<string, unknown> = {}, id?: string): ScriptedTurn {
  return { toolCalls: [id === undefined ? { name, arguments: args } : { name, arguments: args, id }] };
}

/** A final answer in plain text. */
export function finalText(text: string): ScriptedTurn {
  return { text };
}

/** A final answer carrying `value` as JSON text (for structured output). */
export function finalJson(value: unknown): ScriptedTurn {
  return { text: JSON.stringify(value) };
}

/** Starts a scripted model server on 127.0.0.1. */
export async function startScriptedModelServer(options: ScriptedModelServerOptions): Promise<ScriptedModelServer> {
  let script = options.script;
  let outage: ScriptedFailure | undefined;
  const queued: ScriptedFailure[] = [];
  const requests: RecordedRequest[] = [];
  const limiter = options.rateLimit ? new SlidingWindowLimiter(options.rateLimit.perMinute) : undefined;
  const closing = new AbortController();
  const hung = new Set<ServerResponse>();
  const counters = new Map<string, number>();
  const ids: IdSource = (prefix) => {
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    return `${prefix}_${n}`;
  };

  /** The fault a request gets before its script is consulted: auth, bad body, rate limit, outage, failNext. */
  function gate(record: RecordedRequest): ScriptedFailure | undefined {
    if (options.apiKey !== undefined && record.headers.authorization !== `Bearer ${options.apiKey}`) {
      return { status: 401, message: 'Incorrect API key provided.' };
    }
    if (!isRecord(record.body)) return { status: 400, message: 'We could not parse the JSON body of your request: expected a JSON object.' };
    const retryAfterSeconds = limiter?.take();
    if (retryAfterSeconds !== undefined) {
      return { status: 429, retryAfterSeconds, message: `Rate limit reached: ${options.rateLimit?.perMinute} requests per minute.` };
    }
    return outage ?? queued.shift();
  }

  async function pickTurn(record: RecordedRequest): Promise<ScriptedTurn> {
    const current = script;
    if (typeof current === 'function') return await current(record);
    return current[record.turn] ?? { fault: { status: 500, message: `Script exhausted: no turn ${record.turn} (the script has ${current.length}).` } };
  }

  async function resolve(
    turn: Exclude<ScriptedTurn, { fault: unknown } | { malformed: unknown } | { hang: true }>,
    record: RecordedRequest,
  ): Promise<ResolvedAnswer> {
    const text = 'text' in turn ? turn.text : undefined;
    const toolCalls = ('toolCalls' in turn ? turn.toolCalls : []).map((c) => ({
      callId: c.id ?? ids('call'),
      name: c.name,
      arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}),
    }));
    let hostedItems: Array<Record<string, unknown>> = [];
    if ('hostedMcpCalls' in turn) {
      if (record.api !== 'responses')
        throw new HostedMcpError(400, 'hostedMcpCalls turns need the Responses API (hosted MCP tools do not exist in Chat Completions).');
      hostedItems = await runHostedMcpCalls({ calls: turn.hostedMcpCalls, tools: record.tools, input: record.body.input, ids, signal: closing.signal });
    }
    const usage = turn.usage ?? estimateUsage(record.body, text, toolCalls);
    return { ...(text !== undefined ? { text } : {}), toolCalls, hostedItems, usage };
  }

  /** Waits the configured latency, then writes the answer unless the client or the server went away meanwhile. */
  async function answer(res: ServerResponse, record: RecordedRequest, status: number, write: () => void): Promise<void> {
    if (options.latencyMs) await sleep(options.latencyMs, undefined, { signal: closing.signal }).catch(() => undefined);
    if (res.destroyed || closing.signal.aborted) return;
    record.status = status;
    write();
  }

  async function handleModelRequest(req: IncomingMessage, res: ServerResponse, api: 'chat' | 'responses', path: string): Promise<void> {
    const headers = headerRecord(req);
    const text = await readBody(req);
    const record: RecordedRequest = Object.assign(buildRequestView({ api, path, headers }, parseJson(text)), { at: Date.now(), status: 0 });
    requests.push(record);
    res.on('close', () => {
      hung.delete(res);
      if (record.status === 0 && !closing.signal.aborted) record.status = 499;
    });
    const replyHeaders = { 'x-request-id': ids('req') };
    const fail = (fault: ScriptedFailure) =>
      'malformed' in fault
        ? answer(res, record, 200, () =>
            sendMalformed(
              res,
              fault.malformed,
              { api, stream: record.stream, body: isRecord(record.body) ? record.body : {}, ids, model: record.model },
              replyHeaders,
            ),
          )
        : answer(res, record, fault.status, () => sendFault(res, fault, replyHeaders));
    const fault = gate(record);
    if (fault) return fail(fault);
    let turn: ScriptedTurn;
    let resolved: ResolvedAnswer;
    try {
      turn = await pickTurn(record);
      if ('hang' in turn) return void hung.add(res);
      if ('fault' in turn) return fail(turn.fault);
      if ('malformed' in turn) return fail(turn);
      resolved = await resolve(turn, record);
    } catch (err) {
      const status = err instanceof HostedMcpError ? err.status : 500;
      return fail({ status, message: `Scripted model server: ${(err as Error).message}` });
    }
    await answer(res, record, 200, () => render(res, record, resolved, replyHeaders));
  }

  function render(res: ServerResponse, record: RecordedRequest, resolved: ResolvedAnswer, headers: Record<string, string>): void {
    const created = Math.floor(Date.now() / 1000);
    if (record.api === 'chat') {
      const ctx = { id: ids('chatcmpl'), model: record.model || 'scripted', created };
      if (record.stream) sendSse(res, chatCompletionChunks(resolved, ctx, record.body.stream_options?.include_usage === true), headers);
      else sendJson(res, 200, chatCompletion(resolved, ctx), headers);
      return;
    }
    const ctx = { id: ids('resp'), created, body: record.body, ids };
    const output = responseOutput(resolved, ids);
    if (record.stream) sendSse(res, responseEvents(ctx, output, resolved.usage), headers);
    else sendJson(res, 200, responseObject(ctx, output, resolved.usage), headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname.replace(/^\/v1(?=\/)/, '').replace(/\/+$/, '')}`;
    if (route === 'POST /chat/completions') return handleModelRequest(req, res, 'chat', url.pathname);
    if (route === 'POST /responses') return handleModelRequest(req, res, 'responses', url.pathname);
    if (route === 'GET /models') {
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) return sendFault(res, { status: 401 });
      return sendJson(res, 200, { object: 'list', data: [{ id: 'scripted', object: 'model', created: 0, owned_by: 'scripted-model-server' }] });
    }
    sendJson(res, 404, openAiError(404, `Invalid URL (${req.method} ${url.pathname})`));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, openAiError(500, `Scripted model server: ${err.message}`));
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const { port, address, family } = server.address() as AddressInfo;
  const hostPart = (a: string) => (family === 'IPv6' || a.includes(':') ? `[${a}]` : a);
  const local = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${hostPart(local)}:${port}/v1`,
    boundUrl: `http://${hostPart(address)}:${port}/v1`,
    requests,
    failNext(count, fault) {
      for (let i = 0; i < count; i++) queued.push(fault);
    },
    setOutage(fault) {
      outage = fault;
    },
    setScript(next) {
      script = next;
    },
    close() {
      closed ??= new Promise<void>((ok) => {
        closing.abort();
        server.close(() => ok());
        for (const res of hung) res.destroy();
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Estimated usage: a token per 4 characters of the conversation and tools in, of the text and calls out. */
function estimateUsage(body: Record<string, any>, text: string | undefined, calls: ResolvedAnswer['toolCalls']): ScriptedUsage {
  const inputChars = JSON.stringify(body.messages ?? body.input ?? null).length + JSON.stringify(body.tools ?? []).length;
  const outputChars = (text?.length ?? 0) + calls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return { inputTokens: Math.ceil(inputChars / 4), outputTokens: Math.ceil(outputChars / 4) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
