/**
 * Blog post tools: create (with labels), read, update, list, versions, likes, operations, inline comments
 * (v2 `/blogposts`; label writes on v1).
 */
import { apiPath } from '../client.ts';
import { storageOf } from '../body.ts';
import { ConfluenceToolError } from '../errors.ts';
import { collectOffset, cursorOf, normalizeOffset, offsetResult, type V2List } from '../paging.ts';
import { displayNames, labelIdOf, spaceIdOf } from '../resolve.ts';
import { contentRecord, storageValue, userRef, webUrl, type V2Content, type V2Version } from '../shapes.ts';
import { addLabels } from './labels.ts';
import type { ToolFn } from './types.ts';

const V2 = '/wiki/api/v2';

interface CreateBlogpostArgs {
  body: unknown;
  labels?: { name: string }[] | null;
  metadata?: Record<string, unknown> | null;
  parentId?: string | null;
  spaceId: string;
  status: string;
  title: string;
}

/**
 * CONFLUENCE_CREATE_BLOGPOST: POST v2 /blogposts, then POST v1 /content/{id}/label when `labels` are given.
 * Blog posts have no parent, so `parentId` is ignored; `metadata` is echoed back (v2 has no metadata on create).
 */
export const createBlogpost: ToolFn = async (client, args: CreateBlogpostArgs, signal) => {
  const spaceId = await spaceIdOf(client, args.spaceId, signal);
  const value = storageOf(args.body);
  const post = await client.request<V2Content>({
    api: 'v2',
    method: 'POST',
    path: '/blogposts',
    signal,
    body: { spaceId, status: args.status, title: args.title, body: { representation: 'storage', value } },
  });
  let labels: unknown[] = [];
  if (args.labels && args.labels.length > 0) {
    try {
      labels = await addLabels(
        client,
        post.id,
        args.labels.map((l) => ({ prefix: 'global', name: l.name })),
        signal,
      );
    } catch (error) {
      signal?.throwIfAborted();
      // The post exists now; say so, or a model would create it twice.
      throw new ConfluenceToolError(
        `blog post ${post.id} was created, but adding its labels failed (${(error as Error).message}); add them with CONFLUENCE_ADD_CONTENT_LABEL`,
      );
    }
  }
  return {
    ...post,
    body: { representation: 'storage', value: storageValue(post) || value },
    createdAt: post.createdAt ?? '',
    updatedAt: post.version?.createdAt ?? post.createdAt ?? '',
    status: post.status ?? args.status,
    title: post.title ?? args.title,
    spaceId: post.spaceId ?? spaceId,
    version: post.version ?? { number: 1 },
    labels,
    metadata: args.metadata ?? {},
    webUrl: webUrl(post, client.baseUrl),
  };
};

interface UpdateBlogpostArgs {
  body: unknown;
  id: string;
  spaceId: string;
  status?: string | null;
  title: string;
  version: { number: number; message?: string | null; minorEdit?: boolean | null };
}

/** CONFLUENCE_UPDATE_BLOGPOST: PUT v2 /blogposts/{id}; `version.number` must be the current one plus one. */
export const updateBlogpost: ToolFn = async (client, args: UpdateBlogpostArgs, signal) => {
  const spaceId = await spaceIdOf(client, args.spaceId, signal);
  const sent = { representation: 'storage', value: storageOf(args.body) };
  const post = await client.request<V2Content>({
    api: 'v2',
    method: 'PUT',
    path: apiPath`/blogposts/${args.id}`,
    signal,
    body: {
      id: args.id,
      status: args.status ?? 'current',
      title: args.title,
      spaceId,
      body: sent,
      version: {
        number: args.version.number,
        ...(args.version.message ? { message: args.version.message } : {}),
        ...(args.version.minorEdit != null ? { minorEdit: args.version.minorEdit } : {}),
      },
    },
  });
  return contentRecord({ ...post, body: post.body?.storage ? post.body : { storage: sent } }, 'blogpost');
};

