import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScriptedFault } from './scripted-model-types.ts';

/** HTTP plumbing shared by the scripted model server: bodies, JSON answers, OpenAI-shaped errors, SSE. */

/** Reads a request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Request headers as a plain record with lower-cased names (repeated headers joined with `, `). */
export function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes a fault as OpenAI does: `{error:{message,type,param,code}}`, plus `retry-after` when given. */
export function sendFault(res: ServerResponse, fault: ScriptedFault, headers: Record<string, string> = {}): void {
  const extra: Record<string, string> = { ...headers };
  if (fault.retryAfterSeconds !== undefined) extra['retry-after'] = String(fault.retryAfterSeconds);
  sendJson(res, fault.status, openAiError(fault.status, fault.message), extra);
}

/** OpenAI's error body for a status, with a default message, `type` and `code` matching the real API's. */
export function openAiError(status: number, message?: string): { error: { message: string; type: string; param: null; code: string | null } } {
  const known = ERROR_KINDS[status];
  const fallback = status >= 500 ? ERROR_KINDS[500]! : ERROR_KINDS[400]!;
  const kind = known ?? fallback;
  return { error: { message: message ?? kind.message, type: kind.type, param: null, code: kind.code } };
}

const ERROR_KINDS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'The request is invalid.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Access denied.' },
  404: { type: 'invalid_request_error', code: 'unknown_url', message: 'Unknown request URL.' },
  408: { type: 'server_error', code: 'timeout', message: 'The request timed out.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request.' },
  502: { type: 'server_error', code: 'bad_gateway', message: 'Bad gateway.' },
  503: { type: 'server_error', code: 'service_unavailable', message: 'The engine is currently overloaded, please try again later.' },
  504: { type: 'server_error', code: 'timeout', message: 'Gateway timeout.' },
};

/** One server-sent event: `data:` only (chat) or with an `event:` name (responses). */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Streams events as `text/event-stream` and ends the response. */
export function sendSse(res: ServerResponse, events: readonly SseEvent[], headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`);
  res.end();
}

/** Splits text into pieces of at most `size` characters, so clients see several deltas (one empty piece for ''). */
export function pieces(text: string, size = 16): string[] {
  if (text.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
