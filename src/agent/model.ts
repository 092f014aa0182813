/**
 * Model providers: OpenAI itself (Responses API) or any OpenAI-compatible server at OPENAI_BASE_URL (Chat
 * Completions unless RUNNER_OPENAI_API=responses), with transient failures retried by the Agents SDK's own
 * retry machinery under the runner's policy.
 */
import { answerByteLimit, boundedFetch } from './bounded-fetch.ts';
import { ModelTimeoutError, OpenAIChatCompletionsModel, OpenAIResponsesModel, type Model, type ModelSettings, type RetryPolicyContext } from '@openai/agents';
import OpenAI from 'openai';
import type { RunnerConfig } from '../config/config.ts';
import { formatDuration } from '../shared/duration.ts';
import { ExternalError, UserError } from '../shared/errors.ts';

/** Longest Retry-After the runner waits; a server asking for more (within the run's deadline) is tried again after this. */
const MAX_RETRY_AFTER_MS = 60_000;
/** HTTP statuses worth another attempt. */
const TRANSIENT_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

/** A model ready for an Agent, with the settings that carry its retry policy. */
export interface ModelChoice {
  model: Model;
  /** Model name as configured. */
  name: string;
  api: 'chat' | 'responses';
  settings: ModelSettings;
}

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** Told before each retry (for the run record's retry count). */
  onRetry?: (context: RetryPolicyContext) => void;
  /** The run's signal: once it aborts nothing is retried. */
  signal?: AbortSignal;
  /**
   * When the run must end (ms since the epoch: its start plus limits.timeout). A server asking (Retry-After) to wait
   * past it fails the request at once instead of sleeping into the timeout (default: no deadline).
   */
  deadline?: number;
  /** Clock for the deadline (default Date.now). */
  now?: () => number;
}

/** Which API a configuration talks: auto means Responses for OpenAI itself, Chat Completions for other servers. */
export function modelApi(config: RunnerConfig): 'chat' | 'responses' {
  if (config.openai.api !== 'auto') return config.openai.api;
  return config.openai.baseUrl ? 'chat' : 'responses';
}

/** Throws the one-line error a run without any model configuration gets. */
export function requireModelConfig(config: RunnerConfig): void {
  if (!config.openai.apiKey && !config.openai.baseUrl) {
    throw new UserError(
      'no model configured: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (an OpenAI-compatible server such as Ollama or vLLM), in the environment or .env',
    );
  }
  const base = config.openai.baseUrl;
  if (base !== undefined && !/^https?:$/.test(URL.parse(base)?.protocol ?? '')) {
    throw new UserError(`OPENAI_BASE_URL '${base}' is not an http(s) URL; give the server's API root, like http://127.0.0.1:11434/v1`);
  }
}

/** One client per configuration: a worker's runs share it (building one costs ~0.4 ms, and it holds nothing per run). */
const clients = new WeakMap<RunnerConfig, OpenAI>();

/** The OpenAI client of `config`, made on first use. */
function clientFor(config: RunnerConfig): OpenAI {
  let client = clients.get(config);
  if (!client) {
    client = new OpenAI({
      // Local servers (Ollama, vLLM) take any key; the client insists on one.
      apiKey: config.openai.apiKey ?? 'not-needed',
      baseURL: config.openai.baseUrl,
      // Retries belong to the SDK's policy below, so they are counted and bounded in one place.
      maxRetries: 0,
      // The SDK's own per-call timeout (below) fires first; this only backs it up.
      timeout: config.openai.timeoutMs + 5_000,
      // An answer is read only up to a bound, so a runaway one cannot take the process's memory.
      fetch: namingFetch(boundedFetch(answerByteLimit(config.openai.maxOutputChars)), config),
    });
    clients.set(config, client);
  }
  return client;
}