/** CONFLUENCE_GET_BLOGPOST_BY_ID: GET v2 /blogposts/{id}?body-format=storage. */
export const getBlogpostById: ToolFn = async (client, args: { id: string }, signal) => {
  const post = await client.get<V2Content>('v2', apiPath`/blogposts/${args.id}`, { 'body-format': 'storage' }, signal);
  const editor = post.version?.authorId ?? post.authorId;
  const names = await displayNames(client, [post.authorId, editor], signal);
  return {
    ...contentRecord(post, 'blogpost'),
    createdBy: userRef(post.authorId, names.get(post.authorId ?? '') ?? null),
    updatedBy: userRef(editor, names.get(editor ?? '') ?? null),
  };
};

/** CONFLUENCE_GET_BLOGPOST_LIKE_COUNT: GET v2 /blogposts/{id}/likes/count. */
export const getBlogpostLikeCount: ToolFn = async (client, args: { id: string }, signal) => {
  const r = await client.get<{ count?: number }>('v2', apiPath`/blogposts/${args.id}/likes/count`, undefined, signal);
  return { count: r?.count ?? 0 };
};

/** CONFLUENCE_GET_BLOGPOST_OPERATIONS: GET v2 /blogposts/{id}/operations, as a `{results, start, limit, size}` list. */
export const getBlogpostOperations: ToolFn = async (client, args: { id: string }, signal) => {
  const r = await client.get<{ operations?: { operation: string; targetType: string }[] }>('v2', apiPath`/blogposts/${args.id}/operations`, undefined, signal);
  const results = (r?.operations ?? []).map((o) => ({ ...o, targetKey: null }));
  return { results, start: 0, limit: results.length, size: results.length };
};

/** One cursor page of a v2 list: results plus the next cursor token and link. */
async function cursorPage(
  client: Parameters<ToolFn>[0],
  path: string,
  cursor: string | null | undefined,
  limit: number | null | undefined,
  signal?: AbortSignal,
) {
  const lim = limit == null ? undefined : normalizeOffset(0, limit).limit;
  const page = await client.get<V2List<V2Content>>('v2', path, { cursor: cursor ?? undefined, limit: lim }, signal);
  const nextLink = page?._links?.next ?? null;
  return { results: page?.results ?? [], next: cursorOf(nextLink), nextLink, limit: lim };
}

/** CONFLUENCE_GET_BLOGPOSTS: GET v2 /blogposts; `next` is the cursor to pass back. */
export const getBlogposts: ToolFn = async (client, args: { cursor?: string | null; limit?: number | null }, signal) => {
  const page = await cursorPage(client, '/blogposts', args.cursor, args.limit, signal);
  return {
    results: page.results.map((b) => ({ ...b, id: b.id, status: b.status ?? null, title: b.title ?? null, type: 'blogpost' })),
    next: page.next,
    _links: { self: `${V2}/blogposts`, next: page.nextLink, prev: null },
  };
};

/** Blog posts with v1-style `history`, the shape of GET_BLOG_POSTS and GET_BLOG_POSTS_FOR_LABEL. */
async function historyList(client: Parameters<ToolFn>[0], path: string, args: { cursor?: string | null; limit?: number | null }, signal?: AbortSignal) {
  const page = await cursorPage(client, path, args.cursor, args.limit, signal);
  const results = page.results.map((b) => ({
    ...b,
    status: b.status ?? 'current',
    title: b.title ?? '',
    type: 'blogpost',
    history: {
      createdAt: b.createdAt ?? null,
      createdBy: userRef(b.authorId),
      lastUpdatedAt: b.version?.createdAt ?? null,
      lastUpdatedBy: userRef(b.version?.authorId ?? b.authorId),
    },
  }));
  return { results, size: results.length, next: page.next, prev: null };
}

/** CONFLUENCE_GET_BLOG_POSTS: GET v2 /blogposts with creation/update history per post. */
export const getBlogPosts: ToolFn = (client, args: { cursor?: string | null; limit?: number | null }, signal) =>
  historyList(client, '/blogposts', args, signal);

/** CONFLUENCE_GET_BLOG_POSTS_FOR_LABEL: GET v2 /labels/{id}/blogposts (a label name is resolved to its id). */
export const getBlogPostsForLabel: ToolFn = async (client, args: { id: string; cursor?: string | null; limit?: number | null }, signal) => {
  const labelId = await labelIdOf(client, args.id, signal);
  return historyList(client, apiPath`/labels/${labelId}/blogposts`, args, signal);
};

