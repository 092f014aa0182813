/**
 * CONFLUENCE_SEARCH_CONTENT: CQL search over v1 /search.
 */
import { cqlString } from './users.ts';
import type { ToolFn } from './types.ts';

/** A query that already reads as CQL (`field op value`), passed through rather than wrapped. */
const LOOKS_LIKE_CQL = /^\s*\(?\s*[a-zA-Z][\w.]*\s*(=|!=|~|!~|>=|<=|>|<|\s+in\s+|\s+not\s+in\s+)/i;

/** The CQL for a search: a title match on pages (or the caller's own CQL), narrowed to a space when given. */
export function buildSearchCql(query: string, spaceKey?: string | null): string {
  if (!LOOKS_LIKE_CQL.test(query)) {
    const base = `type = page AND title ~ ${cqlString(query)}`;
    return spaceKey ? `${base} AND space = ${cqlString(spaceKey)}` : base;
  }
  // ORDER BY must stay last, outside the parentheses that keep the caller's ORs apart from the space clause.
  const order = ORDER_BY.exec(query);
  const where = (order ? query.slice(0, order.index) : query).trim();
  const base = where ? `(${where})` : '';
  const scoped = spaceKey ? `${base ? `${base} AND ` : ''}space = ${cqlString(spaceKey)}` : base;
  return `${scoped}${order ? ` ${order[0].trim()}` : ''}`.trim();
}

/** A trailing ORDER BY clause (outside quotes is assumed: sort keys are plain words). */
const ORDER_BY = /\s+order\s+by\s+[\w.]+(\s+(asc|desc))?(\s*,\s*[\w.]+(\s+(asc|desc))?)*\s*$/i;

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
