/** Keeps secrets out of run records, journals, logs and error messages. */
import { SecretRegistry } from './secrets.ts';

/** What a masked secret reads as. */
export const MASK = '[redacted]';
/** Object keys whose values are always masked, whatever they hold. */
const SECRET_KEY = /^(authorization|x-api-key|api[-_]?key|api[-_]?token|token|password|secret|access[-_]?token)$/i;

/** Masks secret values wherever they appear (as whole strings or inside them) and values under secret-looking keys. */
export type Redactor = <T>(value: T) => T;

/**
 * Builds a redactor over a live registry (values added later are masked too) or a fixed list of values.
 * Returns copies; the input is never changed. Values without any secret come back as equal copies.
 */
export function createRedactor(secrets: SecretRegistry | readonly string[]): Redactor {
  const registry = secrets instanceof SecretRegistry ? secrets : new SecretRegistry(secrets);
  return <T>(value: T): T => {
    const values = registry.values();
    const text = (s: string): string => {
      let out = s;
      for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(MASK);
      return out;
    };
    const walk = (v: unknown, key?: string): unknown => {
      if (key !== undefined && SECRET_KEY.test(key) && v !== null && v !== undefined && v !== '') return MASK;
      if (typeof v === 'string') return text(v);
      if (Array.isArray(v)) return v.map((item) => walk(item));
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, item] of Object.entries(v)) out[k] = walk(item, k);
        return out;
      }
      return v;
    };
    return walk(value) as T;
  };
}

/**
 * A value for a record: redacted, then unchanged when its JSON is at most `limit` characters, else the JSON's
 * first `limit` characters. Redaction comes first because a cut could split a secret where no redactor finds it.
 */
export function truncateForRecord(value: unknown, limit: number, redact: Redactor): { value: unknown; truncated: boolean } {
  if (value === undefined) return { value, truncated: false };
  value = redact(value);
  const json = JSON.stringify(value) ?? '';
  if (json.length <= limit) return { value, truncated: false };
  return { value: `${json.slice(0, limit)}…`, truncated: true };
}
