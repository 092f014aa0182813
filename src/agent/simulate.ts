/**
 * Preview mode: a plausible result for a write that was not executed, shaped by the tool's output schema and
 * filled from its arguments, and marked as simulated so neither the model nor a reader mistakes it for real.
 */
import type { JsonSchema, ToolEnvelope } from '../toolkit/types.ts';

/** The note every simulated result carries. */
export const SIMULATED_NOTE = 'preview mode: this write was NOT executed; the data below is simulated from the arguments';

/** Options of {@link simulateWrite}. */
export interface SimulateOptions {
  /** The tool's output schema from the catalogue (default: none, the arguments are echoed). */
  output?: JsonSchema;
  /** Ordinal used in simulated ids (`preview-<n>`). */
  n: number;
  /** ISO time for timestamp fields. */
  now: string;
}

/** Builds the simulated envelope of a write. */
export function simulateWrite(tool: string, args: Record<string, unknown>, options: SimulateOptions): ToolEnvelope & { simulated: true; note: string } {
  const data = options.output ? sample(options.output, args, options, 'data') : { ...args, id: `preview-${options.n}` };
  return { data, error: null, successful: true, simulated: true, note: `${SIMULATED_NOTE} (${tool})` };
}

function sample(schema: JsonSchema, given: unknown, options: SimulateOptions, key: string): unknown {
  const type = pickType(schema);
  if ('const' in schema) return schema.const;
  if (type === 'object') {
    const from = isObject(given) ? given : {};
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const out: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries(props)) {
      const required = ((schema.required as string[] | undefined) ?? []).includes(name);
      const value = from[name];
      // A given object the output describes further (an update's `version`) is completed, not copied: the result needs its required members.
      if (isObject(value) && prop.properties && matches(prop, value)) out[name] = sample(prop, value, options, name);
      else if (name in from && value !== null && matches(prop, value)) out[name] = value;
      else if (required) out[name] = sample(prop, value, options, name);
    }
    return out;
  }
  if (type === 'array') {
    const items = (schema.items ?? {}) as JsonSchema;
    // A write that returns a list (labels added, say) mirrors the list it was given.
    const source = Array.isArray(given) ? given : isObject(given) ? Object.values(given).find(Array.isArray) : undefined;
    return (source ?? []).map((element) => sample(items, element, options, key));
  }
  if (type === 'string') {
    if (Array.isArray(schema.enum)) return typeof given === 'string' && schema.enum.includes(given) ? given : schema.enum[0];
    if (typeof given === 'string') return given;
    if (/^id$|Id$/.test(key)) return `preview-${options.n}`;
    if (/At$|date|time/i.test(key)) return options.now;
    if (/url|link/i.test(key)) return '';
    return '';
  }
  if (type === 'integer' || type === 'number') return typeof given === 'number' ? given : 1;
  if (type === 'boolean') return typeof given === 'boolean' ? given : true;
  return null;
}

function pickType(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (Array.isArray(t)) return (t as string[]).find((x) => x !== 'null');
  return typeof t === 'string' ? t : schema.properties ? 'object' : undefined;
}

function matches(schema: JsonSchema, value: unknown): boolean {
  const type = pickType(schema);
  if (type === undefined) return true;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return isObject(value);
  if (type === 'integer') return Number.isInteger(value);
  return typeof value === type;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
