/** Turns whatever ended a step into a {@link RunFailure}: who is at fault, and whether retrying may help. */
import { MaxTurnsExceededError, ModelBehaviorError, ModelTimeoutError } from '@openai/agents';
import { APIConnectionError } from 'openai';
import type { RunFailure } from '../runs/types.ts';
import { ExternalError, RunnerError, UserError } from '../shared/errors.ts';
import type { Redactor } from '../shared/redact.ts';

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

/** Classifies an error thrown while a step ran. `signal` is the run's: when it aborted, its reason wins. */
export function classifyFailure(error: unknown, step: string | undefined, signal: AbortSignal, redact: Redactor): RunFailure {
  const at = step ? { step } : {};
  if (signal.aborted && signal.reason instanceof StopReason) return { ...signal.reason.failure, ...at };
  if (error instanceof StepFailure) return { ...error.failure, ...at };
  if (error instanceof MaxTurnsExceededError) {
    return { kind: 'limit', message: `the model used all its turns (limits.max_turns) without a final answer`, retryable: false, ...at };
  }
  if (error instanceof ModelTimeoutError) return { kind: 'model', message: `the model did not answer in time: ${firstLine(error)}`, retryable: true, ...at };
  if (error instanceof ModelBehaviorError) return { kind: 'model', message: redact(`the model misbehaved: ${error.message}`), retryable: true, ...at };
  if (error instanceof UserError) return { kind: 'validation', message: redact(error.message), retryable: false, ...at };
  if (error instanceof ExternalError)
    return { kind: error.kind === 'model' ? 'model' : 'tool', message: redact(error.message), retryable: error.retryable, ...at };
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') {
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return { kind: 'model', message: redact(`the model server answered HTTP ${status}: ${firstLine(error)}`), retryable, ...at };
  }
  const name = (error as Error)?.name ?? '';
  // The openai client's connection errors are named plain 'Error' and say only "Connection error.".
  if (
    error instanceof APIConnectionError ||
    /APIConnection|Timeout|FetchError/.test(name) ||
    /ECONNREFUSED|ECONNRESET|fetch failed|socket hang up/i.test(String((error as Error)?.message))
  ) {
    return { kind: 'model', message: redact(`cannot reach the model server: ${firstLine(error)}`), retryable: true, ...at };
  }
  return { kind: 'internal', message: redact(`internal error: ${firstLine(error)}`), retryable: false, ...at };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
