/**
 * Space tools: get, list, create (v2 and v1 private), delete (v1, a long-running task) and list a space's content (v1).
 */
import { apiPath } from '../client.ts';
import { collectOffset, normalizeOffset, offsetResult } from '../paging.ts';
import { spaceIdOf, spaceKeyOf, type V2Space } from '../resolve.ts';
import type { ToolFn } from './types.ts';

const V2 = '/wiki/api/v2';

/** A v2 space with the fields the schemas require present (absent description/icon become empty objects). */
function spaceRecord(s: V2Space, nullable = false) {
  const empty = nullable ? null : {};
  return {
    ...s,
    id: String(s.id),
    description: (s.description as object | undefined) ?? empty,
    icon: (s.icon as object | undefined) ?? empty,
    homepageId: (s.homepageId as string | undefined) ?? (nullable ? null : ''),
    status: (s.status as string | undefined) ?? 'current',
    type: (s.type as string | undefined) ?? 'global',
    _links: (s._links as object | undefined) ?? {},
  };
}

/** CONFLUENCE_GET_SPACE_BY_ID (and its double-prefixed twin): GET v2 /spaces/{id}; a key is resolved to the id. */
export const getSpaceById: ToolFn = async (client, args: { id: string }, signal) => {
  const spaceId = await spaceIdOf(client, args.id, signal);
  const space = await client.get<V2Space>('v2', apiPath`/spaces/${spaceId}`, { 'description-format': 'plain', 'include-icon': true }, signal);
  return spaceRecord(space);
};

interface GetSpacesArgs {
  expand?: string[] | null;
  label?: string[] | null;
  limit?: number;
  spaceKey?: string[] | null;
  start?: number;
  status?: string | null;
  type?: string | null;
}

/** CONFLUENCE_GET_SPACES: GET v2 /spaces (keys, type, status, labels), offsets emulated over cursors. */
export const getSpaces: ToolFn = async (client, args: GetSpacesArgs, signal) => {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const page = await collectOffset<V2Space>(client, '/spaces', start, limit, {
    query: {
      keys: args.spaceKey ?? undefined,
      type: args.type ?? undefined,
      status: args.status ?? undefined,
      labels: args.label ?? undefined,
      'description-format': 'plain',
      'include-icon': true,
    },
    signal,
  });
  return offsetResult(`${V2}/spaces`, page, (s) => spaceRecord(s, true));
};

interface CreateSpaceArgs {
  key: string;
  name: string;
  description?: { plain: { value: string } } | null;
  metadata?: Record<string, unknown> | null;
  type?: string | null;
}

/** CONFLUENCE_CREATE_SPACE: POST v2 /spaces (201). v2 creates global spaces only, so `type` and `metadata` are not sent. */
export const createSpace: ToolFn = async (client, args: CreateSpaceArgs, signal) => {
  const space = await client.request<V2Space>({
    api: 'v2',
    method: 'POST',
    path: '/spaces',
    signal,
    body: {
      key: args.key,
      name: args.name,
      ...(args.description ? { description: { value: args.description.plain.value, representation: 'plain' } } : {}),
    },
  });
  return spaceRecord(space);
};

/** CONFLUENCE_CREATE_PRIVATE_SPACE: POST v1 /space/_private (answers a v1 space; its numeric id becomes a string). */
export const createPrivateSpace: ToolFn = async (client, args: { key: string; name: string; description?: { plain: { value: string } } | null }, signal) => {
  const space = await client.request<Record<string, unknown>>({
    api: 'v1',
    method: 'POST',
    path: '/space/_private',
    signal,
    body: {
      key: args.key,
      name: args.name,
      ...(args.description ? { description: { plain: { value: args.description.plain.value, representation: 'plain' } } } : {}),
    },
  });
  return {
    ...space,
    id: String(space.id ?? ''),
    key: String(space.key ?? args.key),
    name: String(space.name ?? args.name),
    description: (space.description as object | undefined) ?? {},
    status: (space.status as string | undefined) ?? 'current',
    type: (space.type as string | undefined) ?? 'global',
    _links: (space._links as object | undefined) ?? {},
  };
};

/** CONFLUENCE_DELETE_SPACE: DELETE v1 /space/{key}; Confluence answers 202 with a long-running task, reported as `task`. */
export const deleteSpace: ToolFn = async (client, args: { space_key: string }, signal) => {
  const key = await spaceKeyOf(client, args.space_key, signal);
  const task = await client.request<unknown>({ api: 'v1', method: 'DELETE', path: apiPath`/space/${key}`, signal });
  return { success: true, ...(task && typeof task === 'object' ? { task } : {}) };
};

interface ContentArray {
  results?: Record<string, unknown>[];
  start?: number;
  limit?: number;
  size?: number;
  _links?: Record<string, string>;
}

interface GetSpaceContentsArgs {
  spaceKey: string;
  limit?: number | null;
  postingDay?: string | null;
  start?: number | null;
  status?: string | null;
  type?: string | null;
}

/**
 * CONFLUENCE_GET_SPACE_CONTENTS: GET v1 /space/{key}/content/{type}, or /space/{key}/content for pages and blog posts
 * together. `status` and `postingDay` are passed on as query parameters.
 */
export const getSpaceContents: ToolFn = async (client, args: GetSpaceContentsArgs, signal) => {
  const key = await spaceKeyOf(client, args.spaceKey, signal);
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const query = { start, limit, status: args.status ?? undefined, postingDay: args.postingDay ?? undefined };
  const path = args.type ? apiPath`/space/${key}/content/${args.type}` : apiPath`/space/${key}/content`;
  const r = await client.get<ContentArray & { page?: ContentArray; blogpost?: ContentArray }>('v1', path, query, signal);
  const arrays: ContentArray[] = args.type ? [r] : [r.page ?? {}, r.blogpost ?? {}];
  const results = arrays
    .flatMap((a) => a.results ?? [])
    .map((c) => ({
      ...c,
      id: String(c.id),
      status: String(c.status ?? 'current'),
      title: String(c.title ?? ''),
      type: String(c.type ?? args.type ?? 'page'),
    }));
  const next = arrays.map((a) => a._links?.next).find(Boolean) ?? null;
  const prev = arrays.map((a) => a._links?.prev).find(Boolean) ?? null;
  return {
    results,
    start,
    limit,
    size: results.length,
    _links: { self: r._links?.self ?? `/wiki/rest/api${path}`, next, prev },
  };
};
