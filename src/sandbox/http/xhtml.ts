/** Storage-format checks: the body must be well-formed XML once wrapped in a root declaring `ac:` and `ri:`. */
import { XMLValidator } from 'fast-xml-parser';
import { badBody } from './errors.ts';

const ROOT_OPEN =
  '<sandbox-root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier" xmlns:at="http://atlassian.com/template">';

/** HTML entities storage format uses, declared so the XML check accepts them. */
const ENTITIES = /&(nbsp|ndash|mdash|hellip|rsquo|lsquo|rdquo|ldquo|copy|reg|trade|euro|pound|middot|bull|laquo|raquo|times|deg|rarr|larr);/g;

/** Throws a 400 "Error parsing xhtml: ..." when `value` is not well-formed storage XML. */
export function assertStorage(value: string): void {
  const xml = `${ROOT_OPEN}${value.replace(ENTITIES, ' ')}</sandbox-root>`;
  const result = XMLValidator.validate(xml, { allowBooleanAttributes: true });
  if (result !== true) {
    const col = result.err.line === 1 ? result.err.col - ROOT_OPEN.length : result.err.col;
    throw badBody(`Error parsing xhtml: ${result.err.msg} [row,col]:[${result.err.line},${col}]`);
  }
}

/** The body value from a v2 request body (`body: {representation, value}`, or `body.storage`); validated. */
export function storageFromBody(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { representation?: unknown; value?: unknown; storage?: { value?: unknown } };
  let value: unknown;
  if (b.storage && typeof b.storage === 'object') value = b.storage.value;
  else {
    if (b.representation !== undefined && b.representation !== 'storage') {
      throw badBody(`Unsupported body representation '${String(b.representation)}': the sandbox accepts 'storage' only`);
    }
    value = b.value;
  }
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badBody('body.value must be a string');
  assertStorage(value);
  return value;
}

/** Plain text of a storage body: tags dropped, whitespace collapsed (for excerpts and text search). */
export function plainText(storage: string): string {
  return storage
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, ' $1 ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
