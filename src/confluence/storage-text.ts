/**
 * Confluence storage format (XHTML) as text a person can read before approving a write: paragraphs and headings on
 * their own lines, list items as bullets, table cells separated, macros and markup dropped, entities decoded.
 */

const BLOCK_END = /<\/(p|h[1-6]|li|tr|div|blockquote|pre|table|ul|ol|ac:task)>/gi;
const ENTITIES: Record<string, string> = { nbsp: ' ', lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', ndash: '–', mdash: '—', hellip: '…' };

/** The readable text of a storage body (at most `max` characters, cut with an ellipsis). */
export function storageToText(storage: string, max = 4000): string {
  const text = storage
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, code: string) => `\n${code}\n`)
    .replace(/<h([1-6])[^>]*>/gi, (_m, level: string) => `\n${'#'.repeat(Number(level))} `)
    .replace(/<li[^>]*>/gi, '\n- ')
    .replace(/<(br|hr)\s*\/?>/gi, '\n')
    .replace(/<\/t[dh]>/gi, ' | ')
    .replace(BLOCK_END, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (m, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? m;
    })
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line, i, all) => line !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The storage body a write's arguments carry (`body.value`, `body.storage.value`, or a string body), if any. */
export function storageOf(args: Record<string, unknown>): string | undefined {
  const body = args.body;
  if (typeof body === 'string') return body;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { value?: unknown; storage?: { value?: unknown } };
  if (typeof b.value === 'string') return b.value;
  if (typeof b.storage?.value === 'string') return b.storage.value;
  return undefined;
}
