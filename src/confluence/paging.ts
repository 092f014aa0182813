/**
 * Paging helpers. v2 lists are cursor-paged, but many toolkit tools take `start`/`limit` offsets: those are
 * emulated by following cursors from the beginning until `start + limit` items are collected (one request when
 * `start + limit <= 250`), then slicing. The `_links.next`/`prev` of an emulated page name the offsets to pass back
 * (`<path>?start=50&limit=25`), since the tool's input has no cursor.
 */
import type { ConfluenceClient, Query } from './client.ts';

/** The v2 list envelope. */
export interface V2List<T> {
  results: T[];
  _links?: { next?: string; base?: string };
}

/** One emulated offset page. */
export interface OffsetPage<T> {
  /** The items from `start` to `start + limit`. */
  items: T[];
  /** Normalised start. */
  start: number;
  /** Normalised limit. */
  limit: number;
  /** Whether more items follow this page. */
  hasMore: boolean;
}

/** v2's largest page size. */
export const MAX_V2_LIMIT = 250;
/** Safety bound on cursor hops for one emulated page. */
const MAX_HOPS = 200;

/** Clamps offset arguments: start ≥ 0, 1 ≤ limit ≤ 250 (v2's maximum), both integers; null means the default. */
export function normalizeOffset(start: number | null | undefined, limit: number | null | undefined, defaultLimit = 25): { start: number; limit: number } {
  const s = Math.max(0, Math.floor(start ?? 0));
  const l = Math.min(MAX_V2_LIMIT, Math.max(1, Math.floor(limit ?? defaultLimit)));
  return { start: s, limit: l };
}

/** The `cursor` parameter of a v2 `_links.next` link, or null. */
export function cursorOf(next: string | null | undefined): string | null {
  if (!next) return null;
  const q = next.indexOf('?');
  if (q < 0) return null;
  return new URLSearchParams(next.slice(q + 1)).get('cursor');
}

/** Options of {@link collectOffset}. */
export interface CollectOptions<T> {
  /** Extra query parameters of the v2 list. */
  query?: Query;
  /** Items kept (client-side filter applied before offsets count). Default: all. */
  filter?: (item: T) => boolean;
  /** Aborts the paging. */
  signal?: AbortSignal;
}

/** Emulates `start`/`limit` over a cursor-paged v2 list at `path`. */
export async function collectOffset<T>(
  client: ConfluenceClient,
  path: string,
  start: number,
  limit: number,
  options: CollectOptions<T> = {},
): Promise<OffsetPage<T>> {
  const want = start + limit;
  const items: T[] = [];
  let cursor: string | null = null;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    // With a client-side filter we cannot predict how many raw items are needed, so take full pages.
    const pageSize = options.filter ? MAX_V2_LIMIT : Math.min(MAX_V2_LIMIT, Math.max(1, want - items.length));
    const page = await client.get<V2List<T>>('v2', path, { ...options.query, limit: pageSize, cursor }, options.signal);
    const results = page?.results ?? [];
    items.push(...(options.filter ? results.filter(options.filter) : results));
    cursor = cursorOf(page?._links?.next);
    if (!cursor || items.length > want) break;
    if (items.length === want) break;
  }
  return { items: items.slice(start, want), start, limit, hasMore: items.length > want || cursor !== null };
}

/** The `_links` of an emulated offset page: `self` is the tool's REST path, next/prev name offsets. */
export function offsetLinks(
  self: string,
  page: { start: number; limit: number; hasMore: boolean },
): { self: string; next: string | null; prev: string | null } {
  return {
    self,
    next: page.hasMore ? `${self}?start=${page.start + page.limit}&limit=${page.limit}` : null,
    prev: page.start > 0 ? `${self}?start=${Math.max(0, page.start - page.limit)}&limit=${page.limit}` : null,
  };
}

/** The `{results, start, limit, size, _links}` shape most offset tools answer with. */
export function offsetResult<T, U>(self: string, page: OffsetPage<T>, map: (item: T) => U) {
  const results = page.items.map(map);
  return { results, start: page.start, limit: page.limit, size: results.length, _links: offsetLinks(self, page) };
}
