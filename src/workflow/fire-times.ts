/**
 * The one owner of fire times. `runner list`, `run --plan`, missed slots, `runner serve` and BullMQ's repeat
 * strategy all ask here, so they agree to the second. No cron library is involved: the expression is parsed by
 * `cron.ts`, matching local times are found by calendar arithmetic, and each is placed on the time line with the
 * zone's offsets from `zone-time.ts`:
 * - day matching follows Vixie cron: when day-of-month and day-of-week are both restricted (neither is `*` or
 *   `?`), a day matches when EITHER does; otherwise both must;
 * - a local time skipped by a spring-forward gap runs at the first instant after the gap (several skipped times
 *   that land on the same instant run once); a local time repeated by a fall-back runs once, at its first occurrence.
 * Every search is bounded ({@link SEARCH_YEARS}), so nothing here can loop for ever.
 */
import { UserError } from '../shared/errors.ts';
import { parseCron, type CronSpec } from './cron.ts';
import { placeWallTime, wallTimeAt } from './zone-time.ts';

/**
 * How far ahead of `from` a search looks, in years. The rarest days a valid expression names, 29 February on a given
 * weekday, come at most 40 years apart (a Monday in 2072, then 2112, since 2100 is not a leap year).
 */
export const SEARCH_YEARS = 50;

/** The fire times of one schedule, or why they could not be computed. */
export interface FireTimes {
  /** The fire times found, ascending (fewer than asked when the search bound was reached). */
  next: Date[];
  /** Set when nothing could be computed: a message naming the cron and the zone. */
  problem?: string;
}

/** A spec with lookup tables: `next[v]` is the smallest value of the field at or after v, or -1. */
interface Compiled {
  spec: CronSpec;
  second: Int8Array;
  minute: Int8Array;
  hour: Int8Array;
  month: Int8Array;
  dayOfMonth: Uint8Array;
  dayOfWeek: Uint8Array;
  /** Bit k-1 of nth[d] set: the k-th weekday d of a month matches. */
  nth: Uint8Array;
  lastOf: Uint8Array;
}

/** Parsed and compiled specs by expression; schedules repeat, so parsing once per expression is enough. */
const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 20_000;

/**
 * The next `count` fire times strictly after `from` of `expression` read in `timezone`. Fewer when the search
 * bound ({@link SEARCH_YEARS}) is reached first. Throws a {@link UserError} for an invalid expression or zone.
 */
export function nextFireTimes(expression: string, timezone: string, from: Date, count: number): Date[] {
  const c = compiled(expression);
  const fromMs = from.getTime();
  if (Number.isNaN(fromMs)) throw new UserError(`fire times of cron '${expression}': the start time is not a valid date`);
  let wall: number;
  try {
    wall = wallTimeAt(timezone, fromMs);
  } catch (error) {
    throw new UserError(`unknown time zone '${timezone}'`, { cause: error });
  }
  const limit = new Date(wall).getUTCFullYear() + SEARCH_YEARS;
  const out: Date[] = [];
  let last = Number.NEGATIVE_INFINITY;
  // Local times before the wall time of `from` map to instants at or before it: the mapping never goes back.
  while (out.length < count) {
    const local = nextLocalMatch(c, wall, limit);
    if (local === undefined) break;
    const { instant, shown } = placeWallTime(timezone, local);
    if (instant > fromMs && instant !== last) {
      out.push(new Date(instant));
      last = instant;
    }
    // In a gap every later local time up to the gap's end lands on the same instant: go on from the gap's end.
    wall = Math.max(local + 1000, shown);
  }
  return out;
}

/** The next fire time strictly after `from`, or undefined when none comes within the search bound. */
export function nextFireTime(expression: string, timezone: string, from: Date): Date | undefined {
  return nextFireTimes(expression, timezone, from, 1)[0];
}

