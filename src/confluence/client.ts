/**
 * A thin `fetch` client for the Confluence Cloud REST API (v2 under `/wiki/api/v2`, v1 under `/wiki/rest/api`).
 * It owns auth, JSON, query encoding, bounded retries that honour `Retry-After`, timeouts and typed errors;
 * it knows nothing about tools.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ConfluenceHttpError, ConfluenceNetworkError } from './errors.ts';
import { backoffDelay, isRetryable, parseRetryAfter } from './retry.ts';

/** Which REST API a path belongs to. */
export type ConfluenceApi = 'v2' | 'v1';

/** One query parameter value; arrays become repeated keys, null/undefined are left out. */
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/** Query parameters of a request. */
export type Query = Record<string, QueryValue>;

/** Options of {@link ConfluenceClient}. */
export interface ConfluenceClientOptions {
  /** Site root, e.g. `https://example.atlassian.net` or a sandbox URL; a trailing `/wiki` is tolerated. Required. */
  baseUrl: string;
  /** Account email for HTTP Basic auth. Required. */
  email: string;
  /** API token for HTTP Basic auth; never appears in any error or message. Required. */
  apiToken: string;
  /** The fetch implementation. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Retries after the first attempt for retryable failures (429, 503; other 5xx and transport failures on reads). Default: 4. */
  maxRetries?: number;
  /** Longest single wait between attempts; a `Retry-After` longer than this is not waited out but reported. Default: 60000. */
  maxRetryDelayMs?: number;
  /** Per-attempt timeout in milliseconds. Default: 30000. */
  timeoutMs?: number;
  /** Waits between attempts; injectable so tests record delays instead of waiting. Default: a timer that honours the signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One request to Confluence. */
export interface RequestSpec {
  /** `v2` (`/wiki/api/v2`) or `v1` (`/wiki/rest/api`). */
  api: ConfluenceApi;
  /** HTTP method. Default: GET. */
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the API root, already encoded (build it with {@link apiPath}). */
  path: string;
  /** Query parameters. */
  query?: Query;
  /** JSON body. */
  body?: unknown;
  /** Aborts the request and any wait between retries. */
  signal?: AbortSignal;
}

const API_ROOT: Record<ConfluenceApi, string> = { v2: '/wiki/api/v2', v1: '/wiki/rest/api' };

/** Tagged template that percent-encodes every interpolated value: apiPath`/pages/${id}/labels`. */
export function apiPath(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

/** Encodes query parameters, repeating the key for each array element. */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Thin REST client over `fetch`; see {@link ConfluenceClientOptions}. */
export class ConfluenceClient {
  /** The site root every path is appended to (no trailing slash, no `/wiki`). */
  readonly baseUrl: string;
  readonly #authorization: string;
  readonly #secrets: readonly string[];
  readonly #fetch: typeof fetch;
  readonly #maxRetries: number;
  readonly #maxRetryDelayMs: number;
  readonly #timeoutMs: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: ConfluenceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/wiki$/, '');
    const basic = Buffer.from(`${options.email}:${options.apiToken}`).toString('base64');
    this.#authorization = `Basic ${basic}`;
    this.#secrets = [options.apiToken, basic].filter((s) => s.length >= 4);
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#maxRetries = options.maxRetries ?? 4;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  }

  /** Replaces the API token (and the Basic credential) wherever it appears in `text` with `***`. */
  redact(text: string): string {
    return this.#secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  }

  /** GET a JSON resource. */
  get<T = unknown>(api: ConfluenceApi, path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ api, method: 'GET', path, query, signal });
  }

  /** Sends one request (retrying when allowed) and resolves to the parsed JSON body, or undefined when empty. */
  async request<T = unknown>(spec: RequestSpec): Promise<T> {
    const method = spec.method ?? 'GET';
    const apiPathname = API_ROOT[spec.api] + spec.path;
    const url = this.baseUrl + apiPathname + encodeQuery(spec.query);
    const headers: Record<string, string> = { Authorization: this.#authorization, Accept: 'application/json' };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    // v1 rejects writes without this header (XSRF protection).
    if (spec.api === 'v1' && method !== 'GET') headers['X-Atlassian-Token'] = 'no-check';
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);

    for (let attempt = 0; ; attempt++) {
      spec.signal?.throwIfAborted();
      let failure: ConfluenceHttpError | ConfluenceNetworkError;
      let waitMs: number | undefined;
      try {
        const { response, parsed } = await this.#send(url, { method, headers, body }, spec.signal);
        if (response.ok) return parsed as T;
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        failure = new ConfluenceHttpError({ method, path: apiPathname, status: response.status, body: parsed, retryAfterMs, redact: (t) => this.redact(t) });
        if (!isRetryable(method, response.status)) throw failure;
        waitMs = retryAfterMs;
      } catch (error) {
        if (!(error instanceof ConfluenceNetworkError)) throw error;
        failure = error;
        if (!isRetryable(method, 'network')) throw failure;
      }
      if (attempt >= this.#maxRetries) throw failure;
      // Never retry sooner than asked; if the server wants longer than we are willing to wait, report instead.
      if (waitMs !== undefined && waitMs > this.#maxRetryDelayMs) throw failure;
      await this.#sleep(waitMs ?? backoffDelay(attempt, this.#maxRetryDelayMs), spec.signal);
    }
  }

  async #send(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<{ response: Response; parsed: unknown }> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await this.#fetch(url, { ...init, signal: combined });
      return { response, parsed: await readBody(response) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new ConfluenceNetworkError(`Confluence did not answer within ${this.#timeoutMs} ms`, { cause: error, timedOut: true });
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ConfluenceNetworkError(`could not reach Confluence at ${this.baseUrl}: ${reason}`, { cause: error });
    }
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
