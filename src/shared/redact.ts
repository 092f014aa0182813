/** Keeps secrets out of run records, logs and error messages. */

const MASK = '[redacted]';
/** Object keys whose values are always masked, whatever they hold. */
const SECRET_KEY = /^(authorization|x-api-key|api[-_]?key|api[-_]?token|token|password|secret|access[-_]?token)$/i;

/** Masks secret values wherever they appear (as whole strings or inside them) and values under secret-looking keys. */
export type Redactor = <T>(value: T) => T;

/** Builds a redactor for these secret values (values shorter than 4 characters are ignored: too common to mask). */
export function createRedactor(secrets: readonly string[]): Redactor {
  const values = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  const text = (s: string): string => {
    let out = s;
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  };
  const walk = (value: unknown, key?: string): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && value !== null && value !== undefined && value !== '') return MASK;
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
      return out;
    }
    return value;
  };
  return <T>(value: T): T => walk(value) as T;
}

/** A value for a record: unchanged when its JSON is at most `limit` characters, else the JSON's first `limit` characters. */
export function truncateForRecord(value: unknown, limit: number): { value: unknown; truncated: boolean } {
  if (value === undefined) return { value, truncated: false };
  const json = JSON.stringify(value) ?? '';
  if (json.length <= limit) return { value, truncated: false };
  return { value: `${json.slice(0, limit)}…`, truncated: true };
}
