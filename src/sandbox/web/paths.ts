/** Confluence's web paths under `/wiki`, as the REST shapes' `_links.webui` name them, built for the HTML views. */
import type { ContentRow } from '../store/rows.ts';

/** The title as Confluence writes it in a path: percent-encoded, spaces as `+`. */
export function titleSlug(title: string): string {
  return encodeURIComponent(title).replace(/%20/g, '+');
}

/** `/wiki/spaces/KEY`. */
export function webSpacePath(key: string): string {
  return `/wiki/spaces/${encodeURIComponent(key)}`;
}

/** The page, blog post or whiteboard view of a content row (`/wiki` + its `_links.webui`). */
export function webContentPath(row: Pick<ContentRow, 'id' | 'type' | 'title' | 'created_at'>, spaceKey: string): string {
  const space = webSpacePath(spaceKey);
  if (row.type === 'blogpost') return `${space}/blog/${row.created_at.slice(0, 10).replace(/-/g, '/')}/${row.id}/${titleSlug(row.title)}`;
  if (row.type === 'whiteboard') return `${space}/whiteboard/${row.id}`;
  return `${space}/pages/${row.id}/${titleSlug(row.title)}`;
}

/** The search view for a CQL query. */
export function webSearchPath(cql: string): string {
  return `/wiki/search?${new URLSearchParams({ cql })}`;
}

/** The content id a `/x/<code>` tiny link names (base64url of the decimal id), or undefined. */
export function tinyLinkId(code: string): number | undefined {
  const text = Buffer.from(code, 'base64url').toString('utf8');
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}
