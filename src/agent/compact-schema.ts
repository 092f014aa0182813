/**
 * Tool schemas as the model sees them, compacted: an optional parameter that may be null is shown as optional
 * only (`"type": "string"` rather than `["string", "null"]` with `"default": null`), since leaving it out means
 * the same. Every token of a tool definition is paid on every model request; the gateway still validates the
 * arguments against the backend's full schema.
 */
import type { JsonSchema } from '../toolkit/types.ts';

/** The compacted copy of an object schema (the input is not changed). */
export function compactSchema(schema: JsonSchema): JsonSchema {
  return compact(schema, false) as JsonSchema;
}

function compact(node: unknown, optional: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => compact(n, false));
  if (!node || typeof node !== 'object') return node;
  const s = { ...(node as Record<string, unknown>) };
  if (optional) {
    if (s.default === null) delete s.default;
    if (Array.isArray(s.type) && s.type.includes('null')) {
      const rest = (s.type as string[]).filter((t) => t !== 'null');
      s.type = rest.length === 1 ? rest[0] : rest;
    }
    if (Array.isArray(s.enum) && s.enum.includes(null)) s.enum = s.enum.filter((v) => v !== null);
  }
  if (s.properties && typeof s.properties === 'object') {
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    s.properties = Object.fromEntries(Object.entries(s.properties as Record<string, unknown>).map(([k, v]) => [k, compact(v, !required.has(k))]));
  }
  if (s.items) s.items = compact(s.items, false);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(s[key])) s[key] = compact(s[key], false);
  return s;
}
