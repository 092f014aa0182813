/**
 * HTML built from tagged templates that escape every interpolated value, so a workflow name, a tool result or a
 * failure message can never become markup. Only {@link SafeHtml} (made by `html` itself or {@link raw}) passes through.
 */

/** Markup that is already safe to embed. */
export class SafeHtml {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A value a template may interpolate: text (escaped), markup, nothing, or a list of those. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The `html` tag: literal parts as written, interpolations escaped (`false`, `null` and `undefined` render nothing). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Trusted markup, written by this program (never data). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A query string from parameters, leaving out empty ones (`?a=1&b=x`, or '' when none). */
export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}
