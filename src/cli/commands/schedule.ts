import { readWorkflowSourceSync } from '../../workflow/load.ts';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { formatDiagnostic } from '../../shared/errors.ts';
import { scheduleProblem } from '../../workflow/fire-times.ts';
import { cliConfig } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { err, out, outJson, pad, paint, printable } from '../output.ts';
import { openQueueContext } from '../queue-context.ts';
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
  const { listSchedules } = await import('../../queue/schedules.ts');
  const context = await openQueueContext(config);
  let schedules;
  try {
    schedules = await listSchedules(context.queue);
  } finally {
    await context.close();
  }
  if (flags.json) return outJson(schedules);
  if (!schedules.length) return out('no schedules in Redis; `runner schedule sync` creates them from the workflows');
  const width = Math.max(4, ...schedules.map((s) => s.name.length));
  const cronWidth = Math.max(8, ...schedules.map((s) => (s.cron ?? '').length));
  out(paint('bold', `${pad('NAME', width)}  ${pad('SCHEDULE', cronWidth)}  NEXT RUN`));
  for (const s of schedules) {
    const next = s.next ? DateTime.fromISO(s.next, { zone: s.timezone ?? 'UTC' }).toFormat('ccc yyyy-LL-dd HH:mm:ss ZZZZ') : '-';
    out(`${pad(s.name, width)}  ${pad(s.cron ?? '-', cronWidth)}  ${next}  ${paint('dim', s.hash ? `workflow ${s.hash.slice(0, 12)}` : '')}`);
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
