import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from there, so diagnostics carry repo-relative paths. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** What one CLI process did. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Working folder (default: the repo root). */
  cwd?: string;
  /** Variables set on top of this process's environment (default: none). */
  env?: Record<string, string>;
}

/** Runs `node src/cli/main.ts ...args` as a child process in the repo root (no colour) and collects its output. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [`${ROOT}src/cli/main.ts`, ...args],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Asserting helper: no stack trace and no "internal error" in a user-facing stream. */
export function looksClean(text: string): boolean {
  return !/^\s{4}at /m.test(text) && !/internal error/i.test(text);
}
