import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import type { RunnerConfig } from '../../config/config.ts';
import type { PauseInfo, PauseStore } from '../../schedules/pauses.ts';
import { formatDiagnostic, UserError } from '../../shared/errors.ts';
import { scheduleProblem } from '../../workflow/fire-times.ts';
import { loadWorkflowFile, readWorkflowSourceSync } from '../../workflow/load.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { err, out, outJson, pad, paint, printable } from '../output.ts';
import { openQueueContext, type QueueContext } from '../queue-context.ts';
import { validatePaths } from './validate.ts';

/** Flags of `runner schedule sync`. */
export interface ScheduleSyncFlags {
  'dry-run'?: boolean;
  json?: boolean;
}

/**
 * `runner schedule sync [dir]`: BullMQ's job schedulers made to match the workflows of a folder. Every workflow is
 * checked first, before anything is written: invalid files, and schedules whose fire times cannot be computed, are
 * reported and left out (their schedulers, if any, are kept); the rest still sync. Exit 2 when any was left out.
 */
export async function scheduleSyncCommand(dir: string | undefined, flags: ScheduleSyncFlags): Promise<void> {
  const config = cliConfig();
  const results = await validatePaths([dir ?? config.workflowsDir]);
  const now = new Date();
  const problems: Array<{ file: string; problem: string }> = [];
  for (const r of results) {
    const schedule = r.workflow?.schedule;
    if (!schedule) continue;
    // The question BullMQ's repeat strategy will ask, asked of every workflow before anything is written.
    const problem = scheduleProblem(schedule, now);
    if (problem) problems.push({ file: r.file, problem });
  }
  const unschedulable = new Set(problems.map((p) => p.file));
  const invalid = results.filter((r) => !r.workflow || unschedulable.has(r.file));
  const keep = new Set(invalid.map((r) => r.workflow?.name ?? nameIn(r.file)).filter((n): n is string => Boolean(n)));
  const { syncSchedules } = await import('../../queue/schedules.ts');
  const context = await openQueueContext(config);
  let report;
  try {
    report = await syncSchedules(
      context.queue,
      context.redis,
      config.queue.prefix,
      results.flatMap((r) => (r.workflow && !unschedulable.has(r.file) ? [r.workflow] : [])),
      { dryRun: flags['dry-run'], keep },
    );
  } finally {
    await context.close();
  }
  if (flags.json) outJson({ ...report, dryRun: flags['dry-run'] === true, invalid: invalid.map((r) => r.file) });
  else {
    const verb = flags['dry-run'] ? 'would ' : '';
    for (const name of report.added) out(`${paint('green', '+')} ${name}  ${paint('dim', `${verb}add`)}`);
    for (const name of report.changed) out(`${paint('yellow', '~')} ${name}  ${paint('dim', `${verb}update`)}`);
    for (const name of report.removed) out(`${paint('red', '-')} ${name}  ${paint('dim', `${verb}remove`)}`);
    const writes = report.added.length + report.changed.length + report.removed.length;
    out(
      `${flags['dry-run'] ? 'dry run: ' : ''}${report.added.length} added, ${report.changed.length} changed, ${report.removed.length} removed, ${report.unchanged.length} unchanged${writes === 0 && !flags['dry-run'] ? ' (nothing written)' : ''}`,
    );
  }
  for (const r of invalid) for (const d of r.diagnostics) err(printable(formatDiagnostic(d)));
  for (const p of problems) err(printable(`${p.file}: ${p.problem}`));
  if (invalid.length) {
    err(
      `${invalid.length} invalid workflow file${invalid.length === 1 ? '' : 's'} left out${keep.size ? `; kept the existing schedules of ${[...keep].join(', ')}` : ''}`,
    );
    throw new ExitCode(EXIT.usage);
  }
}

/** Flags of `runner schedule list`. */
export interface ScheduleListFlags {
  json?: boolean;
}

/** `runner schedule list`: every scheduler in Redis with its next fire time, soonest first. */
export async function scheduleListCommand(flags: ScheduleListFlags): Promise<void> {
  const config = cliConfig();
  const [{ listSchedules }, { openRedisPauseStore }] = await Promise.all([import('../../queue/schedules.ts'), import('../../schedules/pauses.ts')]);
  const context = await openQueueContext(config);
  let schedules;
  let pauses: Map<string, PauseInfo>;
  try {
    [schedules, pauses] = await Promise.all([listSchedules(context.queue), openRedisPauseStore(context.redis, config.queue.prefix).all()]);
  } finally {
    await context.close();
  }
  if (flags.json) return outJson(schedules.map((s) => ({ ...s, ...(pauses.has(s.name) && { paused: pauses.get(s.name) }) })));
  if (!schedules.length) return out('no schedules in Redis; `runner schedule sync` creates them from the workflows');
  const width = Math.max(4, ...schedules.map((s) => s.name.length));
  const cronWidth = Math.max(8, ...schedules.map((s) => (s.cron ?? '').length));
  out(paint('bold', `${pad('NAME', width)}  ${pad('SCHEDULE', cronWidth)}  NEXT RUN`));
  for (const s of schedules) {
    const next = s.next ? DateTime.fromISO(s.next, { zone: s.timezone ?? 'UTC' }).toFormat('ccc yyyy-LL-dd HH:mm:ss ZZZZ') : '-';
    const pause = pauses.get(s.name);
    const state = pause ? paint('yellow', printable(`paused (${describePause(pause)})`)) : paint('dim', s.hash ? `workflow ${s.hash.slice(0, 12)}` : '');
    out(`${pad(printable(s.name), width)}  ${pad(s.cron ?? '-', cronWidth)}  ${next}  ${state}`);
  }
}

