import { didYouMean } from '../shared/suggest.ts';

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Offset of names[0]: month names start at 1, day names at 0. */
  nameBase?: number;
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

/** Expands `@daily`-style macros to five fields; other expressions are returned trimmed. */
export function normalizeCron(expression: string): string {
  const trimmed = expression.trim().replace(/\s+/g, ' ');
  return MACROS[trimmed.toLowerCase()] ?? trimmed;
}

/**
 * Checks a cron expression: five fields, or six with seconds first (as BullMQ, cron-parser and node-cron accept);
 * returns a message naming the bad field, or undefined when valid.
 */
export function cronProblem(expression: string): string | undefined {
  const normalized = normalizeCron(expression);
  if (normalized.startsWith('@')) {
    return `invalid cron '${expression}': unknown macro${didYouMean(normalized, Object.keys(MACROS))} (allowed: ${Object.keys(MACROS).join(', ')})`;
  }
  const parts = normalized === '' ? [] : normalized.split(' ');
  if (parts.length !== 5 && parts.length !== 6) {
    return `invalid cron '${expression}': expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, got ${parts.length}`;
  }
  const specs = parts.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  for (let i = 0; i < specs.length; i++) {
    const problem = fieldProblem(parts[i]!, specs[i]!);
    if (problem) return `invalid cron '${expression}': ${problem}`;
  }
  return undefined;
}

function fieldProblem(field: string, spec: FieldSpec): string | undefined {
  for (const item of field.split(',')) {
    if (item === '') return `${spec.name} field '${field}' has an empty list item`;
    const problem = itemProblem(item, spec);
    if (problem) return problem;
  }
  return undefined;
}

function itemProblem(item: string, spec: FieldSpec): string | undefined {
  const label = `${spec.name} field '${item}'`;
  if (spec.name === 'day-of-month' && (item === 'L' || item === '?')) return undefined;
  if (spec.name === 'day-of-week' && item === '?') return undefined;
  const [range, step, extra] = item.split('/');
  if (extra !== undefined) return `${label} has more than one '/'`;
  if (step !== undefined && !/^\d+$/.test(step)) return `${label} has a step '${step}' that is not a positive number`;
  if (step !== undefined && Number(step) === 0) return `${label} has a step of 0`;
  if (range === '*') return undefined;
  if (spec.name === 'day-of-week') {
    const nth = /^(\w+)#([1-5])$/.exec(range!) ?? /^(\w+)L$/.exec(range!);
    if (nth) return valueProblem(nth[1]!, spec, label);
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
  return undefined;
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
