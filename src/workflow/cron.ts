/**
 * The one cron parser: validation, `runner list`, `run --plan`, missed slots, `runner serve` and BullMQ's repeat
 * strategy all read an expression through {@link parseCron}, so none of them can accept what another refuses.
 * Fire times are computed from the parsed {@link CronSpec} in `fire-times.ts`.
 */
import { didYouMean } from '../shared/suggest.ts';

/** A parsed cron expression: the set of values of each field, sorted, duplicates (and day-of-week 0/7) merged. */
export interface CronSpec {
  /** The expression as written. */
  readonly expression: string;
  /** Seconds 0-59 (`[0]` for a five-field expression). */
  readonly seconds: readonly number[];
  /** Minutes 0-59. */
  readonly minutes: readonly number[];
  /** Hours 0-23. */
  readonly hours: readonly number[];
  /** Days of the month 1-31 named as numbers. */
  readonly daysOfMonth: readonly number[];
  /** `L` in day-of-month: the last day of each month. */
  readonly lastDayOfMonth: boolean;
  /** Months 1-12. */
  readonly months: readonly number[];
  /** Days of the week 0-6, Sunday 0 (a 7 is stored as 0). */
  readonly daysOfWeek: readonly number[];
  /** `n#k` in day-of-week: the k-th (1-5) such weekday of the month. */
  readonly nthDaysOfWeek: ReadonlyArray<{ readonly day: number; readonly nth: number }>;
  /** `nL` in day-of-week: the last such weekday of the month. */
  readonly lastDaysOfWeek: readonly number[];
  /** Day-of-month is anything but `*` or `?`. With day-of-week also restricted, a day matches when EITHER does (Vixie cron). */
  readonly dayOfMonthRestricted: boolean;
  /** Day-of-week is anything but `*` or `?`. */
  readonly dayOfWeekRestricted: boolean;
}

/** What {@link parseCron} found: the spec, or the one problem to report. */
export type CronParse = { ok: true; spec: CronSpec } | { ok: false; problem: string };

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Offset of names[0]: month names start at 1, day names at 0. */
  nameBase?: number;
}

