import { execFile, spawn } from 'node:child_process';
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

/** A CLI process left running (a server), with what it printed so far. */
export interface RunningCli {
  /** What `ready` matched. */
  match: RegExpExecArray;
  stdout(): string;
  stderr(): string;
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** How long {@link spawnCli} waits for its `ready` pattern before it stops the process and fails. */
const READY_TIMEOUT_MS = 20_000;

/**
 * Starts `node src/cli/main.ts ...args` and resolves once `ready` matches its stdout plus stderr; rejects when it
 * exits first. Stop it (in a finally or an after hook) with `stop()`.
 */
export function spawnCli(args: readonly string[], options: RunCliOptions & { ready: RegExp }): Promise<RunningCli> {
  const child = spawn(process.execPath, [`${ROOT}src/cli/main.ts`, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`runner ${args.join(' ')} printed no ${options.ready} within ${READY_TIMEOUT_MS} ms: ${stdout}${stderr}`));
    }, READY_TIMEOUT_MS);
    const check = () => {
      const match = options.ready.exec(stdout + stderr);
      if (!match) return;
      clearTimeout(timer);
      resolve({ match, stdout: () => stdout, stderr: () => stderr, stop });
    };
    child.stdout.on('data', (c) => {
      stdout += c;
      check();
    });
    child.stderr.on('data', (c) => {
      stderr += c;
      check();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`runner ${args.join(' ')} exited (${code}) before it was ready: ${stderr}`));
    });
  });
}
