/**
 * CONFLUENCE_SEARCH_CONTENT: CQL search over v1 /search.
 */
import { cqlString } from './users.ts';
import type { ToolFn } from './types.ts';

/** A query that already reads as CQL (`field op value`), passed through rather than wrapped. */
const LOOKS_LIKE_CQL = /^\s*\(?\s*[a-zA-Z][\w.]*\s*(=|!=|~|!~|>=|<=|>|<|\s+in\s+|\s+not\s+in\s+)/i;

/** The CQL for a search: a title match on pages (or the caller's own CQL), narrowed to a space when given. */
export function buildSearchCql(query: string, spaceKey?: string | null): string {
  const base = LOOKS_LIKE_CQL.test(query) ? `(${query})` : `type = page AND title ~ ${cqlString(query)}`;
  return spaceKey ? `${base} AND space = ${cqlString(spaceKey)}` : base;
}

/** CONFLUENCE_SEARCH_CONTENT: GET v1 /search?cql=...; `response_data` is Confluence's answer, ranked by relevance. */
export const searchContent: ToolFn = async (
  client,
  args: { query: string; spaceKey?: string | null; start?: number; limit?: number; expand?: string | null },
  signal,
) => {
  const cql = buildSearchCql(args.query, args.spaceKey);
  const r = await client.get<Record<string, unknown>>(
    'v1',
    '/search',
    {
      cql,
      start: Math.max(0, Math.floor(args.start ?? 0)),
      limit: Math.max(1, Math.floor(args.limit ?? 25)),
      expand: args.expand ? args.expand.split(',').map((e) => e.trim()) : undefined,
    },
    signal,
  );
  return { response_data: r ?? {} };
};
