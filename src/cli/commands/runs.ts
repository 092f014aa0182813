import { existsSync } from 'node:fs';
import { DEFAULT_LIST_LIMIT, MIN_ID_PREFIX, openSqliteRunStore } from '../../runs/sqlite-store.ts';
import type { Queue } from 'bullmq';
import type { RunnerConfig } from '../../config/config.ts';
import type { RunJobData } from '../../queue/payload.ts';
import type { RunFilter, RunRecord, RunStatus, RunStore, RunTrigger } from '../../runs/types.ts';
import { ExternalError, UserError } from '../../shared/errors.ts';
import { cliConfig } from '../context.ts';
import { formatRunStory, formatRunsTable, noRunsMessage, type RunsElsewhere, type Style } from '../format-run.ts';
import { err, out, outJson, paint } from '../output.ts';
import { redactUrl } from '../queue-context.ts';

/** Flags of `runner runs`. */
export interface RunsListFlags {
  workflow?: string;
  status?: RunStatus;
  /** Only runs started this way (checked against the choices by the parser). */
  trigger?: RunTrigger['type'];
  /** Only runs created at or after this time, as typed (ISO 8601). */
  since?: string;
  /** Positive integer as typed; default 20. */
  limit?: string;
  /** Close abandoned runs first. */
  repair?: boolean;
  json?: boolean;
}

/** Flags of `runner runs show`. */
export interface RunsShowFlags {
  json?: boolean;
}

const colour = (style: Style, text: string) => paint(style, text);

/**
 * Runs `fn` on the configured run store: the SQLite file (an absent file is an empty store: reading never creates
 * it), or the store every worker shares (and its queue) when RUNNER_STORE is redis, or auto with REDIS_URL set.
 */
export async function withStore<T>(fn: (store: RunStore | undefined, queue?: Queue<RunJobData>) => Promise<T>): Promise<T> {
  const config = cliConfig();
  if (config.store === 'redis') {
    const { openQueueContext } = await import('../queue-context.ts');
    const context = await openQueueContext(config).catch((error: unknown) => {
      if (config.storeSource !== 'auto' || !(error instanceof ExternalError)) throw error;
      throw new ExternalError('infrastructure', `${error.message}; RUNNER_STORE=sqlite reads RUNNER_DB instead`, { cause: error });
    });
    try {
      return await fn(context.store, context.queue);
    } finally {
      await context.close();
    }
  }
  const path = config.dbPath;
  if (!existsSync(path)) return fn(undefined);
  const store = openSqliteRunStore(path);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UserError(`--limit must be a positive whole number, not '${text}'`);
  return Number(text);
}

function parseSince(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '' || Number.isNaN(Date.parse(text))) {
    throw new UserError(`--since '${text}' is not a date; use an ISO time like 2026-11-27, 2026-11-27T09:00:00Z or 2026-11-27T10:00:00+01:00`);
  }
  return text;
}

/** Prints past runs, most recent first, as a table (or JSON records). */
export async function runsListCommand(flags: RunsListFlags): Promise<void> {
  const filter: RunFilter = {
    workflow: flags.workflow,
    status: flags.status,
    trigger: flags.trigger,
    since: parseSince(flags.since),
    limit: parseLimit(flags.limit),
  };
  const runs = await withStore(async (store, queue) => {
    if (!store) return [];
    if (flags.repair) await repair(store, queue, flags.json === true);
    return store.list(filter);
  });
  if (flags.json) outJson(runs);
  else if (runs.length === 0) out(noRunsMessage(filter, await runsElsewhere(cliConfig(), filter)));
  else for (const line of formatRunsTable(runs, { paint: colour })) out(line);
}

/** How long a look at the store RUNNER_STORE did not pick may take, in ms, before it is given up. */
const PEEK_TIMEOUT_MS = 1000;

/** How messages name the configured store and the other one, and the RUNNER_STORE value that picks the other. */
function storeNames(config: RunnerConfig): { here: string; there: string; store: 'sqlite' | 'redis' } {
  const sqlite = `RUNNER_DB (${config.dbPath})`;
  const redis = `Redis (${redactUrl(config.redisUrl)}, prefix ${config.queue.prefix})`;
  return config.store === 'redis' ? { here: redis, there: sqlite, store: 'sqlite' } : { here: sqlite, there: redis, store: 'redis' };
}

