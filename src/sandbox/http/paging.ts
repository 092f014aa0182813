/** Pagination as Confluence does it: v2 cursors with `_links.next` and a Link header, v1 start/limit. */
import type { Reply, RouteContext } from './context.ts';
import { badParam } from './errors.ts';

/** v2 limits: default and maximum page size. */
export const V2_LIMITS = { defaultLimit: 25, maxLimit: 250 };

/** Parses `limit` (default/max given); anything else than an integer in 1..max is a 400. */
export function parseLimit(query: URLSearchParams, defaultLimit: number, maxLimit: number): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return defaultLimit;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > maxLimit) {
    throw badParam(`Invalid value for limit: ${raw}. limit must be an integer between 1 and ${maxLimit}`);
  }
  return n;
}

/** Encodes an offset as an opaque cursor. */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, v: 1 })).toString('base64url');
}

/** Decodes a cursor; a malformed one is a 400. */
export function decodeCursor(cursor: string | null): number {
  if (cursor === null || cursor === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    /* falls through to the 400 */
  }
  throw badParam(`Invalid cursor: ${cursor}`);
}

/** One v2 page of `items`, mapped: `{results, _links:{next?, base}}` plus the Link header. */
export function pageV2<T>(ctx: RouteContext, items: T[], map: (item: T) => unknown): Reply {
  const limit = parseLimit(ctx.query, V2_LIMITS.defaultLimit, V2_LIMITS.maxLimit);
  const offset = decodeCursor(ctx.query.get('cursor'));
  const slice = items.slice(offset, offset + limit);
  const links: Record<string, string> = {};
  const headers: Record<string, string> = {};
  if (offset + limit < items.length) {
    const q = new URLSearchParams(ctx.query);
    q.set('cursor', encodeCursor(offset + limit));
    q.set('limit', String(limit));
    links.next = `${ctx.path}?${q.toString()}`;
    headers.Link = `<${links.next}>; rel="next", <${ctx.base}>; rel="base"`;
  }
  links.base = ctx.base;
  return { status: 200, body: { results: slice.map(map), _links: links }, headers };
}

/** One v1 page: `{results, start, limit, size, _links}`, `_links.next` starting `/rest/api/`. */
export function pageV1<T>(
  ctx: RouteContext,
  items: T[],
  map: (item: T) => unknown,
  opts: { defaultLimit?: number; maxLimit?: number; extra?: Record<string, unknown> } = {},
): Reply {
  const limit = parseLimit(ctx.query, opts.defaultLimit ?? 25, opts.maxLimit ?? 1000);
  const rawStart = ctx.query.get('start') ?? '0';
  const start = Number(rawStart);
  if (!Number.isInteger(start) || start < 0) throw badParam(`Invalid value for start: ${rawStart}`);
  const slice = items.slice(start, start + limit);
  const rest = ctx.path.replace(/^\/wiki/, '');
  const self = new URLSearchParams(ctx.query);
  const links: Record<string, string> = { base: ctx.base, context: '/wiki', self: `${ctx.base}${rest}${self.size ? `?${self}` : ''}` };
  if (start + limit < items.length) {
    const q = new URLSearchParams(ctx.query);
    q.set('start', String(start + limit));
    q.set('limit', String(limit));
    links.next = `${rest}?${q.toString()}`;
  }
  if (start > 0) {
    const q = new URLSearchParams(ctx.query);
    q.set('start', String(Math.max(0, start - limit)));
    q.set('limit', String(limit));
    links.prev = `${rest}?${q.toString()}`;
  }
  return { status: 200, body: { results: slice.map(map), start, limit, size: slice.length, ...opts.extra, _links: links } };
}

/** Values of a list parameter: repeated keys and comma-separated values both count. */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** A list parameter of numeric ids; anything non-numeric is a 400. */
export function idListParam(query: URLSearchParams, name: string): number[] {
  return listParam(query, name).map((v) => {
    if (!/^\d+$/.test(v)) throw badParam(`Invalid value for ${name}: ${v}`);
    return Number(v);
  });
}

/** A numeric path id; anything else is a 400 (as Confluence answers for non-numeric ids). */
export function pathId(ctx: RouteContext, name = 'id'): number {
  const raw = ctx.params[name] ?? '';
  if (!/^\d+$/.test(raw)) throw badParam(`Invalid value for ${name}: ${raw}`);
  return Number(raw);
}
