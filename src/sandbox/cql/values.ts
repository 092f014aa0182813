/** CQL value resolution: dates ("2026-01-01", now("-7d"), startOfWeek()), currentUser(), plain text. */
import { CqlError } from './lexer.ts';
import type { CqlValue } from './parser.ts';

/** What functions need: the clock and the caller. */
export interface CqlEnv {
  /** Evaluation time. */
  now: Date;
  /** The caller's account id (for currentUser()). */
  currentUser: string;
}

/** A resolved date value: the instant, and whether it was a whole day (no time given). */
export interface DateValue {
  at: number;
  wholeDay: boolean;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Applies an offset like "-7d", "+2w", "-1M", "-1y" to a time. */
function shift(base: Date, offset: string | undefined, pos: number): Date {
  if (!offset) return base;
  const m = /^([+-]?)(\d+)([mhdwMy])$/.exec(offset.trim());
  if (!m) throw new CqlError(`Invalid date offset '${offset}'; use e.g. "-7d", "+2w", "-1M"`, pos);
  const sign = m[1] === '-' ? -1 : 1;
  const n = Number(m[2]) * sign;
  const d = new Date(base.getTime());
  if (m[3] === 'M') d.setUTCMonth(d.getUTCMonth() + n);
  else if (m[3] === 'y') d.setUTCFullYear(d.getUTCFullYear() + n);
  else d.setTime(d.getTime() + n * UNIT_MS[m[3]!]!);
  return d;
}

/** The plain text of a value; functions other than currentUser() are refused. */
export function textValue(v: CqlValue, env: CqlEnv, pos: number): string {
  if (v.kind !== 'func') return v.value;
  if (v.name.toLowerCase() === 'currentuser') return env.currentUser;
  throw new CqlError(`Function ${v.name}() cannot be used here`, pos);
}

/** A date value: a literal date (or date time) or one of now() or the startOf...() functions, with an optional offset. */
export function dateValue(v: CqlValue, env: CqlEnv, pos: number): DateValue {
  if (v.kind === 'func') {
    const name = v.name.toLowerCase();
    const base = new Date(env.now.getTime());
    if (name === 'now') return { at: shift(base, v.args[0], pos).getTime(), wholeDay: false };
    const startOf: Record<string, (d: Date) => void> = {
      startofday: (d) => d.setUTCHours(0, 0, 0, 0),
      startofweek: (d) => {
        d.setUTCHours(0, 0, 0, 0);
        d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
      },
      startofmonth: (d) => {
        d.setUTCHours(0, 0, 0, 0);
        d.setUTCDate(1);
      },
      startofyear: (d) => {
        d.setUTCHours(0, 0, 0, 0);
        d.setUTCMonth(0, 1);
      },
    };
    const fn = startOf[name];
    if (!fn) throw new CqlError(`Unknown date function ${v.name}(); supported: now, startOfDay, startOfWeek, startOfMonth, startOfYear`, pos);
    fn(base);
    return { at: shift(base, v.args[0], pos).getTime(), wholeDay: false };
  }
  const raw = v.value.trim().replace(/\//g, '-');
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/.exec(raw);
  if (!m) throw new CqlError(`Invalid date '${v.value}'; use "yyyy-MM-dd", "yyyy-MM-dd HH:mm" or now("-7d")`, pos);
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
  if (Number.isNaN(at)) throw new CqlError(`Invalid date '${v.value}'`, pos);
  return { at, wholeDay: m[4] === undefined };
}

/** Compares a timestamp against a date value with a CQL operator (whole days cover the entire day). */
export function compareDate(ts: number, op: string, d: DateValue): boolean {
  const end = d.wholeDay ? d.at + 86_400_000 : d.at;
  switch (op) {
    case '=':
      return d.wholeDay ? ts >= d.at && ts < end : ts === d.at;
    case '!=':
      return !compareDate(ts, '=', d);
    case '>':
      return ts >= end;
    case '>=':
      return ts >= d.at;
    case '<':
      return ts < d.at;
    case '<=':
      return ts < end;
    default:
      return false;
  }
}

/** Every term of `query` (lower-cased words, `*` as a wildcard suffix) occurs in `haystack`. */
export function fuzzyMatch(haystack: string, query: string): boolean {
  const terms = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}*]+/u)
    .filter(Boolean);
  if (!terms.length) return false;
  const hay = haystack.toLowerCase();
  return terms.every((term) => hay.includes(term.replace(/\*+$/, '').replace(/^\*+/, '')));
}
