/** `runner doctor` checks of this machine: Node, the `.env` file, the run store and the workflow files. */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RunnerConfig } from '../../config/config.ts';
import { formatDiagnostic } from '../../shared/errors.ts';
import { redactUrl } from '../queue-context.ts';
import { type CheckResult, fail, ok, reason, warn } from './check.ts';
import { withRedis } from '../redis-probe.ts';

/** Diagnostics shown under the workflows check; `runner validate` lists them all. */
const MAX_DETAILS = 20;

/** The oldest Node the runner supports (the bin entry refuses older ones). */
const MIN_NODE = [22, 22] as const;

/** Node's version against {@link MIN_NODE}. */
export function checkNode(version = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return ok('node', `Node ${version}`);
  return fail('node', `Node ${version} is too old`, 'install Node 22.22 or newer (24 LTS recommended), or run `. scripts/env.sh`');
}

/** Whether settings can come from a `.env` in the working folder (a warning when there is none). */
export function checkDotEnv(cwd: string): CheckResult {
  const file = join(cwd, '.env');
  if (existsSync(file)) return ok('.env', `${file} found`);
  return warn('.env', `no .env in ${cwd}: settings come from the environment only`, 'copy .env.example to .env (`runner init` writes one)');
}

/** The run store `runner runs` reads: RUNNER_DB opens, or the Redis store answers. */
export async function checkRunStore(config: RunnerConfig): Promise<CheckResult> {
  if (config.store === 'redis') {
    const why = config.storeSource === 'auto' ? 'REDIS_URL is set' : 'RUNNER_STORE=redis';
    try {
      const { openRedisRunStore } = await import('../../runs/redis-store.ts');
      await withRedis(config.redisUrl, 2000, async (redis) => {
        const store = openRedisRunStore({ redis, prefix: config.queue.prefix, retentionMs: config.queue.retentionMs });
        await store.list({ limit: 1 });
      });
      return ok('run store', `the Redis store at ${redactUrl(config.redisUrl)} (prefix ${config.queue.prefix}) answers (${why})`);
    } catch (error) {
      return fail(
        'run store',
        `the Redis store at ${redactUrl(config.redisUrl)} does not answer (${why}): ${reason(error)}`,
        'start Redis, correct REDIS_URL, or set RUNNER_STORE=sqlite',
      );
    }
  }
  const path = config.dbPath;
  if (!existsSync(path)) {
    const folder = nearestExisting(dirname(resolve(path)));
    try {
      accessSync(folder, constants.W_OK);
      return ok('run store', `RUNNER_DB ${path} does not exist yet; the first run creates it`);
    } catch {
      return fail('run store', `RUNNER_DB ${path} cannot be created: ${folder} is not writable`, 'point RUNNER_DB at a writable place');
    }
  }
  try {
    const { openSqliteRunStore } = await import('../../runs/sqlite-store.ts');
    const store = openSqliteRunStore(path);
    try {
      await store.list({ limit: 1 });
    } finally {
      await store.close();
    }
    return ok('run store', `RUNNER_DB ${path} opens`);
  } catch (error) {
    return fail('run store', `RUNNER_DB ${path} does not open: ${reason(error)}`, 'move the file aside or point RUNNER_DB elsewhere');
  }
}

/** The workflow files of RUNNER_WORKFLOWS, through the same validation as `runner validate`. */
export async function checkWorkflows(config: RunnerConfig): Promise<CheckResult> {
  const { validatePaths } = await import('../commands/validate.ts');
  let results: Awaited<ReturnType<typeof validatePaths>>;
  try {
    results = await validatePaths([]);
  } catch (error) {
    return warn('workflows', reason(error), `add workflows to ${config.workflowsDir} (\`runner init\` writes an example) or set RUNNER_WORKFLOWS`);
  }
  const invalid = results.filter((r) => !r.workflow);
  const files = `${results.length} file${results.length === 1 ? '' : 's'} in ${config.workflowsDir}`;
  if (!invalid.length) return ok('workflows', `${files} valid`);
  const all = invalid.flatMap((r) => r.diagnostics.map(formatDiagnostic));
  const details = all.length > MAX_DETAILS ? [...all.slice(0, MAX_DETAILS), `… and ${all.length - MAX_DETAILS} more`] : all;
  return fail('workflows', `${invalid.length} of ${files} invalid`, 'fix the errors below (`runner validate` lists them too)', details);
}

/** The closest folder on the way up from `folder` that exists. */
function nearestExisting(folder: string): string {
  let current = folder;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}
