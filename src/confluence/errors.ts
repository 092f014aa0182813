/**
 * Errors raised while talking to Confluence: an HTTP answer that is not a success, a transport failure, or a
 * tool-level refusal (a space key that resolves to nothing). All are {@link ExternalError}s; none carries credentials.
 */
import { ExternalError } from '../shared/errors.ts';

/** Options describing one failed HTTP exchange. */
export interface ConfluenceHttpErrorInit {
  /** HTTP method of the request. */
  method: string;
  /** API path of the request, without the site root or query string (e.g. `/wiki/api/v2/pages/123`). */
  path: string;
  /** HTTP status code of the answer. */
  status: number;
  /** Parsed JSON body of the answer, or its text when not JSON (undefined when empty). */
  body: unknown;
  /** Milliseconds the server asked us to wait (from `Retry-After`), if it said. */
  retryAfterMs?: number;
  /** Scrubs secrets from the readable detail (a server might echo them). Default: identity. */
  redact?: (text: string) => string;
}

/** A non-2xx answer from Confluence. Retryable for 429 and 5xx. */
export class ConfluenceHttpError extends ExternalError {
  /** HTTP status code. */
  declare readonly status: number;
  /** Machine-readable code from the body (v2 `errors[0].code`, v1 `reason`), if any. */
  readonly code: string | undefined;
  /** Parsed body of the answer. */
  readonly body: unknown;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** API path of the failed request (no query string). */
  readonly path: string;
  /** The readable part of the body (v2 `errors[]` titles and details, v1 `message`). */
  readonly detail: string;
  /** Milliseconds the server asked us to wait before retrying, if it said. */
  readonly retryAfterMs: number | undefined;
  constructor(init: ConfluenceHttpErrorInit) {
    const { code, detail: raw } = readErrorBody(init.body, init.status);
    const detail = init.redact ? init.redact(raw) : raw;
    super('tool', `Confluence ${init.method} ${init.path} answered ${init.status}: ${detail}`, {
      retryable: init.status === 429 || init.status >= 500,
      status: init.status,
    });
    this.code = code;
    this.body = init.body;
    this.method = init.method;
    this.path = init.path;
    this.detail = detail;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The request never got an answer: connection refused, reset, DNS failure or timeout. */
export class ConfluenceNetworkError extends ExternalError {
  /** True when our own `timeoutMs` elapsed (as opposed to a transport failure). */
  readonly timedOut: boolean;
  constructor(message: string, options: { cause?: unknown; timedOut?: boolean } = {}) {
    super('tool', message, { cause: options.cause, retryable: true });
    this.timedOut = options.timedOut ?? false;
  }
}

/** A tool could not run for a reason Confluence itself did not report (e.g. an unknown space key). */
export class ConfluenceToolError extends ExternalError {
  constructor(message: string) {
    super('tool', message, { retryable: false });
  }
}

const MAX_DETAIL = 500;

/** Extracts a code and a readable sentence from a v2 (`errors[]`) or v1 (`message`) error body. */
export function readErrorBody(body: unknown, status: number): { code: string | undefined; detail: string } {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (Array.isArray(b.errors) && b.errors.length > 0) {
      const parts = b.errors.map((e: unknown) => {
        const x = (e ?? {}) as Record<string, unknown>;
        const title = typeof x.title === 'string' ? x.title : '';
        const det = typeof x.detail === 'string' ? x.detail : '';
        return [title, det].filter(Boolean).join(': ') || String(x.code ?? 'error');
      });
      const first = b.errors[0] as Record<string, unknown>;
      return { code: typeof first?.code === 'string' ? first.code : undefined, detail: clip(parts.join('; ')) };
    }
    if (typeof b.message === 'string' && b.message) {
      return { code: typeof b.reason === 'string' ? b.reason : undefined, detail: clip(b.message) };
    }
  }
  if (typeof body === 'string' && body.trim()) return { code: undefined, detail: clip(body.trim()) };
  return { code: undefined, detail: `HTTP ${status}` };
}

function clip(s: string): string {
  return s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL)}…` : s;
}
