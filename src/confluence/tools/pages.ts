/**
 * Page tools: create, read, update, delete, list, children, ancestors, versions, likes (v2 `/pages`).
 */
import { apiPath, type ConfluenceClient } from '../client.ts';
import { storageOf } from '../body.ts';
import { collectOffset, normalizeOffset, offsetResult, type V2List } from '../paging.ts';
import { displayNames, labelIdOf, spaceIdOf, spacesById } from '../resolve.ts';
import { contentRecord, userRef, v1Version, type V2Content, type V2Version } from '../shapes.ts';
import type { ToolFn } from './types.ts';

const V2 = '/wiki/api/v2';

/** Storage body of a page as v2 wants it on writes. */
function writeBody(body: unknown) {
  return { representation: 'storage', value: storageOf(body) };
}

/** CONFLUENCE_CREATE_PAGE: POST v2 /pages; without `parentId` Confluence files it under the space homepage. */
export const createPage: ToolFn = async (client, args: { body: unknown; parentId?: string | null; spaceId: string; title: string }, signal) => {
  const spaceId = await spaceIdOf(client, args.spaceId, signal);
  const sent = writeBody(args.body);
  const page = await client.request<V2Content>({
    api: 'v2',
    method: 'POST',
    path: '/pages',
    signal,
    body: { spaceId, status: 'current', title: args.title, ...(args.parentId ? { parentId: args.parentId } : {}), body: sent },
  });
  return contentRecord({ ...page, body: page.body?.storage ? page.body : { storage: sent } }, 'page');
};

/** CONFLUENCE_UPDATE_PAGE: PUT v2 /pages/{id}; the caller's `version.number` must be the current one plus one. */
export const updatePage: ToolFn = async (
  client,
  args: { body: unknown; id: string; spaceId: string; title: string; version: { number: number; message?: string | null } },
  signal,
) => {
  const spaceId = await spaceIdOf(client, args.spaceId, signal);
  const sent = writeBody(args.body);
  const page = await client.request<V2Content>({
    api: 'v2',
    method: 'PUT',
    path: apiPath`/pages/${args.id}`,
    signal,
    body: {
      id: args.id,
      status: 'current',
      title: args.title,
      spaceId,
      body: sent,
      version: { number: args.version.number, ...(args.version.message ? { message: args.version.message } : {}) },
    },
  });
  return contentRecord({ ...page, body: page.body?.storage ? page.body : { storage: sent } }, 'page');
};

/** CONFLUENCE_GET_PAGE_BY_ID: GET v2 /pages/{id}?body-format=storage, optionally a past `version` or the draft. */
export const getPageById: ToolFn = async (client, args: { id: string; version?: number | null; draft?: boolean | null }, signal) => {
  const page = await client.get<V2Content>(
    'v2',
    apiPath`/pages/${args.id}`,
    {
      'body-format': 'storage',
      version: args.version ?? undefined,
      'get-draft': args.draft ? true : undefined,
    },
    signal,
  );
  const names = await displayNames(client, [page.authorId, page.version?.authorId], signal);
  const record = contentRecord(page, 'page');
  const editor = page.version?.authorId;
  return {
    ...record,
    author: userRef(page.authorId, names.get(page.authorId ?? '') ?? null),
    version: { ...record.version, by: userRef(editor, names.get(editor ?? '') ?? null) },
  };
};

/** CONFLUENCE_DELETE_PAGE: reads the page, then DELETE v2 /pages/{id} (moves it to the trash); answers the trashed record. */
export const deletePage: ToolFn = async (client, args: { id: string }, signal) => {
  const page = await client.get<V2Content>('v2', apiPath`/pages/${args.id}`, undefined, signal);
  await client.request({ api: 'v2', method: 'DELETE', path: apiPath`/pages/${args.id}`, signal });
  const record = contentRecord(page, 'page');
  const { version: _version, body: _body, ...rest } = record;
  return { ...rest, status: 'trashed', deletedAt: new Date().toISOString() };
};

