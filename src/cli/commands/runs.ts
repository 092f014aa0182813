import { existsSync } from 'node:fs';
import { MIN_ID_PREFIX, openSqliteRunStore } from '../../runs/sqlite-store.ts';
import type { Queue } from 'bullmq';
import type { RunJobData } from '../../queue/payload.ts';
import type { RunRecord, RunStatus, RunStore } from '../../runs/types.ts';
import { UserError } from '../../shared/errors.ts';
import { cliConfig } from '../context.ts';
import { formatRunStory, formatRunsTable, noRunsMessage, type Style } from '../format-run.ts';
import { err, out, outJson, paint } from '../output.ts';

/** Flags of `runner runs`. */
export interface RunsListFlags {
  workflow?: string;
  status?: RunStatus;
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
 * it), or with RUNNER_STORE=redis the store every worker shares (and its queue).
 */
export async function withStore<T>(fn: (store: RunStore | undefined, queue?: Queue<RunJobData>) => Promise<T>): Promise<T> {
  const config = cliConfig();
  if (config.store === 'redis') {
    const { openQueueContext } = await import('../queue-context.ts');
    const context = await openQueueContext(config);
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

/** Prints past runs, most recent first, as a table (or JSON records). */
export async function runsListCommand(flags: RunsListFlags): Promise<void> {
  const filter = { workflow: flags.workflow, status: flags.status, limit: parseLimit(flags.limit) };
  const runs = await withStore(async (store, queue) => {
    if (!store) return [];
    if (flags.repair) await repair(store, queue, flags.json === true);
    return store.list(filter);
  });
  if (flags.json) outJson(runs);
  else if (runs.length === 0) out(noRunsMessage(filter));
  else for (const line of formatRunsTable(runs, { paint: colour })) out(line);
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

/** The run with this id (or a unique prefix of it) in `store`; a user error naming `runner runs` when there is none. */
export async function requireRun(store: RunStore | undefined, id: string): Promise<RunRecord> {
  const run = await store?.get(id);
  if (run) return run;
  const hint = id.length < MIN_ID_PREFIX ? ` (a prefix needs at least ${MIN_ID_PREFIX} characters)` : '';
  throw new UserError(`no run with id '${id}'${hint}; \`runner runs\` lists them`);
}

/** Prints one run in full (or its JSON record). */
export async function runsShowCommand(id: string, flags: RunsShowFlags): Promise<void> {
  const run = await withStore((store) => requireRun(store, id));
  if (flags.json) outJson(run);
  else for (const line of formatRunStory(run, { paint: colour })) out(line);
}
