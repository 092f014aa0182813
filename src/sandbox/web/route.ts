/**
 * Which web view an address names. The web views own `/wiki`, `/wiki/spaces...`, `/wiki/search` and `/wiki/x/...`
 * (and `/`, which leads to `/wiki`); everything else, the REST API under `/wiki/api` and `/wiki/rest` included, is
 * not theirs.
 */
import type { ContentType } from '../store/rows.ts';

/** A parsed web address. */
export type WebRoute =
  | { view: 'root' }
  | { view: 'spaces' }
  | { view: 'space'; key: string }
  | { view: 'content'; type: ContentType; key: string; id: number }
  | { view: 'search' }
  | { view: 'tiny'; code: string }
  /** Under the web paths, but no view: a 404 page. */
  | { view: 'unknown' };

const SPACE = '/wiki/spaces/';

/** The route of a request path, or undefined when the path is not a web path. */
export function webRouteOf(pathname: string): WebRoute | undefined {
  if (pathname === '/') return { view: 'root' };
  if (pathname === '/wiki' || pathname === '/wiki/' || pathname === '/wiki/spaces' || pathname === '/wiki/spaces/') return { view: 'spaces' };
  if (pathname === '/wiki/search' || pathname === '/wiki/search/') return { view: 'search' };
  if (pathname.startsWith('/wiki/x/')) {
    const code = pathname.slice('/wiki/x/'.length).replace(/\/$/, '');
    return /^[A-Za-z0-9_-]+$/.test(code) ? { view: 'tiny', code } : { view: 'unknown' };
  }
  if (!pathname.startsWith(SPACE)) return undefined;
  const parts = pathname.slice(SPACE.length).split('/');
  if (parts.at(-1) === '') parts.pop();
  let key: string;
  try {
    key = decodeURIComponent(parts[0] ?? '');
  } catch {
    return { view: 'unknown' };
  }
  const rest = parts.slice(1);
  if (!key) return { view: 'unknown' };
  if (rest.length === 0 || (rest.length === 1 && rest[0] === 'overview')) return { view: 'space', key };
  const id = (text: string | undefined) => (text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined);
  if (rest[0] === 'pages' && (rest.length === 2 || rest.length === 3) && id(rest[1]) !== undefined) {
    return { view: 'content', type: 'page', key, id: id(rest[1])! };
  }
  if (rest[0] === 'whiteboard' && rest.length === 2 && id(rest[1]) !== undefined) return { view: 'content', type: 'whiteboard', key, id: id(rest[1])! };
  if (rest[0] === 'blog' && (rest.length === 5 || rest.length === 6) && /^\d{4}$/.test(rest[1]!) && /^\d{2}$/.test(rest[2]!) && /^\d{2}$/.test(rest[3]!)) {
    const post = id(rest[4]);
    if (post !== undefined) return { view: 'content', type: 'blogpost', key, id: post };
  }
  return { view: 'unknown' };
}
