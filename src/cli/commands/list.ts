import { DateTime } from 'luxon';
import { formatDiagnostic } from '../../shared/errors.ts';
import { nextFireTimes } from '../../workflow/fire-times.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { err, out, outJson, pad, paint } from '../output.ts';
import { validatePaths } from './validate.ts';

/** Flags of `runner list`. */
export interface ListFlags {
  json?: boolean;
}

/** One line per valid workflow with its schedule and next three fire times (in its own time zone). */
export async function listCommand(dir: string | undefined, flags: ListFlags): Promise<void> {
  const results = await validatePaths(dir ? [dir] : []);
  const now = new Date();
  const rows = results
    .filter((r) => r.workflow)
    .map((r) => {
      const wf = r.workflow!;
      const next = wf.schedule ? nextFireTimes(wf.schedule.cron, wf.schedule.timezone, now, 3) : [];
      return { name: wf.name, file: r.file, cron: wf.schedule?.cron, timezone: wf.schedule?.timezone, next };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  if (flags.json) {
    outJson(rows.map((r) => ({ ...r, next: r.next.map((d) => d.toISOString()) })));
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
      out(`${pad(r.name, width)}  ${pad(r.cron ?? 'on demand', cronWidth)}  ${pad(r.timezone ?? '-', zoneWidth)}  ${next || '-'}`);
    }
  }
  const invalid = results.filter((r) => !r.workflow);
  for (const r of invalid) for (const d of r.diagnostics) err(formatDiagnostic(d));
  if (invalid.length) {
    err(`${invalid.length} invalid workflow file${invalid.length === 1 ? '' : 's'} left out (see above)`);
    throw new ExitCode(EXIT.usage);
  }
}
