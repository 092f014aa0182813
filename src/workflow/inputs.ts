import { UserError } from '../shared/errors.ts';
import { didYouMean } from '../shared/suggest.ts';
import type { Workflow } from './types.ts';

/** Resolved input values by name. */
export type InputValues = Record<string, string | number | boolean>;

/** Parses repeated `--input key=value` flags into a map; a flag without `=` is a user error. */
export function parseInputFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UserError(`--input '${flag}' must look like name=value`);
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}

/** Applies defaults and converts given strings to each input's type; reports every problem at once. */
export function resolveInputs(workflow: Workflow, given: Record<string, unknown>): InputValues {
  const problems: string[] = [];
  const out: InputValues = {};
  const names = Object.keys(workflow.inputs);
  for (const key of Object.keys(given)) {
    if (!(key in workflow.inputs)) {
      problems.push(`unknown input '${key}'${didYouMean(key, names)} (${names.length ? `inputs: ${names.join(', ')}` : 'this workflow has no inputs'})`);
    }
  }
  for (const [name, spec] of Object.entries(workflow.inputs)) {
    const raw = given[name];
    if (raw === undefined) {
      if (spec.default !== undefined) out[name] = spec.default;
      else if (spec.required) problems.push(`input '${name}' is required${spec.description ? ` (${spec.description})` : ''}; pass --input ${name}=...`);
      continue;
    }
    const value = convert(raw, spec.type);
    if (value === undefined) problems.push(`input '${name}' must be a ${spec.type === 'enum' ? 'string' : spec.type}, got '${String(raw)}'`);
    else if (spec.type === 'enum' && !spec.values!.includes(String(value))) {
      problems.push(`input '${name}' must be one of ${spec.values!.join(', ')}, got '${String(raw)}'${didYouMean(String(raw), spec.values!)}`);
    } else out[name] = value;
  }
  if (problems.length) throw new UserError(problems.join('\n'));
  return out;
}

function convert(raw: unknown, type: string): string | number | boolean | undefined {
  if (type === 'number') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    return String(raw).trim() !== '' && Number.isFinite(n) ? n : undefined;
  }
  if (type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const s = String(raw).toLowerCase();
    return s === 'true' || s === 'yes' || s === '1' ? true : s === 'false' || s === 'no' || s === '0' ? false : undefined;
  }
  return String(raw);
}
