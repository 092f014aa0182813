/**
 * The project's error taxonomy, in one place. Each class says who is at fault:
 * - {@link UserError}: the person's input (a workflow file, a flag): exit 2, no stack trace, never retried.
 * - {@link ExternalError}: something outside (model, tool backend, Redis): typed, with `cause`, maybe retryable.
 * - anything else is our own bug and keeps its stack trace.
 */

/** Base of every error the project raises on purpose. */
export class RunnerError extends Error {
  /** Stable machine-readable kind. */
  readonly kind: string;
  constructor(kind: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
  }
}

/** A mistake in what the user gave us: shown as one line, exit code 2. */
export class UserError extends RunnerError {
  constructor(message: string, options?: ErrorOptions & { kind?: string }) {
    super(options?.kind ?? 'usage', message, options);
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
    super(diagnostics.map(formatDiagnostic).join('\n'), { kind: 'validation' });
    this.diagnostics = diagnostics;
  }
}

/** A failure of something outside the process. `retryable` tells the queue whether another attempt may help. */
export class ExternalError extends RunnerError {
  readonly retryable: boolean;
  constructor(kind: string, message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(kind, message, options);
    this.retryable = options?.retryable ?? true;
  }
}

/** `path:line:col: message`, the format every validation error is printed in. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}