const SORT_FIELDS: Record<string, string> = {
  id: 'id',
  title: 'title',
  created: 'created-date',
  createdat: 'created-date',
  'created-date': 'created-date',
  modified: 'modified-date',
  updated: 'modified-date',
  updatedat: 'modified-date',
  lastmodified: 'modified-date',
  'modified-date': 'modified-date',
};

/** Maps a loose sort name plus direction to v2's sort values (`title`, `-modified-date`, ...); unknown names are passed on. */
export function v2Sort(sort: string | null | undefined, direction: string | null | undefined): string | undefined {
  if (!sort) return direction === 'desc' ? '-id' : undefined;
  const desc = sort.startsWith('-') || direction === 'desc';
  const bare = sort.replace(/^[-+]/, '');
  const field = SORT_FIELDS[bare.toLowerCase()] ?? bare;
  return desc ? `-${field}` : field;
}

interface GetPagesArgs {
  authorId?: string | null;
  direction?: string | null;
  expand?: string[] | null;
  label?: string[] | null;
  limit?: number;
  sort?: string | null;
  spaceId?: string | null;
  start?: number;
  status?: string | null;
  type?: string | null;
}

/**
 * CONFLUENCE_GET_PAGES: GET v2 /pages (or /blogposts when `type` is blogpost), offsets emulated over cursors.
 * `label` goes through GET v2 /labels/{id}/pages (several labels: pages carrying all of them); `authorId` is
 * filtered client-side (v2 has no author filter); `expand` containing "body" asks for storage bodies.
 */
export const getPages: ToolFn = async (client, args: GetPagesArgs, signal) => {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const spaceId = args.spaceId ? await spaceIdOf(client, args.spaceId, signal) : undefined;
  const kind = args.type === 'blogpost' ? 'blogpost' : 'page';
  const query = {
    'space-id': spaceId,
    status: args.status ? args.status.split(',').map((s) => s.trim()) : undefined,
    sort: v2Sort(args.sort, args.direction),
    'body-format': args.expand?.some((e) => e.startsWith('body')) ? 'storage' : undefined,
  };
  let path = kind === 'blogpost' ? '/blogposts' : '/pages';
  let allowed: Set<string> | undefined;
  const labels = args.label ?? [];
  if (labels.length > 0) {
    const ids = await Promise.all(labels.map((l) => labelIdOf(client, l, signal)));
    path = apiPath`/labels/${ids[0] ?? ''}` + (kind === 'blogpost' ? '/blogposts' : '/pages');
    for (const other of ids.slice(1)) {
      const page = await collectOffset<V2Content>(client, apiPath`/labels/${other}` + (kind === 'blogpost' ? '/blogposts' : '/pages'), 0, 10_000, {
        query: { 'space-id': spaceId },
        signal,
      });
      const these = new Set(page.items.map((p) => p.id));
      allowed = allowed ? new Set([...allowed].filter((id) => these.has(id))) : these;
    }
  }
  const filter = args.authorId || allowed ? (p: V2Content) => (!args.authorId || p.authorId === args.authorId) && (!allowed || allowed.has(p.id)) : undefined;
  const page = await collectOffset<V2Content>(client, path, start, limit, { query, filter, signal });
  const spaces = await spacesById(
    client,
    page.items.map((p) => p.spaceId ?? ''),
    signal,
  ).catch(() => new Map());
  const names = await displayNames(
    client,
    page.items.map((p) => p.version?.authorId),
    signal,
  );
  return offsetResult(`${V2}${kind === 'blogpost' ? '/blogposts' : '/pages'}`, page, (p) => {
    const space = spaces.get(p.spaceId ?? '');
    const authorId = p.version?.authorId ?? p.authorId;
    return {
      ...p,
      type: kind,
      space: { id: p.spaceId ?? '', key: space?.key ?? null, name: space?.name ?? null },
      version: { ...v1Version(p.version, p.createdAt), by: userRef(authorId, names.get(authorId ?? '') ?? null) },
      _links: {
        ...p._links,
        self: `${V2}/${kind === 'blogpost' ? 'blogposts' : 'pages'}/${p.id}`,
        tinyui: p._links?.tinyui ?? null,
        webui: p._links?.webui ?? null,
      },
    };
  });
};

