import { createRequire } from 'node:module';
import type { DateTime as LuxonDateTime, WeekdayNumbers } from 'luxon';
import { markdownToStorage } from '../toolkit/markdown.ts';

// Luxon loads on the first date filter call, so validation (which only parses templates) never pays for it.
const require = createRequire(import.meta.url);
let luxon: typeof import('luxon') | undefined;
const DateTimeLib = () => (luxon ??= require('luxon') as typeof import('luxon')).DateTime;
type DateTime = LuxonDateTime;

/** Names of the weekdays accepted by `last_weekday` / `next_weekday`, Monday = 1 as in ISO 8601. */
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Reads a filter's date input: an ISO string, a Date, a millisecond number or the word "now". */
function toDateTime(value: unknown, zone: string): DateTime {
  let dt: DateTime;
  if (value instanceof Date) dt = DateTimeLib().fromJSDate(value);
  else if (typeof value === 'number') dt = DateTimeLib().fromMillis(value);
  else if (value === 'now' || value === 'today') dt = DateTimeLib().now();
  else dt = DateTimeLib().fromISO(String(value), { setZone: true });
  if (!dt.isValid) throw new Error(`not a date: '${String(value)}' (use an ISO timestamp such as run.scheduled_at)`);
  const zoned = dt.setZone(zone);
  if (!zoned.isValid) throw new Error(`unknown time zone '${zone}'`);
  return zoned;
}

function weekday(name: unknown): WeekdayNumbers {
  const index = WEEKDAYS.indexOf(String(name).toLowerCase());
  if (index < 0) throw new Error(`unknown weekday '${String(name)}' (use ${WEEKDAYS.join(', ')})`);
  return (index + 1) as WeekdayNumbers;
}

/**
 * Date filters for templates. Each reads an ISO timestamp and works in the workflow's time zone
 * (`defaultZone`) unless a zone is given as the last argument. Results are ISO dates (`2026-11-23`) or formatted text.
 */
export function dateFilters(defaultZone: () => string): Record<string, (value: unknown, ...args: unknown[]) => unknown> {
  const zoneOf = (arg: unknown) => (typeof arg === 'string' && arg !== '' ? arg : defaultZone());
  return {
    /** `{{ run.scheduled_at | iso_week }}` → `2026-W48`. */
    iso_week: (value, zone) => toDateTime(value, zoneOf(zone)).toFormat("kkkk-'W'WW"),
    /** `{{ run.scheduled_at | format_date: "cccc d LLLL yyyy" }}`: luxon format tokens. */
    format_date: (value, format, zone) => toDateTime(value, zoneOf(zone)).toFormat(String(format ?? 'yyyy-LL-dd')),
    /** `{{ run.scheduled_at | to_date }}` → local calendar date `2026-11-27`. */
    to_date: (value, zone) => toDateTime(value, zoneOf(zone)).toISODate(),
    /** `{{ run.scheduled_at | in_zone: "Asia/Tokyo" }}` → the same instant as an ISO timestamp with that zone's offset. */
    in_zone: (value, zone) => toDateTime(value, zoneOf(zone)).toISO(),
    /** `{{ run.scheduled_at | last_weekday: "monday" }}` → the latest Monday strictly before that day. */
    last_weekday: (value, name, zone) => {
      const dt = toDateTime(value, zoneOf(zone)).startOf('day');
      const target = weekday(name);
      const back = (dt.weekday - target + 7) % 7 || 7;
      return dt.minus({ days: back }).toISODate();
    },
    /** `{{ run.scheduled_at | next_weekday: "friday" }}` → the first Friday strictly after that day. */
    next_weekday: (value, name, zone) => {
      const dt = toDateTime(value, zoneOf(zone)).startOf('day');
      const ahead = (weekday(name) - dt.weekday + 7) % 7 || 7;
      return dt.plus({ days: ahead }).toISODate();
    },
    /** `{{ run.scheduled_at | start_of: "week" }}` → first day (ISO date) of its week, month or year. */
    start_of: (value, unit, zone) => toDateTime(value, zoneOf(zone)).startOf(unitOf(unit)).toISODate(),
    /** `{{ run.scheduled_at | end_of: "month" }}` → last day (ISO date) of its week, month or year. */
    end_of: (value, unit, zone) => toDateTime(value, zoneOf(zone)).endOf(unitOf(unit)).toISODate(),
    /** `{{ run.scheduled_at | add_days: -7 }}` → the timestamp moved by whole local days. */
    add_days: (value, days, zone) =>
      toDateTime(value, zoneOf(zone))
        .plus({ days: Number(days) })
        .toISO(),
  };
}

function unitOf(unit: unknown): 'day' | 'week' | 'month' | 'year' {
  const u = String(unit ?? 'day');
  if (u === 'day' || u === 'week' || u === 'month' || u === 'year') return u;
  throw new Error(`unknown unit '${u}' (use day, week, month or year)`);
}

/**
 * Text filters for templates: `{{ steps.draft.output.text | markdown }}` renders Markdown as Confluence storage
 * format (XHTML), for a tool step's page body. Not a date filter: no time zone.
 */
export function textFilters(): Record<string, (value: unknown, ...args: unknown[]) => unknown> {
  return {
    /** `{{ text | markdown }}` → storage XHTML (headings, lists, task lists, tables, code macros, alerts as panels). */
    markdown: (value) => {
      return markdownToStorage(value === undefined || value === null ? '' : String(value));
    },
  };
}
