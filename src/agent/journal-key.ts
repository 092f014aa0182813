import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal arguments give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The journal key of a write: sha256 of the tool slug and its canonical arguments. */
export function journalKey(tool: string, args: unknown): string {
  return createHash('sha256').update(tool).update('\0').update(canonicalJson(args)).digest('hex');
}