/** CONFLUENCE_GET_BLOGPOST_VERSIONS: GET v2 /blogposts/{id}/versions with cursor paging, author names looked up. */
export const getBlogpostVersions: ToolFn = async (client, args: { blogpostId: string; cursor?: string | null; limit?: number | null }, signal) => {
  const path = apiPath`/blogposts/${args.blogpostId}/versions`;
  const lim = args.limit == null ? undefined : normalizeOffset(0, args.limit).limit;
  const page = await client.get<V2List<V2Version>>('v2', path, { cursor: args.cursor ?? undefined, limit: lim }, signal);
  const versions = page?.results ?? [];
  const names = await displayNames(
    client,
    versions.map((v) => v.authorId),
    signal,
  );
  return {
    results: versions.map((v) => ({
      id: args.blogpostId,
      status: 'current',
      type: 'blogpost',
      version: {
        ...v,
        createdAt: v.createdAt ?? '',
        message: v.message || null,
        createdBy: { id: v.authorId ?? '', displayName: names.get(v.authorId ?? '') ?? v.authorId ?? '' },
      },
    })),
    next: cursorOf(page?._links?.next),
    _links: { self: V2 + path, next: page?._links?.next ?? null, prev: null },
  };
};

/** CONFLUENCE_GET_BLOGPOST_VERSION_DETAILS: GET v2 /blogposts/{id}/versions/{n} plus the post at that version. */
export const getBlogpostVersionDetails: ToolFn = async (client, args: { blogpostId: string; versionNumber: number }, signal) => {
  const details = await client.get<V2Version>('v2', apiPath`/blogposts/${args.blogpostId}/versions/${args.versionNumber}`, undefined, signal);
  const post = await client.get<V2Content>('v2', apiPath`/blogposts/${args.blogpostId}`, { version: args.versionNumber, 'body-format': 'storage' }, signal);
  const names = await displayNames(client, [details?.authorId], signal);
  return {
    id: args.blogpostId,
    blogPostId: args.blogpostId,
    versionNumber: details?.number ?? args.versionNumber,
    title: post.title ?? '',
    status: post.status ?? 'current',
    body: post.body ?? {},
    createdAt: details?.createdAt ?? '',
    createdBy: userRef(details?.authorId, names.get(details?.authorId ?? '') ?? null),
    version: details,
  };
};

interface InlineComment extends V2Content {
  resolutionStatus?: string;
  properties?: { inlineMarkerRef?: string; inlineOriginalSelection?: string };
}

/**
 * CONFLUENCE_GET_INLINE_COMMENTS_FOR_BLOG_POST: GET v2 /blogposts/{id}/inline-comments?body-format=storage, offsets
 * emulated. v2 renders no `view` body here, so `body.view` carries the storage value (representation "storage").
 * `location`, `parentVersion` and `expand` are v1 options with no v2 equivalent and are ignored.
 */
export const getInlineCommentsForBlogPost: ToolFn = async (client, args: { id: string; limit?: number | null; start?: number | null }, signal) => {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const path = apiPath`/blogposts/${args.id}/inline-comments`;
  const page = await collectOffset<InlineComment>(client, path, start, limit, { query: { 'body-format': 'storage' }, signal });
  return offsetResult(V2 + path, page, (c) => {
    const value = c.body?.storage?.value;
    return {
      ...c,
      type: 'comment' as const,
      status: c.status ?? 'current',
      author: userRef(c.version?.authorId),
      body: value === undefined ? null : { view: { representation: 'storage', value }, storage: c.body?.storage },
      createdAt: c.version?.createdAt ?? '',
      updatedAt: c.version?.createdAt ?? '',
      location: { type: 'inline', markerRef: c.properties?.inlineMarkerRef ?? null, selection: c.properties?.inlineOriginalSelection ?? null },
      macroRenderedOutput: null,
      version: c.version ? { ...c.version, by: userRef(c.version.authorId), when: c.version.createdAt ?? '', number: c.version.number } : null,
    };
  });
};
