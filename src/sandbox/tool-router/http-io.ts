import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** JSON in and out for the tool-router endpoints, errors in the contract's `{error: {message, code, status}}` shape. */

/** Largest request body accepted (1 MiB). */
const MAX_BODY_BYTES = 1 << 20;

/** A request the router refuses; carries the HTTP status and the contract's numeric error code. */
export class RouterHttpError extends Error {
  readonly status: number;
  readonly code: number;
  readonly suggestedFix: string | undefined;
  readonly errors: string[] | undefined;
  constructor(status: number, code: number, message: string, extra: { suggestedFix?: string; errors?: string[] } = {}) {
    super(message);
    this.name = 'RouterHttpError';
    this.status = status;
    this.code = code;
    this.suggestedFix = extra.suggestedFix;
    this.errors = extra.errors;
  }
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes an error answer in the contract's error-body shape. */
export function sendError(res: ServerResponse, error: RouterHttpError): void {
  sendJson(res, error.status, {
    error: {
      message: error.message,
      code: error.code,
      status: error.status,
      request_id: randomUUID(),
      ...(error.suggestedFix ? { suggested_fix: error.suggestedFix } : {}),
      ...(error.errors ? { errors: error.errors } : {}),
    },
  });
}

/** Reads and parses a JSON body (empty body → `{}`); a malformed one is a 400. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RouterHttpError(413, 10413, `Request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RouterHttpError(400, 10400, `Request body is not valid JSON: ${(error as Error).message}`);
  }
}
