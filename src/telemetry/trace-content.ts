/**
 * Content on spans (prompts, answers, tool payloads), only with RUNNER_TRACE_CONTENT=on: always redacted with the
 * run's redactor, then cut, so a collector never holds a secret nor a page body of megabytes.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Redactor } from '../shared/redact.ts';

/** Longest content attribute, in characters; a longer value is cut there and ends in `…`. */
export const CONTENT_MAX_CHARS = 16_000;

/** A value as an attribute: redacted, as text (JSON unless it is a string), cut to {@link CONTENT_MAX_CHARS}. */
export function contentText(value: unknown, redact: Redactor): string | undefined {
  if (value === undefined || value === null) return undefined;
  const safe = redact(value);
  const text = typeof safe === 'string' ? safe : (JSON.stringify(safe) ?? '');
  return text.length <= CONTENT_MAX_CHARS ? text : `${text.slice(0, CONTENT_MAX_CHARS)}…`;
}

/** Content attributes from `values` (name → value), or none when content is off. */
export function contentAttributes(on: boolean, redact: Redactor, values: Record<string, unknown>): Attributes {
  if (!on) return {};
  const out: Attributes = {};
  for (const [name, value] of Object.entries(values)) {
    const text = contentText(value, redact);
    if (text !== undefined) out[name] = text;
  }
  return out;
}