/** Flags of `runner schedule pause`. */
export interface SchedulePauseFlags {
  reason?: string;
  by?: string;
}

/**
 * `runner schedule pause <workflow>`: the workflow's slots are recorded as skipped (not run, not missed) until it is
 * resumed; who paused it, when and why are kept. In the pause store of the configured run store: Redis with
 * RUNNER_STORE=redis (what workers read), else the SQLite file of RUNNER_DB (what `runner serve` reads).
 */
export async function schedulePauseCommand(workflow: string, flags: SchedulePauseFlags): Promise<void> {
  const name = await workflowName(workflow);
  const info: PauseInfo = { by: flags.by?.trim() || osUser(), at: new Date().toISOString(), ...(flags.reason?.trim() && { reason: flags.reason.trim() }) };
  const { paused, known, previous } = await withPauseStore(async (pauses, context) => {
    const paused = await pauses.pause(name, info);
    const previous = paused ? undefined : await pauses.paused(name);
    // In Redis the schedulers are known: pausing a name that has none is allowed (sync may add it) but worth a word.
    const known = context ? (await context.queue.getJobScheduler(name)) !== undefined : true;
    return { paused, known, previous };
  });
  if (!paused) {
    out(printable(`${name} was already paused (${previous ? describePause(previous) : 'by someone else'}); nothing changed`));
    return;
  }
  out(printable(`paused ${name} (${describePause(info)}): its slots are recorded as skipped until \`runner schedule resume ${name}\``));
  if (!known) err(printable(`note: Redis has no schedule named ${name} yet; \`runner schedule sync\` adds it, paused`));
}

/** `runner schedule resume <workflow>`: the workflow's slots run again from its next one. */
export async function scheduleResumeCommand(workflow: string): Promise<void> {
  const name = await workflowName(workflow);
  const ended = await withPauseStore((pauses) => pauses.resume(name));
  if (!ended) out(printable(`${name} was not paused; nothing changed`));
  else out(printable(`resumed ${name} (it was paused ${describePause(ended)}); its next slot runs`));
}

/** `by ana at 2026-…: reason` */
export function describePause(pause: PauseInfo): string {
  return `by ${pause.by} at ${pause.at}${pause.reason ? `: ${pause.reason}` : ''}`;
}

/** Who pauses or backfills, when nobody says: the OS user. */
export function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The workflow a `<workflow>` argument names: a workflow name as it is, or a workflow file's `name:` (read even from
 * a file that no longer validates, so its schedule can still be paused).
 */
async function workflowName(arg: string): Promise<string> {
  if (existsSync(arg)) {
    const loaded = await loadWorkflowFile(arg, loadOptions());
    const name = loaded.workflow?.name ?? nameIn(arg);
    if (!name) throw new UserError(`${arg}: no workflow name in this file`);
    return name;
  }
  if (/^[a-z0-9]+(-[a-z0-9]+)*$/.test(arg)) return arg;
  if (/[\\/]|\.ya?ml$/i.test(arg)) throw new UserError(`${arg}: no such workflow file`);
  throw new UserError(`'${arg}' is neither a workflow name (kebab-case, like weekly-summary) nor a workflow file`);
}

/**
 * Runs `fn` on the pause store of the configured run store: Redis with RUNNER_STORE=redis (the workers'), else the
 * SQLite file of RUNNER_DB (what `runner serve` reads), created if need be.
 */
async function withPauseStore<T>(fn: (pauses: PauseStore, context?: QueueContext) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const { openRedisPauseStore, openSqlitePauseStore } = await import('../../schedules/pauses.ts');
  if (config.store === 'redis') {
    const context = await openQueueContext(config);
    try {
      return await fn(openRedisPauseStore(context.redis, config.queue.prefix), context);
    } finally {
      await context.close();
    }
  }
  const pauses = openSqlitePauseStore(config.dbPath);
  try {
    return await fn(pauses);
  } finally {
    await pauses.close();
  }
}

/**
 * Every paused workflow in the configured store, for listings that are not about Redis (`runner list`): RUNNER_DB's
 * file when it exists (nothing is created), or Redis with RUNNER_STORE=redis. A store that cannot be read is
 * reported on stderr and counts as none paused: a listing of files should not fail for it.
 */
export async function readPauses(config: RunnerConfig): Promise<Map<string, PauseInfo>> {
  try {
    if (config.store !== 'redis' && !existsSync(config.dbPath)) return new Map();
    return await withPauseStore((pauses) => pauses.all());
  } catch (error) {
    err(printable(`note: could not read which schedules are paused: ${(error as Error).message}`));
    return new Map();
  }
}

/** The `name:` of a file that failed validation, if it can still be read (so its schedule is not dropped). */
function nameIn(file: string): string | undefined {
  try {
    // Read as safely as validation reads it: this file was refused, maybe for being a FIFO or a device.
    const read = readWorkflowSourceSync(file);
    if (!read.ok) return undefined;
    const value = parse(read.text) as { name?: unknown } | null;
    return typeof value?.name === 'string' ? value.name : undefined;
  } catch {
    return undefined;
  }
}
