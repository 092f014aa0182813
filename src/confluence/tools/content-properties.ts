/**
 * Content property tools for pages, blog posts and whiteboards (v2 `/{pages|blogposts|whiteboards}/{id}/properties`).
 * Updates send the current version plus one, read first; tools given a key find the property id first.
 */
import { apiPath, type ConfluenceClient } from '../client.ts';
import { collectOffset, cursorOf, normalizeOffset, offsetResult, type V2List } from '../paging.ts';
import { propertyByKey } from '../resolve.ts';
import { propertyVersion, userRef, type V2Property } from '../shapes.ts';
import type { ToolFn } from './types.ts';

const V2 = '/wiki/api/v2';

/** POST a new property into a v2 properties collection. */
export function createProperty(client: ConfluenceClient, collection: string, key: string, value: unknown, signal?: AbortSignal) {
  return client.request<V2Property>({ api: 'v2', method: 'POST', path: collection, body: { key, value }, signal });
}

/** PUT a property's new value with the version after `current`. */
export function putProperty(client: ConfluenceClient, collection: string, current: V2Property, value: unknown, signal?: AbortSignal) {
  return client.request<V2Property>({
    api: 'v2',
    method: 'PUT',
    path: `${collection}/${encodeURIComponent(current.id)}`,
    signal,
    body: { key: current.key, value, version: { number: (current.version?.number ?? 1) + 1 } },
  });
}

/** DELETE a property by id; answers the schemas' empty object. */
export async function deleteProperty(client: ConfluenceClient, collection: string, propertyId: string, signal?: AbortSignal) {
  await client.request({ api: 'v2', method: 'DELETE', path: `${collection}/${encodeURIComponent(propertyId)}`, signal });
  return {};
}

/** A property with `_links.self` and an explicit version. */
function withLinks(collection: string, p: V2Property) {
  return { ...p, _links: { self: `${V2}${collection}/${p.id}` }, version: propertyVersion(p.version) };
}

/** The whiteboard schemas' flat shape: version as a number, created/updated times. */
function whiteboardShape(p: V2Property) {
  return { ...p, version: p.version?.number ?? 1, createdAt: p.version?.createdAt ?? '', updatedAt: p.version?.createdAt ?? '' };
}

// ---- pages ----

/** CONFLUENCE_CREATE_PAGE_PROPERTY: POST v2 /pages/{id}/properties; the value may be any JSON. */
export const createPageProperty: ToolFn = async (client, args: { key: string; page_id: string; value: unknown }, signal) => {
  const collection = apiPath`/pages/${args.page_id}/properties`;
  const p = await createProperty(client, collection, args.key, args.value, signal);
  return { ...withLinks(collection, p), createdAt: p.version?.createdAt ?? '', createdBy: userRef(p.version?.authorId) };
};

/** CONFLUENCE_GET_CONTENT_PROPERTIES_FOR_PAGE: GET v2 /pages/{id}/properties with cursor paging; `next` is the cursor. */
export const getContentPropertiesForPage: ToolFn = async (client, args: { page_id: string; cursor?: string | null; limit?: number | null }, signal) => {
  const lim = normalizeOffset(0, args.limit).limit;
  const list = await client.get<V2List<V2Property>>('v2', apiPath`/pages/${args.page_id}/properties`, { cursor: args.cursor ?? undefined, limit: lim }, signal);
  const results = (list?.results ?? []).map((p) => ({
    ...p,
    version: { ...propertyVersion(p.version), createdBy: userRef(p.version?.authorId) },
  }));
  return { results, limit: lim, size: results.length, next: cursorOf(list?._links?.next), prev: null };
};

/** CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_PAGE_BY_ID: GET then PUT v2 /pages/{id}/properties/{propertyId} (version + 1). */
export const updatePagePropertyById: ToolFn = async (client, args: { pageId: string; propertyId: string; value: unknown }, signal) => {
  const collection = apiPath`/pages/${args.pageId}/properties`;
  const current = await client.get<V2Property>('v2', apiPath`/pages/${args.pageId}/properties/${args.propertyId}`, undefined, signal);
  return withLinks(collection, await putProperty(client, collection, current, args.value, signal));
};

/** CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_PAGE_BY_ID: DELETE v2 /pages/{id}/properties/{propertyId}. */
export const deletePagePropertyById: ToolFn = (client, args: { pageId: string; propertyId: string }, signal) =>
  deleteProperty(client, apiPath`/pages/${args.pageId}/properties`, args.propertyId, signal);

// ---- blog posts ----

/** CONFLUENCE_CREATE_BLOGPOST_PROPERTY: POST v2 /blogposts/{id}/properties. */
export const createBlogpostProperty: ToolFn = async (client, args: { id: string; key: string; value: unknown }, signal) => {
  const collection = apiPath`/blogposts/${args.id}/properties`;
  return withLinks(collection, await createProperty(client, collection, args.key, args.value, signal));
};

/** CONFLUENCE_GET_CONTENT_PROPERTIES_FOR_BLOG_POST: GET v2 /blogposts/{id}/properties, offsets emulated. */
export const getContentPropertiesForBlogPost: ToolFn = async (client, args: { blogpost_id: string; limit?: number; start?: number }, signal) => {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const collection = apiPath`/blogposts/${args.blogpost_id}/properties`;
  const page = await collectOffset<V2Property>(client, collection, start, limit, { signal });
  return offsetResult(V2 + collection, page, (p) => withLinks(collection, p));
};

/** CONFLUENCE_UPDATE_BLOGPOST_PROPERTY: finds the property by key, then PUT with version + 1. */
export const updateBlogpostProperty: ToolFn = async (client, args: { id: string; propertyKey: string; value: unknown }, signal) => {
  const collection = apiPath`/blogposts/${args.id}/properties`;
  const current = await propertyByKey(client, collection, args.propertyKey, `blog post ${args.id}`, signal);
  return { ...withLinks(collection, await putProperty(client, collection, current, args.value, signal)), _expandable: {} };
};

/** CONFLUENCE_DELETE_BLOGPOST_PROPERTY: finds the property by key, then DELETE v2 .../properties/{propertyId}. */
export const deleteBlogpostProperty: ToolFn = async (client, args: { id: string; propertyKey: string }, signal) => {
  const collection = apiPath`/blogposts/${args.id}/properties`;
  const current = await propertyByKey(client, collection, args.propertyKey, `blog post ${args.id}`, signal);
  return deleteProperty(client, collection, current.id, signal);
};

// ---- whiteboards ----

/** CONFLUENCE_CREATE_CONTENT_PROPERTY_FOR_WHITEBOARD: POST v2 /whiteboards/{id}/properties. */
export const createWhiteboardProperty: ToolFn = async (client, args: { key: string; value: unknown; whiteboard_id: string }, signal) =>
  whiteboardShape(await createProperty(client, apiPath`/whiteboards/${args.whiteboard_id}/properties`, args.key, args.value, signal));

/** CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID: GET then PUT v2 /whiteboards/{id}/properties/{propertyId}. */
export const updateWhiteboardPropertyById: ToolFn = async (client, args: { propertyId: string; value: unknown; whiteboardId: string }, signal) => {
  const collection = apiPath`/whiteboards/${args.whiteboardId}/properties`;
  const current = await client.get<V2Property>('v2', apiPath`/whiteboards/${args.whiteboardId}/properties/${args.propertyId}`, undefined, signal);
  return whiteboardShape(await putProperty(client, collection, current, args.value, signal));
};

/** CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID: DELETE v2 /whiteboards/{id}/properties/{propertyId}. */
export const deleteWhiteboardPropertyById: ToolFn = (client, args: { propertyId: string; whiteboardId: string }, signal) =>
  deleteProperty(client, apiPath`/whiteboards/${args.whiteboardId}/properties`, args.propertyId, signal);
