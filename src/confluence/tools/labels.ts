/**
 * Label tools: add labels to content (v1, the only label write), list site labels and the labels of a page,
 * blog post, attachment or space (v2).
 */
import { apiPath, type ConfluenceClient } from '../client.ts';
import { collectOffset, normalizeOffset, offsetLinks, offsetResult } from '../paging.ts';
import { spaceIdOf } from '../resolve.ts';
import type { ToolFn } from './types.ts';

const V2 = '/wiki/api/v2';

/** A label as v1 and v2 return it. */
interface Label {
  id: string | number;
  name: string;
  prefix: string;
  label?: string;
}

/** POST v1 /content/{id}/label; resolves to every label now on the content, each with string id and `_links`. */
export async function addLabels(client: ConfluenceClient, contentId: string, labels: { prefix: string; name: string }[], signal?: AbortSignal) {
  const r = await client.request<{ results?: Label[] } | Label[]>({
    api: 'v1',
    method: 'POST',
    path: apiPath`/content/${contentId}/label`,
    body: labels,
    signal,
  });
  const list = Array.isArray(r) ? r : (r?.results ?? []);
  return list.map((l) => ({ ...l, id: String(l.id), label: l.label ?? l.name, _links: { self: `/wiki/rest/api/label/${l.id}` } }));
}

/** CONFLUENCE_ADD_CONTENT_LABEL: POST v1 /content/{id}/label with `[{prefix, name}]`. */
export const addContentLabel: ToolFn = (client, args: { id: string; labels: { prefix: string; name: string }[] }, signal) =>
  addLabels(
    client,
    args.id,
    args.labels.map((l) => ({ prefix: l.prefix, name: l.name })),
    signal,
  );

/** Offset-emulated label list of a v2 collection, each label with `_links.self`. */
async function labelList(
  client: ConfluenceClient,
  path: string,
  args: { start?: number | null; limit?: number | null; prefix?: string | null },
  signal?: AbortSignal,
) {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const page = await collectOffset<Label>(client, path, start, limit, { query: { prefix: args.prefix ?? undefined }, signal });
  return offsetResult(V2 + path, page, (l) => ({ ...l, id: String(l.id), _links: { self: `${V2}/labels/${l.id}` } }));
}

/** CONFLUENCE_GET_LABELS_FOR_PAGE: GET v2 /pages/{id}/labels. */
export const getLabelsForPage: ToolFn = (client, args: { id: string; limit?: number; start?: number }, signal) =>
  labelList(client, apiPath`/pages/${args.id}/labels`, args, signal);

/** CONFLUENCE_GET_BLOGPOST_LABELS: GET v2 /blogposts/{id}/labels. */
export const getBlogpostLabels: ToolFn = (client, args: { id: string; limit?: number; start?: number }, signal) =>
  labelList(client, apiPath`/blogposts/${args.id}/labels`, args, signal);

/** CONFLUENCE_GET_ATTACHMENT_LABELS: GET v2 /attachments/{id}/labels. */
export const getAttachmentLabels: ToolFn = (client, args: { id: string; limit?: number; start?: number }, signal) =>
  labelList(client, apiPath`/attachments/${args.id}/labels`, args, signal);

/** CONFLUENCE_GET_LABELS: GET v2 /labels (every label on the site), with v1-style `links` and `_expandable`. */
export const getLabels: ToolFn = async (client, args: { limit?: number | null; start?: number | null }, signal) => {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const page = await collectOffset<Label>(client, '/labels', start, limit, { signal });
  const results = page.items.map((l) => ({ ...l, id: String(l.id) }));
  return { results, start, limit, size: results.length, links: offsetLinks(`${V2}/labels`, page), _expandable: {} };
};

/**
 * CONFLUENCE_GET_LABELS_FOR_SPACE: GET v2 /spaces/{id}/labels (a key is resolved to the id). v2 does not say who
 * added a label, so `owner` is an unknown user.
 */
export const getLabelsForSpace: ToolFn = async (client, args: { id: string; limit?: number | null; start?: number | null }, signal) => {
  const spaceId = await spaceIdOf(client, args.id, signal);
  const path = apiPath`/spaces/${spaceId}/labels`;
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const page = await collectOffset<Label>(client, path, start, limit, { signal });
  return offsetResult(V2 + path, page, (l) => ({
    ...l,
    id: String(l.id),
    label: l.name,
    owner: { type: 'unknown', accountId: '', displayName: null },
    _links: { self: `${V2}/labels/${l.id}`, context: null },
  }));
};

/** CONFLUENCE_GET_LABELS_FOR_SPACE_CONTENT: GET v2 /spaces/{id}/content/labels, optionally one `prefix`. */
export const getLabelsForSpaceContent: ToolFn = async (
  client,
  args: { id: string; limit?: number | null; start?: number | null; prefix?: string | null },
  signal,
) => {
  const spaceId = await spaceIdOf(client, args.id, signal);
  const path = apiPath`/spaces/${spaceId}/content/labels`;
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const page = await collectOffset<Label>(client, path, start, limit, { query: { prefix: args.prefix ?? undefined }, signal });
  return offsetResult(V2 + path, page, (l) => ({ ...l, id: String(l.id), owner: { type: 'unknown', accountId: '', displayName: null } }));
};
