/** HTTP errors of the emulated API, and their v1 / v2 body shapes. */
import { StoreError } from '../store/errors.ts';

/** v2 error codes and titles by status. */
const V2: Record<number, [string, string]> = {
  400: ['INVALID_REQUEST_PARAMETER', 'Bad Request'],
  401: ['UNAUTHORIZED', 'Unauthorized'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not Found'],
  405: ['METHOD_NOT_ALLOWED', 'Method Not Allowed'],
  409: ['CONFLICT', 'Conflict'],
  413: ['PAYLOAD_TOO_LARGE', 'Payload Too Large'],
  429: ['TOO_MANY_REQUESTS', 'Too Many Requests'],
  500: ['INTERNAL_SERVER_ERROR', 'Internal Server Error'],
  503: ['SERVICE_UNAVAILABLE', 'Service Unavailable'],
};

/** An error answer: status, v2 code and a human message (used as the v2 title when `title` is unset). */
export class HttpError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** v2 error code (default by status). */
  readonly code: string;
  /** v2 title override (default: the status's reason phrase, or the message for 400/409). */
  readonly title: string | undefined;
  /** Extra headers (Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, options: { code?: string; title?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = options.code ?? V2[status]?.[0] ?? 'ERROR';
    this.title = options.title;
    this.headers = options.headers ?? {};
  }
}

/** Shorthand for a 400 INVALID_REQUEST_PARAMETER. */
export function badParam(message: string): HttpError {
  return new HttpError(400, message, { code: 'INVALID_REQUEST_PARAMETER' });
}

/** Shorthand for a 400 INVALID_REQUEST_BODY. */
export function badBody(message: string): HttpError {
  return new HttpError(400, message, { code: 'INVALID_REQUEST_BODY' });
}

/** Shorthand for a 404. */
export function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`);
}

/** Maps any thrown value onto an HttpError (store errors by kind; anything else is a 500). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof StoreError) {
    const status = { not_found: 404, conflict: 409, invalid: 400, duplicate: 400 }[err.kind];
    return new HttpError(status, err.message, { code: status === 400 ? 'INVALID_REQUEST_BODY' : undefined });
  }
  return new HttpError(500, err instanceof Error ? err.message : String(err));
}

/** `{"errors":[{status,code,title,detail}]}` as v2 answers. */
export function v2ErrorBody(err: HttpError): unknown {
  const reason = V2[err.status]?.[1] ?? 'Error';
  const title = err.title ?? (err.status === 400 || err.status === 409 ? err.message : reason);
  return { errors: [{ status: err.status, code: err.code, title, detail: title === err.message ? null : err.message }] };
}

/** `{statusCode,data,message,reason}` as v1 answers. */
export function v1ErrorBody(err: HttpError): unknown {
  const reason = V2[err.status]?.[1] ?? 'Error';
  return {
    statusCode: err.status,
    data: { authorized: err.status !== 401 && err.status !== 403, valid: false, errors: [{ message: { key: err.message, args: [] } }], successful: false },
    message: err.message,
    reason,
  };
}