/** Runs matching `filter` in the store RUNNER_STORE did not pick (counted to just past a page), for an empty listing. */
async function runsElsewhere(config: RunnerConfig, filter: RunFilter): Promise<RunsElsewhere | undefined> {
  const found = await peekOtherStore(config, async (store) => (await store.list({ ...filter, limit: DEFAULT_LIST_LIMIT + 1 })).length);
  if (!found) return undefined;
  return { ...storeNames(config), count: Math.min(found, DEFAULT_LIST_LIMIT), more: found > DEFAULT_LIST_LIMIT };
}

/**
 * `read` on the store RUNNER_STORE did not pick: undefined when that store is absent (no RUNNER_DB file), fails,
 * or does not answer within {@link PEEK_TIMEOUT_MS}. A look never fails the command, creates no file and leaves no
 * connection open.
 */
async function peekOtherStore<T>(config: RunnerConfig, read: (store: RunStore) => Promise<T>): Promise<T | undefined> {
  return config.store === 'redis' ? peekSqlite(config.dbPath, read) : peekRedis(config, read);
}

async function peekSqlite<T>(path: string, read: (store: RunStore) => Promise<T>): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const store = openSqliteRunStore(path);
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  } catch {
    return undefined;
  }
}

async function peekRedis<T>(config: RunnerConfig, read: (store: RunStore) => Promise<T>): Promise<T | undefined> {
  const [{ withRedis }, { openRedisRunStore }] = await Promise.all([import('../redis-probe.ts'), import('../../runs/redis-store.ts')]);
  try {
    return await withRedis(
      config.redisUrl,
      PEEK_TIMEOUT_MS,
      async (redis) => {
        const store = openRedisRunStore({ redis, prefix: config.queue.prefix, retentionMs: config.queue.retentionMs });
        try {
          return await read(store);
        } finally {
          await store.close();
        }
      },
      'runner-cli-peek',
    );
  } catch {
    return undefined;
  }
}

/**
 * Closes runs no one will end: in SQLite, runs whose process on this machine is gone; in the shared store, runs
 * whose job is gone or ended. Says what it closed on stderr (stdout stays the listing).
 */
async function repair(store: RunStore, queue: Queue<RunJobData> | undefined, quiet: boolean): Promise<void> {
  const { RunLifecycle } = await import('../../runs/lifecycle.ts');
  const lifecycle = new RunLifecycle(store, { secrets: cliConfig().secrets });
  const closed = queue ? await (await import('../../queue/reaper.ts')).reapOrphans(queue, lifecycle) : await lifecycle.reapLocal();
  if (quiet) return;
  if (closed.length === 0) err('repair: no abandoned runs');
  for (const run of closed) err(`repair: closed run ${run.id} (${run.workflow}): ${run.error?.message ?? ''}`);
}

/**
 * The run with this id (or a unique prefix of it) in `store`; a user error when there is none, naming the other run
 * store when that one has it, else `runner runs`.
 */
export async function requireRun(store: RunStore | undefined, id: string): Promise<RunRecord> {
  const run = await store?.get(id);
  if (run) return run;
  const config = cliConfig();
  if (await peekOtherStore(config, (other) => other.get(id))) {
    const { here, there, store: setting } = storeNames(config);
    throw new UserError(`no run with id '${id}' in ${here}; ${there} has it — set RUNNER_STORE=${setting} to use it`);
  }
  const hint = id.length < MIN_ID_PREFIX ? ` (a prefix needs at least ${MIN_ID_PREFIX} characters)` : '';
  throw new UserError(`no run with id '${id}'${hint}; \`runner runs\` lists them`);
}

/** Prints one run in full (or its JSON record). */
export async function runsShowCommand(id: string, flags: RunsShowFlags): Promise<void> {
  const run = await withStore((store) => requireRun(store, id));
  if (flags.json) outJson(run);
  else for (const line of formatRunStory(run, { paint: colour })) out(line);
}
