/**
 * Safe markup for every page the runner serves (the dashboard, the sandbox's web views): an {@link Html} value can
 * only come from the {@link html} template (which escapes every interpolated string) or from {@link trustedHtml} over
 * a constant written in the code, so text from a record, a request or the store cannot reach a page unescaped.
 */

const TRUSTED = Symbol('trusted markup');

/** Markup that is safe to send: built by {@link html}, {@link trustedHtml} or the storage renderer. */
export class Html {
  /** The markup itself. */
  readonly markup: string;

  /** Use {@link html} or {@link trustedHtml}; the key keeps other modules from wrapping arbitrary strings. */
  constructor(markup: string, key: typeof TRUSTED) {
    if (key !== TRUSTED) throw new TypeError('Html is built with html`...` or trustedHtml()');
    this.markup = markup;
  }

  /** The markup, so an Html can be concatenated or written. */
  toString(): string {
    return this.markup;
  }
}

/** What {@link html} accepts between `${}`: text (escaped), markup, or lists and blanks of them. */
export type HtmlPart = Html | string | number | boolean | null | undefined | readonly HtmlPart[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text escaped for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function part(value: HtmlPart): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(part).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/** Tagged template: the literal parts are markup, every interpolated string is escaped, Html values are kept. */
export function html(strings: TemplateStringsArray, ...values: HtmlPart[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1]!;
  return new Html(out, TRUSTED);
}

/** Markup written as a constant in the code (a stylesheet); never call it with text from a request, a record or the store. */
export function trustedHtml(markup: string): Html {
  return new Html(markup, TRUSTED);
}

/** Joins parts (each escaped unless markup) into one Html. */
export function joinHtml(parts: readonly HtmlPart[], separator: HtmlPart = ''): Html {
  return new Html(parts.map(part).join(part(separator)), TRUSTED);
}
