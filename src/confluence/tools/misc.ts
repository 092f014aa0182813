/**
 * The remaining tools: attachments of a page, content restrictions and audit records (v1), whiteboard creation.
 */
import { apiPath } from '../client.ts';
import { collectOffset, normalizeOffset, offsetResult } from '../paging.ts';
import { spaceIdOf } from '../resolve.ts';
import { userRef, type V2Content } from '../shapes.ts';
import type { ToolFn } from './types.ts';

const V2 = '/wiki/api/v2';

interface Attachment extends V2Content {
  mediaType?: string;
  fileSize?: number;
  downloadLink?: string;
  webuiLink?: string;
}

/** CONFLUENCE_GET_ATTACHMENTS: GET v2 /pages/{id}/attachments (optional `mediaType`), offsets emulated, v1-style items. */
export const getAttachments: ToolFn = async (client, args: { pageId: string; limit?: number; start?: number; mediaType?: string | null }, signal) => {
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const path = apiPath`/pages/${args.pageId}/attachments`;
  const page = await collectOffset<Attachment>(client, path, start, limit, { query: { mediaType: args.mediaType ?? undefined }, signal });
  return offsetResult(V2 + path, page, (a) => {
    const download = a._links?.download ?? a.downloadLink ?? null;
    return {
      ...a,
      type: 'attachment',
      status: a.status ?? 'current',
      title: a.title ?? '',
      mediaType: a.mediaType ?? null,
      extensions: { fileSize: a.fileSize ?? null, mediaType: a.mediaType ?? null },
      links: { base: a._links?.base ?? null, context: '/wiki', download },
      _links: { ...a._links, download, preview: null, tinyui: a._links?.tinyui ?? null, webui: a._links?.webui ?? a.webuiLink ?? null },
      version: {
        ...a.version,
        number: a.version?.number ?? 1,
        when: a.version?.createdAt ?? a.createdAt ?? '',
        message: a.version?.message || null,
        by: { ...userRef(a.version?.authorId), profilePicture: null },
      },
    };
  });
};

interface Restriction {
  operation: string;
  restrictions?: Record<string, unknown>;
  [key: string]: unknown;
}

/** CONFLUENCE_GET_CONTENT_RESTRICTIONS: GET v1 /content/{id}/restriction; `restrictions` is keyed by operation (read, update). */
export const getContentRestrictions: ToolFn = async (client, args: { id: string; expand?: string[] | null }, signal) => {
  const r = await client.get<{ results?: Restriction[]; _links?: object } & Record<string, unknown>>(
    'v1',
    apiPath`/content/${args.id}/restriction`,
    { expand: args.expand ?? undefined },
    signal,
  );
  const restrictions = Object.fromEntries((r?.results ?? []).map((x) => [x.operation, { ...x.restrictions, operation: x.operation }]));
  return { ...r, restrictions, _links: r?._links ?? {} };
};

interface AuditRecord {
  id?: string | number;
  creationDate?: number;
  associatedObjects?: unknown[];
  affectedObject?: object;
  [key: string]: unknown;
}

/**
 * CONFLUENCE_GET_AUDIT_LOGS: GET v1 /audit (`from_` → startDate, `to` → endDate). v1 records carry no id, so `id` is
 * the record's offset in this listing; `associatedItems`/`objectItem` are v1's `associatedObjects`/`affectedObject`.
 */
export const getAuditLogs: ToolFn = async (
  client,
  args: { from_?: string | null; to?: string | null; searchString?: string | null; start?: number | null; limit?: number | null },
  signal,
) => {
  const start = Math.max(0, Math.floor(args.start ?? 0));
  const r = await client.get<{ results?: AuditRecord[]; start?: number; limit?: number; size?: number; _links?: object }>(
    'v1',
    '/audit',
    {
      startDate: args.from_ ?? undefined,
      endDate: args.to ?? undefined,
      searchString: args.searchString ?? undefined,
      start,
      limit: args.limit == null ? undefined : Math.max(1, Math.floor(args.limit)),
    },
    signal,
  );
  const results = (r?.results ?? []).map((a, i) => ({
    ...a,
    id: String(a.id ?? start + i),
    author: (a.author as object | undefined) ?? {},
    category: String(a.category ?? ''),
    summary: String(a.summary ?? ''),
    creationDate: Number(a.creationDate ?? 0),
    remoteAddress: (a.remoteAddress as string | undefined) ?? null,
    associatedItems: (a.associatedItems as unknown[] | undefined) ?? a.associatedObjects ?? null,
    changedValues: (a.changedValues as unknown[] | undefined) ?? null,
    objectItem: (a.objectItem as object | undefined) ?? a.affectedObject ?? null,
  }));
  return { results, start: r?.start ?? start, limit: r?.limit ?? results.length, size: r?.size ?? results.length, _links: r?._links ?? {} };
};

/** CONFLUENCE_CREATE_WHITEBOARD: POST v2 /whiteboards (a space key is resolved to its id). */
export const createWhiteboard: ToolFn = async (client, args: { spaceId: string; title?: string | null; parentId?: string | null }, signal) => {
  const spaceId = await spaceIdOf(client, args.spaceId, signal);
  const w = await client.request<V2Content>({
    api: 'v2',
    method: 'POST',
    path: '/whiteboards',
    signal,
    body: { spaceId, ...(args.title ? { title: args.title } : {}), ...(args.parentId ? { parentId: args.parentId } : {}) },
  });
  return {
    ...w,
    spaceId: w.spaceId ?? spaceId,
    title: w.title ?? args.title ?? '',
    status: w.status ?? 'current',
    parentId: w.parentId ?? null,
    createdAt: w.createdAt ?? '',
    updatedAt: w.version?.createdAt ?? w.createdAt ?? '',
  };
};