/** CONFLUENCE_GET_CHILD_PAGES: GET v2 /pages/{id}/children, offsets emulated over cursors. */
export const getChildPages: ToolFn = async (client, args: { id: string; limit?: number; start?: number }, signal) => {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const path = apiPath`/pages/${args.id}/children`;
  const page = await collectOffset<V2Content>(client, path, start, limit, { signal });
  return offsetResult(V2 + path, page, (c) => ({
    ...c,
    type: 'page',
    spaceId: c.spaceId ?? '',
    status: c.status ?? 'current',
    title: c.title ?? '',
    _links: { self: `${V2}/pages/${c.id}`, tinyui: c._links?.tinyui ?? null, webui: c._links?.webui ?? null },
  }));
};

/** CONFLUENCE_GET_PAGE_ANCESTORS: GET v2 /pages/{id}/ancestors (root first), detailed by one GET v2 /pages?id=... */
export const getPageAncestors: ToolFn = async (client, args: { id: string }, signal) => {
  const list = await client.get<V2List<{ id: string; type?: string }>>('v2', apiPath`/pages/${args.id}/ancestors`, { limit: 250 }, signal);
  const ancestors = list?.results ?? [];
  const pageIds = ancestors.filter((a) => (a.type ?? 'page') === 'page').map((a) => a.id);
  const details = new Map<string, V2Content>();
  if (pageIds.length > 0) {
    const pages = await client.get<V2List<V2Content>>('v2', '/pages', { id: pageIds, limit: 250 }, signal);
    for (const p of pages?.results ?? []) details.set(String(p.id), p);
  }
  const results = ancestors.map((a) => {
    const d = details.get(String(a.id));
    return {
      ...d,
      id: String(a.id),
      type: a.type ?? 'page',
      spaceId: d?.spaceId ?? '',
      status: d?.status ?? 'current',
      title: d?.title ?? '',
      macroRenderedOutput: null,
      _links: d?._links ?? {},
      _expandable: {},
    };
  });
  return { results, start: 0, limit: results.length, size: results.length };
};

/** CONFLUENCE_GET_PAGE_VERSIONS: GET v2 /pages/{id}/versions (newest first), offsets emulated, author names looked up. */
export const getPageVersions: ToolFn = async (client, args: { id: string; limit?: number; start?: number }, signal) => {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const path = apiPath`/pages/${args.id}/versions`;
  const page = await collectOffset<V2Version>(client, path, start, limit, { signal });
  const names = await displayNames(
    client,
    page.items.map((v) => v.authorId),
    signal,
  );
  return offsetResult(V2 + path, page, (v) => ({
    ...v,
    id: String(v.number),
    createdAt: v.createdAt ?? '',
    message: v.message || null,
    minorEdit: v.minorEdit ?? false,
    createdBy: { accountId: v.authorId ?? '', id: v.authorId ?? '', displayName: names.get(v.authorId ?? '') ?? v.authorId ?? '' },
  }));
};

/** CONFLUENCE_GET_PAGE_LIKE_COUNT: GET v2 /pages/{id}/likes/count, answered as `{value}` (and `count`). */
export const getPageLikeCount: ToolFn = async (client: ConfluenceClient, args: { id: string }, signal) => {
  const r = await client.get<{ count?: number }>('v2', apiPath`/pages/${args.id}/likes/count`, undefined, signal);
  return { value: r?.count ?? 0, count: r?.count ?? 0 };
};
