import { DateTime } from 'luxon';
import { formatDiagnostic, UserError } from '../../shared/errors.ts';
import { fireTimesOf } from '../../workflow/fire-times.ts';
import { cliConfig } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { err, out, outJson, pad, paint, printable } from '../output.ts';
import { validatePaths } from './validate.ts';

/** Flags of `runner list`. */
export interface ListFlags {
  json?: boolean;
  /** Fire times are those after this ISO time (default: now). */
  from?: string;
  /** How many fire times per workflow (default 3). */
  count?: string;
}

/** Fire times shown per workflow when `--count` is not given. */
export const DEFAULT_COUNT = 3;
/** The most fire times `--count` may ask for. */
export const MAX_COUNT = 1000;

/**
 * One line per valid workflow with its schedule and next fire times (in its own time zone), and whether its
 * schedule is paused (`runner schedule pause`). A workflow whose fire times cannot be computed is reported as its
 * file's error and left out; the others are still listed.
 */
export async function listCommand(dir: string | undefined, flags: ListFlags): Promise<void> {
  const from = flags.from === undefined ? new Date() : parseFrom(flags.from);
  const count = flags.count === undefined ? DEFAULT_COUNT : parseCount(flags.count);
  const results = await validatePaths(dir ? [dir] : []);
  const problems: string[] = [];
  const rows = results
    .filter((r) => r.workflow)
    .flatMap((r) => {
      const wf = r.workflow!;
      const fire = wf.schedule ? fireTimesOf(wf.schedule, from, count) : { next: [] };
      if (fire.problem) {
        problems.push(`${r.file}: ${fire.problem}`);
        return [];
      }
      return [{ name: wf.name, file: r.file, cron: wf.schedule?.cron, timezone: wf.schedule?.timezone, next: fire.next }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const { readPauses, describePause } = await import('./schedule.ts');
  const pauses = rows.some((r) => r.cron) ? await readPauses(cliConfig()) : new Map();
  if (flags.json) {
    outJson(rows.map((r) => ({ ...r, next: r.next.map((d) => d.toISOString()), ...(r.cron && pauses.has(r.name) && { paused: pauses.get(r.name) }) })));
  } else {
    const width = Math.max(4, ...rows.map((r) => r.name.length));
    const cronWidth = Math.max(9, ...rows.map((r) => (r.cron ?? '').length));
    const zoneWidth = Math.max(8, ...rows.map((r) => (r.timezone ?? '').length));
    out(paint('bold', `${pad('NAME', width)}  ${pad('SCHEDULE', cronWidth)}  ${pad('TIMEZONE', zoneWidth)}  NEXT RUNS`));
    for (const r of rows) {
      const withSeconds = (r.cron ?? '').trim().split(/\s+/).length === 6;
      const next = r.next
        .map((d) => DateTime.fromJSDate(d, { zone: r.timezone }).toFormat(withSeconds ? 'ccc yyyy-LL-dd HH:mm:ss' : 'ccc yyyy-LL-dd HH:mm'))
        .join(', ');
      const pause = r.cron ? pauses.get(r.name) : undefined;
      const paused = pause ? `  ${paint('yellow', printable(`paused (${describePause(pause)})`))}` : '';
      out(`${pad(r.name, width)}  ${pad(r.cron ?? 'on demand', cronWidth)}  ${pad(r.timezone ?? '-', zoneWidth)}  ${next || '-'}${paused}`);
    }
  }
  const invalid = results.filter((r) => !r.workflow);
  for (const r of invalid) for (const d of r.diagnostics) err(printable(formatDiagnostic(d)));
  for (const line of problems) err(printable(line));
  const left = invalid.length + problems.length;
  if (left) {
    err(`${left} invalid workflow file${left === 1 ? '' : 's'} left out (see above)`);
    throw new ExitCode(EXIT.usage);
  }
}

function parseFrom(text: string): Date {
  const at = new Date(text);
  if (text.trim() === '' || Number.isNaN(at.getTime())) {
    throw new UserError(`--from '${text}' is not a date; use an ISO time like 2027-03-28T00:30:00Z or 2027-03-28T01:30:00+01:00`);
  }
  return at;
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_COUNT) {
    throw new UserError(`--count must be a whole number from 1 to ${MAX_COUNT}, not '${text}'`);
  }
  return Number(text);
}
