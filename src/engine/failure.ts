/**
 * Turns whatever ended a step into a {@link RunFailure}: who is at fault, and whether retrying may help. Decisions
 * read types and fields (error classes, HTTP status, errno codes), never the wording of a message. Messages are
 * recorded as they are; the run store's boundary redacts secrets from them.
 */
import { MaxTurnsExceededError, ModelBehaviorError, ModelTimeoutError } from '@openai/agents';
import { APIConnectionError } from 'openai';
import type { RunFailure } from '../runs/types.ts';
import { ExternalError, RunnerError, UserError } from '../shared/errors.ts';

/** Why the engine aborted a run's signal (the reason given to `AbortController.abort`). */
export class StopReason extends Error {
  readonly failure: RunFailure;
  constructor(failure: RunFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

/** A failure the engine found itself (an assertion, an output mismatch), carried as an error to the step's end. */
export class StepFailure extends RunnerError {
  readonly failure: RunFailure;
  constructor(failure: RunFailure) {
    super(failure.kind, failure.message);
    this.failure = failure;
  }
}

/** HTTP statuses of a model server worth another attempt. */
const TRANSIENT_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

/** Errno and undici codes of a connection that failed or dropped: the server may answer next time. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Classifies an error thrown while a step ran. `signal` is the run's: when it aborted, its reason wins. */
export function classifyFailure(error: unknown, step: string | undefined, signal: AbortSignal): RunFailure {
  const at = step ? { step } : {};
  if (signal.aborted && signal.reason instanceof StopReason) return { ...signal.reason.failure, ...at };
  if (error instanceof StepFailure) return { ...error.failure, ...at };
  if (error instanceof MaxTurnsExceededError) {
    return { kind: 'limit', message: `the model used all its turns (limits.max_turns) without a final answer`, retryable: false, ...at };
  }
  if (error instanceof ModelTimeoutError) return { kind: 'model', message: `the model did not answer in time: ${firstLine(error)}`, retryable: true, ...at };
  if (error instanceof ModelBehaviorError) return { kind: 'model', message: `the model misbehaved: ${error.message}`, retryable: true, ...at };
  if (error instanceof UserError) return { kind: 'validation', message: error.message, retryable: false, ...at };
  if (error instanceof ExternalError) return { kind: error.kind, message: error.message, retryable: error.retryable, ...at };
  const status = (error as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number') {
    return {
      kind: 'model',
      message: `the model server answered HTTP ${status}: ${firstLine(error)}`,
      retryable: TRANSIENT_STATUS.has(status) || status >= 500,
      ...at,
    };
  }
  if (error instanceof APIConnectionError || networkCode(error) !== undefined) {
    // The model's fetch names the server it tried (see createModel); the SDK wraps that error as its cause.
    const named = externalCause(error);
    if (named) return { kind: named.kind, message: named.message, retryable: named.retryable, ...at };
    return { kind: 'model', message: `cannot reach the model server: ${firstLine(error)}`, retryable: true, ...at };
  }
  return { kind: 'internal', message: `internal error: ${firstLine(error)}`, retryable: false, ...at };
}

/** The first {@link ExternalError} among an error's causes. */
function externalCause(error: unknown): ExternalError | undefined {
  let current = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof ExternalError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The network code of an error or of one of its causes (fetch wraps the socket's error in `cause`). */
function networkCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
