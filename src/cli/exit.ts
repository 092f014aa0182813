import { RunnerError, UserError } from '../shared/errors.ts';
import { err, paint, printable } from './output.ts';

/** Exit codes: 0 ok, 1 a run failed (or an internal error), 2 bad input or usage, 3 a run waits for approval. */
export const EXIT = { ok: 0, failed: 1, usage: 2, waiting: 3 } as const;

/** A finished command that wants a specific exit code without printing anything more. */
export class ExitCode extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/**
 * Prints an error the way its kind deserves and returns the exit code. User mistakes never show a stack trace.
 * Messages quote what people and servers sent (inputs, file contents, answers), so they are printed printable.
 */
export function reportError(error: unknown): number {
  if (error instanceof ExitCode) return error.code;
  if (error instanceof UserError) {
    for (const line of printable(error.message).split('\n')) err(`${paint('red', 'error:', process.stderr)} ${line}`);
    return EXIT.usage;
  }
  if (error instanceof RunnerError) {
    err(`${paint('red', 'error:', process.stderr)} ${printable(error.message)}`);
    return EXIT.failed;
  }
  err(`${paint('red', 'internal error', process.stderr)} (a bug in confluence-runner; please report it):`);
  err(printable(error instanceof Error ? (error.stack ?? error.message) : String(error)));
  return EXIT.failed;
}
