/**
 * The project's error taxonomy, in one place. Each class says who is at fault:
 * - {@link UserError}: the person's input (a workflow file, a flag): exit 2, no stack trace, never retried.
 * - {@link ExternalError}: something outside (model, tool backend, Redis): typed, with `cause`, maybe retryable.
 * - anything else is our own bug and keeps its stack trace.
 *
 * An error's `kind` is the same closed union a run records as its failure kind, so an error becomes a recorded
 * failure without translation, and retry decisions read fields (`kind`, `retryable`, `status`), never message text.
 */

/**
 * Why something failed, who is at fault and what kind of retry may help:
 * - `validation`: what the person gave (workflow, inputs, flags, templates); never retried
 * - `model`: the model server or the model's answer
 * - `tool`: the tool backend or a tool's answer
 * - `auth`: a service refused the runner's credentials (HTTP 401); never retried, someone must fix the settings
 * - `limit`: a limit of the workflow (turns, tokens, time)
 * - `assertion`: a tool step's assertion did not hold
 * - `cancelled`: someone or something stopped the run
 * - `infrastructure`: what runs the runner (Redis, a worker that died, the job queue)
 * - `approval`: a person rejected a held call, or nobody decided in time
 * - `internal`: a bug in the runner
 */
export type FailureKind = 'validation' | 'model' | 'tool' | 'auth' | 'limit' | 'assertion' | 'cancelled' | 'infrastructure' | 'approval' | 'internal';

/** Every failure kind, for checks and tests. */
export const FAILURE_KINDS: readonly FailureKind[] = [
  'validation',
  'model',
  'tool',
  'auth',
  'limit',
  'assertion',
  'cancelled',
  'infrastructure',
  'approval',
  'internal',
];

/** Base of every error the project raises on purpose. */
export class RunnerError extends Error {
  /** Stable machine-readable kind, the same union as a recorded failure's. */
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
  }
}

/** A mistake in what the user gave us: shown as one line, exit code 2. */
export class UserError extends RunnerError {
  constructor(message: string, options?: ErrorOptions) {
    super('validation', message, options);
  }
}

/** One problem found in a workflow file, with its position (1-based line and column). */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** A workflow file (or several) failed validation; carries every diagnostic found. */
export class WorkflowInvalidError extends UserError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.diagnostics = diagnostics;
  }
}

/** Options of {@link ExternalError}. */
export interface ExternalErrorOptions extends ErrorOptions {
  /** Whether another attempt may help (default true: outside trouble is usually transient). */
  retryable?: boolean;
  /** The HTTP status the outside party answered with, when there was one. */
  status?: number;
}

/** A failure of something outside the process. `retryable` tells the queue whether another attempt may help. */
export class ExternalError extends RunnerError {
  readonly retryable: boolean;
  /** HTTP status, when the failure was an HTTP answer. */
  readonly status?: number;
  constructor(kind: 'model' | 'tool' | 'auth' | 'infrastructure', message: string, options?: ExternalErrorOptions) {
    super(kind, message, options);
    this.retryable = options?.retryable ?? true;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** `path:line:col: message`, the format every validation error is printed in. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}