/** {@link nextFireTimes} for one workflow's schedule that never throws: a failure becomes `problem`. */
export function fireTimesOf(schedule: { cron: string; timezone: string }, from: Date, count: number): FireTimes {
  try {
    return { next: nextFireTimes(schedule.cron, schedule.timezone, from, count) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { next: [], problem: `cannot compute the fire times of cron '${schedule.cron}' in ${schedule.timezone}: ${why}` };
  }
}

/**
 * Why `schedule` cannot become a scheduler at `from`: its fire times cannot be computed, or none comes within
 * {@link SEARCH_YEARS}. Undefined when it has a next fire time.
 */
export function scheduleProblem(schedule: { cron: string; timezone: string }, from: Date): string | undefined {
  const fire = fireTimesOf(schedule, from, 1);
  if (fire.problem) return fire.problem;
  return fire.next.length ? undefined : `cron '${schedule.cron}' in ${schedule.timezone} has no fire time in the next ${SEARCH_YEARS} years`;
}

function compiled(expression: string): Compiled {
  let c = cache.get(expression);
  if (c) return c;
  const parsed = parseCron(expression);
  if (!parsed.ok) throw new UserError(parsed.problem);
  c = compile(parsed.spec);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(expression, c);
  return c;
}

function compile(spec: CronSpec): Compiled {
  const nextTable = (values: readonly number[], max: number) => {
    const table = new Int8Array(max + 2).fill(-1);
    for (let v = max, i = values.length - 1, next = -1; v >= 0; v--) {
      while (i >= 0 && values[i]! >= v) next = values[i--]!;
      table[v] = next;
    }
    return table;
  };
  const flags = (values: readonly number[], size: number) => {
    const table = new Uint8Array(size);
    for (const v of values) table[v] = 1;
    return table;
  };
  const nth = new Uint8Array(7);
  for (const { day, nth: k } of spec.nthDaysOfWeek) nth[day]! |= 1 << (k - 1);
  return {
    spec,
    second: nextTable(spec.seconds, 59),
    minute: nextTable(spec.minutes, 59),
    hour: nextTable(spec.hours, 23),
    month: nextTable(spec.months, 12),
    dayOfMonth: flags(spec.daysOfMonth, 32),
    dayOfWeek: flags(spec.daysOfWeek, 7),
    nth,
    lastOf: flags(spec.lastDaysOfWeek, 7),
  };
}

/** The first wall time at or after `wall` (whole seconds) that the spec names, before year `limit`. */
function nextLocalMatch(c: Compiled, wall: number, limit: number): number | undefined {
  let t = Math.ceil(wall / 1000) * 1000;
  for (;;) {
    const d = new Date(t);
    const year = d.getUTCFullYear();
    if (year > limit) return undefined;
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    const hour = d.getUTCHours();
    const minute = d.getUTCMinutes();
    const second = d.getUTCSeconds();
    const m = c.month[month]!;
    if (m === -1) t = Date.UTC(year + 1, c.spec.months[0]! - 1, 1);
    else if (m !== month) t = Date.UTC(year, m - 1, 1);
    else if (!dayMatches(c, year, month, day)) t = Date.UTC(year, month - 1, day + 1);
    else {
      const h = c.hour[hour]!;
      if (h === -1) t = Date.UTC(year, month - 1, day + 1);
      else if (h !== hour) t = Date.UTC(year, month - 1, day, h);
      else {
        const mi = c.minute[minute]!;
        if (mi === -1) t = Date.UTC(year, month - 1, day, hour + 1);
        else if (mi !== minute) t = Date.UTC(year, month - 1, day, hour, mi);
        else {
          const s = c.second[second]!;
          if (s === -1) t = Date.UTC(year, month - 1, day, hour, minute + 1);
          else return Date.UTC(year, month - 1, day, hour, minute, s);
        }
      }
    }
  }
}

/** Whether the spec's day fields name this date (Vixie cron: either field when both are restricted). */
function dayMatches(c: Compiled, year: number, month: number, day: number): boolean {
  const { spec } = c;
  if (!spec.dayOfMonthRestricted && !spec.dayOfWeekRestricted) return true;
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const byMonth = c.dayOfMonth[day] === 1 || (spec.lastDayOfMonth && day === length);
  if (spec.dayOfMonthRestricted && !spec.dayOfWeekRestricted) return byMonth;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const byWeek = c.dayOfWeek[weekday] === 1 || (c.nth[weekday]! & (1 << Math.floor((day - 1) / 7))) !== 0 || (c.lastOf[weekday] === 1 && day + 7 > length);
  return spec.dayOfMonthRestricted ? byMonth || byWeek : byWeek;
}
