/** Rendering templates during a run: prompts, instructions, tool-step arguments and assertion values. */
import { UserError } from '../shared/errors.ts';
import type { JsonSchema } from '../toolkit/types.ts';
import { isTemplated, type TemplateEngine } from '../workflow/templates.ts';

/** Renders one template; a failure (an unknown variable, a filter error) names what was being rendered. */
export function renderText(engine: TemplateEngine, text: string, scope: object, what: string): string {
  if (!isTemplated(text)) return text;
  try {
    return engine.render(text, scope);
  } catch (error) {
    throw new UserError(`cannot render ${what}: ${((error as Error).message.split('\n')[0] ?? '').trim()}`);
  }
}

/** Renders every string inside a value (tool arguments), then converts strings to the types the schema asks for. */
export function renderValue(engine: TemplateEngine, value: unknown, scope: object, what: string, schema?: JsonSchema): unknown {
  const rendered = deepMap(value, (text, path) => renderText(engine, text, scope, `${what}${path}`));
  return schema ? coerce(rendered, schema) : rendered;
}

function deepMap(value: unknown, visit: (text: string, path: string) => string, path = ''): unknown {
  if (typeof value === 'string') return visit(value, path);
  if (Array.isArray(value)) return value.map((v, i) => deepMap(v, visit, `${path}.${i}`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepMap(v, visit, `${path}.${k}`)]));
  }
  return value;
}

/**
 * Templates render to text, so `limit: "{{ inputs.n }}"` gives "5"; where the tool's schema wants a number,
 * boolean or null, a string that reads as one is converted.
 */
export function coerce(value: unknown, schema: JsonSchema): unknown {
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  // A single value where the schema wants a list (`spaceKey: "{{ inputs.space }}"` for an array parameter) becomes a one-item list.
  if (types.includes('array') && kind !== 'array' && kind !== 'null' && kind !== 'undefined' && !types.includes(kind)) {
    return [schema.items && typeof schema.items === 'object' ? coerce(value, schema.items as JsonSchema) : value];
  }
  if (typeof value === 'string' && !types.includes('string')) {
    const t = value.trim();
    if ((types.includes('integer') && /^-?\d+$/.test(t)) || (types.includes('number') && t !== '' && Number.isFinite(Number(t)))) return Number(t);
    if (types.includes('boolean') && (t === 'true' || t === 'false')) return t === 'true';
    if (types.includes('null') && t === '') return null;
    return value;
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === 'object') return value.map((v) => coerce(v, schema.items as JsonSchema));
  if (value && typeof value === 'object' && schema.properties) {
    const props = schema.properties as Record<string, JsonSchema>;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, props[k] ? coerce(v, props[k]) : v]));
  }
  return value;
}