/** Values of one field: plain numbers plus the day-of-month/day-of-week specials. */
interface FieldValues {
  values: Set<number>;
  last: boolean;
  nth: Array<{ day: number; nth: number }>;
  lastOf: Set<number>;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
/** The most days each month can have (February in a leap year). */
const MAX_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Expands `@daily`-style macros to five fields; other expressions are returned trimmed. */
export function normalizeCron(expression: string): string {
  const trimmed = expression.trim().replace(/\s+/g, ' ');
  return MACROS[trimmed.toLowerCase()] ?? trimmed;
}

/**
 * Parses a cron expression: five fields (minute hour day-of-month month day-of-week), or six with seconds first;
 * the macros @yearly @annually @monthly @weekly @daily @midnight @hourly; month and day names; lists, ranges and
 * steps (`a-b/s`, a step on `*`, and `a/s` = a to the field's maximum, as in Vixie cron); day-of-week 0-7 (0 and 7
 * are Sunday); `?` as `*`; `L` in day-of-month; `nL` (last weekday n) and `n#k` (k-th weekday n) in day-of-week.
 * An expression that can never fire (`0 0 30 2 *`) is a problem too.
 */
export function parseCron(expression: string): CronParse {
  const fail = (problem: string): CronParse => ({ ok: false, problem: `invalid cron '${expression}': ${problem}` });
  const normalized = normalizeCron(expression);
  if (normalized.startsWith('@')) {
    return {
      ok: false,
      problem: `invalid cron '${expression}': unknown macro${didYouMean(normalized, Object.keys(MACROS))} (allowed: ${Object.keys(MACROS).join(', ')})`,
    };
  }
  const parts = normalized === '' ? [] : normalized.split(' ');
  if (parts.length !== 5 && parts.length !== 6) {
    return fail(`expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, got ${parts.length}`);
  }
  const specs = parts.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  const fields: FieldValues[] = [];
  for (let i = 0; i < specs.length; i++) {
    const field = parseField(parts[i]!, specs[i]!);
    if (typeof field === 'string') return fail(field);
    fields.push(field);
  }
  const [second, minute, hour, dom, month, dow] = parts.length === 6 ? fields : [undefined, ...fields];
  const [domText, monthText, dowText] = parts.slice(-3) as [string, string, string];
  const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
  const spec: CronSpec = {
    expression,
    seconds: second ? sorted(second.values) : [0],
    minutes: sorted(minute!.values),
    hours: sorted(hour!.values),
    daysOfMonth: sorted(dom!.values),
    lastDayOfMonth: dom!.last,
    months: sorted(month!.values),
    daysOfWeek: sorted(new Set([...dow!.values].map((d) => d % 7))),
    nthDaysOfWeek: dedupeNth(dow!.nth),
    lastDaysOfWeek: sorted(new Set([...dow!.lastOf].map((d) => d % 7))),
    dayOfMonthRestricted: domText !== '*' && domText !== '?',
    dayOfWeekRestricted: dowText !== '*' && dowText !== '?',
  };
  const never = neverFires(spec, domText, monthText);
  return never ? fail(never) : { ok: true, spec };
}

/** Checks a cron expression (see {@link parseCron}); returns a message naming the bad field, or undefined when valid. */
export function cronProblem(expression: string): string | undefined {
  const parsed = parseCron(expression);
  return parsed.ok ? undefined : parsed.problem;
}

function parseField(field: string, spec: FieldSpec): FieldValues | string {
  const out: FieldValues = { values: new Set(), last: false, nth: [], lastOf: new Set() };
  for (const item of field.split(',')) {
    if (item === '') return `${spec.name} field '${field}' has an empty list item`;
    const problem = parseItem(item, spec, out);
    if (problem) return problem;
  }
  return out;
}

/** Adds one list item's values to `out`; returns a problem instead when the item is not valid. */
function parseItem(item: string, spec: FieldSpec, out: FieldValues): string | undefined {
  const label = `${spec.name} field '${item}'`;
  if (item === '?' && (spec.name === 'day-of-month' || spec.name === 'day-of-week')) {
    addRange(out.values, spec.min, spec.max, 1);
    return undefined;
  }
  if (item === 'L' && spec.name === 'day-of-month') {
    out.last = true;
    return undefined;
  }
  const [range, step, extra] = item.split('/');
  if (extra !== undefined) return `${label} has more than one '/'`;
  if (step !== undefined && !/^\d+$/.test(step)) return `${label} has a step '${step}' that is not a positive number`;
  if (step !== undefined && Number(step) === 0) return `${label} has a step of 0`;
  const by = step === undefined ? 1 : Number(step);
  if (range === '*') {
    addRange(out.values, spec.min, spec.max, by);
    return undefined;
  }
  if (spec.name === 'day-of-week') {
    const nth = /^(\w+)#([1-5])$/.exec(range!);
    const last = nth ? undefined : /^(\w+)L$/.exec(range!);
    const special = nth ?? last;
    if (special) {
      const problem = valueProblem(special[1]!, spec, label);
      if (problem) return problem;
      if (step !== undefined) return `${label} has a step; '#' and 'L' name single days and take none`;
      const day = toNumber(special[1]!, spec) % 7;
      if (nth) out.nth.push({ day, nth: Number(nth[2]) });
      else out.lastOf.add(day);
      return undefined;
    }
  }
  const bounds = range!.split('-');
  if (bounds.length > 2) return `${label} is not a value, a range a-b, a list or a step`;
  const numbers: number[] = [];
  for (const bound of bounds) {
    const problem = valueProblem(bound, spec, label);
    if (problem) return problem;
    numbers.push(toNumber(bound, spec));
  }
  if (numbers.length === 2 && numbers[0]! > numbers[1]!) return `${label} is a range that runs backwards`;
  // `a/s` runs from a to the field's maximum, as in Vixie cron; a bare `a` is just a.
  const to = numbers.length === 2 ? numbers[1]! : step === undefined ? numbers[0]! : spec.max;
  addRange(out.values, numbers[0]!, to, by);
  return undefined;
}

function addRange(values: Set<number>, from: number, to: number, by: number): void {
  for (let v = from; v <= to; v += by) values.add(v);
}

function valueProblem(value: string, spec: FieldSpec, label: string): string | undefined {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    return n < spec.min || n > spec.max ? `${label} is out of range ${spec.min}-${spec.max}` : undefined;
  }
  if (spec.names?.includes(value.toUpperCase())) return undefined;
  const kind = spec.names ? ` or a ${spec.name === 'month' ? 'month name (JAN-DEC)' : 'day name (SUN-SAT)'}` : '';
  const subject = label.endsWith(`'${value}'`) ? label : `${label}: '${value}'`;
  return `${subject} is not a number${kind}${spec.names ? didYouMean(value.toUpperCase(), spec.names) : ''}`;
}

function toNumber(value: string, spec: FieldSpec): number {
  if (/^\d+$/.test(value)) return Number(value);
  return spec.names!.indexOf(value.toUpperCase() as never) + (spec.nameBase ?? 0);
}

function dedupeNth(items: ReadonlyArray<{ day: number; nth: number }>): Array<{ day: number; nth: number }> {
  const seen = new Map(items.map((i) => [`${i.day}#${i.nth}`, i]));
  return [...seen.values()].sort((a, b) => a.day - b.day || a.nth - b.nth);
}

/**
 * Why the expression can never fire, if it cannot. Only a day-of-month that no listed month has, without a
 * day-of-week to fall back on, does that: every weekday (and its k-th and last occurrence) comes round in every
 * month sooner or later, and any time of day exists on every day (a time skipped by daylight saving still runs).
 */
function neverFires(spec: CronSpec, domText: string, monthText: string): string | undefined {
  if (!spec.dayOfMonthRestricted || spec.dayOfWeekRestricted || spec.lastDayOfMonth) return undefined;
  const possible = spec.months.some((m) => spec.daysOfMonth.some((d) => d <= MAX_DAYS[m]!));
  return possible ? undefined : `it never fires: no month in month field '${monthText}' has a day in day-of-month field '${domText}'`;
}
