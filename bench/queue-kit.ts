/**
 * What the queue benchmarks share: a key prefix of their own per run (so they never touch a real runner's keys),
 * removal of every key under it afterwards, the queue-mode configuration and small statistics helpers.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { loadConfig, type RunnerConfig } from '../src/config/config.ts';
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { createBackendOpener } from '../src/backends/open.ts';
import type { BackendOpener } from '../src/backends/types.ts';
import { createSandboxLauncher } from '../src/sandbox/launcher.ts';
import type { ToolBackend } from '../src/backends/types.ts';

/** Redis the benchmarks use (REDIS_URL, else the local default). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A RUNNER_QUEUE_PREFIX used by this run only. */
export function benchPrefix(name: string): string {
  return `bench-${name}-${randomUUID().slice(0, 8)}`;
}

/** Queue-mode configuration on `prefix`, with the runs stored in Redis; `env` adds or overrides settings. */
export function queueConfig(cwd: string, prefix: string, env: Record<string, string> = {}): RunnerConfig {
  return loadConfig({
    cwd,
    env: { REDIS_URL, RUNNER_QUEUE_PREFIX: prefix, RUNNER_STORE: 'redis', RUNNER_MODEL: 'scripted', OPENAI_API_KEY: 'bench', ...env },
  });
}

/** Deletes every key under `prefix:` (SCAN + UNLINK); returns how many there were. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** The q-quantile (0..1) of `xs` by nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** Mean of `xs`. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Reads `name=value` arguments (e.g. `runs=640`) with numeric defaults. */
export function numericArgs<T extends Record<string, number>>(defaults: T): T {
  const out: Record<string, number> = { ...defaults };
  for (const arg of process.argv.slice(2)) {
    const [name, value] = arg.split('=');
    if (!name || value === undefined || !(name in defaults) || !Number.isFinite(Number(value))) {
      throw new Error(
        `unknown argument '${arg}' (use ${Object.keys(defaults)
          .map((k) => `${k}=N`)
          .join(' ')})`,
      );
    }
    out[name] = Number(value);
  }
  return out as T;
}

/**
 * What-if, not the runner's behaviour: runWorkflow with every run on one backend opened once (one MCP session for
 * all runs) instead of a session per run. For measuring what the per-run session costs.
 */
export function withSharedBackend(): { runWorkflow: typeof runWorkflow; close(): Promise<void> } {
  let shared: Promise<ToolBackend> | undefined;
  const opener = createBackendOpener({ sandbox: createSandboxLauncher() });
  const open: BackendOpener = async (config, options) => {
    shared ??= opener(config, options);
    return { ...(await shared), close: async () => {} };
  };
  return {
    runWorkflow: (workflow, options, deps) => runWorkflow(workflow, options, { ...deps, openBackend: open }),
    close: async () => (await shared)?.close(),
  };
}

/** The queue benchmarks' workflow: one prompt step whose scripted model calls two fast read tools, one per turn. */
export function readToolsWorkflow(name: string): string {
  return `version: 1
name: ${name}
tools:
  allow: [CONFLUENCE_GET_CURRENT_USER, CONFLUENCE_GET_SPACES]
prompt: "Run {{ run.id }}: say who you are and name one space."
`;
}
