/**
 * Body inputs. Models send page bodies in several shapes; the tools accept a storage-format string and every object
 * shape the schemas declare (`{storage: {value}}`, `{representation, value}`, `{value}`), and reshape a loose one into
 * the tool's declared shape before validation.
 */

/** The storage-format value inside any accepted body shape ('' when none). */
export function storageOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (!body || typeof body !== 'object') return '';
  const b = body as Record<string, unknown>;
  if (b.storage && typeof b.storage === 'object') return storageOf(b.storage);
  if (typeof b.value === 'string') return b.value;
  return '';
}

/** Slugs whose `body` is declared as `{storage: {representation, value}}`. */
const NESTED = new Set(['CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_UPDATE_PAGE']);
/** Slugs whose `body` is declared as `{representation, value}`. */
const FLAT = new Set(['CONFLUENCE_CREATE_BLOGPOST', 'CONFLUENCE_UPDATE_BLOGPOST']);

/** Returns args with a string or differently nested `body` reshaped to what the slug's schema declares. */
export function coerceBody(slug: string, args: Record<string, unknown>): Record<string, unknown> {
  const body = args.body;
  if (body === undefined || body === null) return args;
  const isString = typeof body === 'string';
  const obj = (isString ? {} : body) as Record<string, unknown>;
  if (typeof obj !== 'object') return args;
  if (NESTED.has(slug) && (isString || (!('storage' in obj) && typeof obj.value === 'string'))) {
    return { ...args, body: { storage: { representation: 'storage', value: storageOf(body) } } };
  }
  if (FLAT.has(slug) && (isString || (obj.storage && typeof obj.storage === 'object') || (typeof obj.value === 'string' && !('representation' in obj)))) {
    return { ...args, body: { representation: 'storage', value: storageOf(body) } };
  }
  return args;
}