/** Builds the model a run uses. */
export function createModel(config: RunnerConfig, name: string, options: CreateModelOptions = {}): ModelChoice {
  requireModelConfig(config);
  const client = clientFor(config);
  const api = modelApi(config);
  const model = api === 'chat' ? new OpenAIChatCompletionsModel(client as never, name) : new OpenAIResponsesModel(client as never, name);
  const settings: ModelSettings = {
    timeoutMs: config.openai.timeoutMs,
    retry: {
      maxRetries: config.openai.retries,
      backoff: { initialDelayMs: 1000, maxDelayMs: 30_000, multiplier: 2, jitter: true },
      policy: (context) => {
        if (options.signal?.aborted) return false;
        const { statusCode, retryAfterMs, isNetworkError, isAbort } = context.normalized;
        const { error } = context;
        const transient =
          error instanceof ModelTimeoutError ||
          // An answer that could not be read or held nothing (see ObservedModel).
          (error instanceof ExternalError && error.kind === 'model' && error.retryable) ||
          isNetworkError ||
          (statusCode !== undefined && TRANSIENT_STATUS.has(statusCode)) ||
          (isAbort && !options.signal?.aborted && statusCode === undefined);
        if (!transient) return false;
        if (retryAfterMs !== undefined && options.deadline !== undefined) {
          const left = options.deadline - (options.now ?? Date.now)();
          if (retryAfterMs > left) throw waitPastDeadline(retryAfterMs, left, statusCode, error);
        }
        options.onRetry?.(context);
        // Requests carry the whole conversation (no server-side state), so replaying one is safe.
        return { retry: true, approveUnsafeReplay: true, ...(retryAfterMs !== undefined ? { delayMs: Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) } : {}) };
      },
    },
  };
  return { model, name, api, settings };
}

/** Connection errors as people say them, by errno or undici code. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
};

/**
 * A fetch whose connection failures name the model server tried and the setting that chose it
 * (`cannot reach the model at http://127.0.0.1:1/v1 (OPENAI_BASE_URL): connection refused`); the SDK wraps the
 * error as a connection error, which stays retryable, and the engine reports this message (see classifyFailure).
 */
function namingFetch(inner: typeof fetch, config: RunnerConfig): typeof fetch {
  return async (input, init) => {
    try {
      return await inner(input, init);
    } catch (error) {
      if (init?.signal?.aborted || (error as { name?: unknown } | undefined)?.name === 'AbortError') throw error;
      if (error instanceof ExternalError) throw error;
      throw new ExternalError('model', `cannot reach the model at ${modelServer(config)}: ${connectionProblem(error)}`, { retryable: true, cause: error });
    }
  };
}

/** The model server as messages name it: its API root without credentials, and the setting that chose it. */
export function modelServer(config: RunnerConfig): string {
  const base = config.openai.baseUrl;
  if (!base) return 'https://api.openai.com/v1 (OpenAI, OPENAI_API_KEY)';
  const url = URL.parse(base);
  if (url) {
    url.username = '';
    url.password = '';
  }
  return `${url ? url.href.replace(/\/$/, '') : base} (OPENAI_BASE_URL)`;
}

/** `connection refused`, `host not found`… from a fetch error's code (or its cause's), else its first line. */
function connectionProblem(error: unknown): string {
  let current = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
  let innermost = current;
  for (let depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === 'string') return UNREACHABLE[current.code] ?? current.code;
    innermost = current;
    current = current.cause as typeof current;
  }
  // fetch refuses some ports outright (1, 25, 6000...) with `fetch failed` caused by `bad port`.
  const text = typeof innermost?.message === 'string' ? innermost.message : String(error);
  if (text === 'bad port') return 'fetch refuses to connect to this port (a blocked port); use another one';
  // A URL's credentials stay out of the message (fetch quotes the URL it refused).
  return (text.split('\n')[0] ?? text).replace(/\/\/[^/@\s]*@/g, '//');
}

/** The failure of a request whose server asked to wait longer than the run has left: it fails now, not at the timeout. */
function waitPastDeadline(retryAfterMs: number, leftMs: number, status: number | undefined, cause: unknown): ExternalError {
  const wait = `${Math.ceil(retryAfterMs / 1000)} s`;
  const left = leftMs > 0 ? `the ${formatDuration(leftMs)} left of limits.timeout` : 'the end of limits.timeout, already reached';
  return new ExternalError('model', `the model server asked to wait ${wait} (Retry-After${status ? `, HTTP ${status}` : ''}), beyond ${left}`, {
    retryable: true,
    ...(status !== undefined ? { status } : {}),
    cause,
  });
}
