/** JSON shapes of v2 responses, built from store rows (field sets follow Atlassian's OpenAPI document). */
import type { RouteContext } from '../http/context.ts';
import type { AttachmentRow, ContentPropertyRow, ContentRow, InlineCommentRow, LabelRow, SpacePropertyRow, SpaceRow, VersionRow } from '../store/rows.ts';
import { getSpace } from '../store/spaces.ts';
import { badParam } from '../http/errors.ts';
import { plainText } from '../http/xhtml.ts';

/** Body formats a client may ask for. */
export type BodyFormat = 'storage' | 'atlas_doc_format' | 'view' | undefined;

/** The `body-format` query parameter; unknown values are a 400. */
export function bodyFormat(ctx: RouteContext): BodyFormat {
  const raw = ctx.query.get('body-format') ?? undefined;
  if (raw === undefined) return undefined;
  if (raw === 'storage' || raw === 'atlas_doc_format' || raw === 'view') return raw;
  throw badParam(`Invalid value for body-format: ${raw}; allowed: storage, atlas_doc_format, view`);
}

/** The body member for a format: storage as is; view and atlas_doc_format derived from storage. */
export function bodyOf(storage: string, format: BodyFormat): Record<string, unknown> {
  if (format === 'storage') return { storage: { representation: 'storage', value: storage } };
  if (format === 'view') return { view: { representation: 'view', value: storage } };
  if (format === 'atlas_doc_format') {
    const text = plainText(storage);
    const doc = { type: 'doc', version: 1, content: text ? [{ type: 'paragraph', content: [{ type: 'text', text }] }] : [] };
    return { atlas_doc_format: { representation: 'atlas_doc_format', value: JSON.stringify(doc) } };
  }
  return {};
}

function slug(title: string): string {
  return encodeURIComponent(title).replace(/%20/g, '+');
}

function spaceKey(ctx: RouteContext, spaceId: number): string {
  return getSpace(ctx.store, spaceId)?.key ?? String(spaceId);
}

/** `{createdAt, message, number, minorEdit, authorId}`. */
export function versionJson(v: Pick<VersionRow, 'created_at' | 'message' | 'number' | 'minor_edit' | 'author_id'>): Record<string, unknown> {
  return { createdAt: v.created_at, message: v.message, number: v.number, minorEdit: Boolean(v.minor_edit), authorId: v.author_id };
}

/** The current-version summary of a content row. */
function currentVersion(ctx: RouteContext, row: ContentRow): Record<string, unknown> {
  const v = ctx.store.get<VersionRow>('SELECT * FROM versions WHERE content_id = ? AND number = ?', row.id, row.version);
  return versionJson(v ?? { created_at: row.updated_at, message: '', number: row.version, minor_edit: 0, author_id: row.author_id });
}

/** A page (bulk shape; `single` adds `_links.base`). `at` renders a historical version instead. */
export function pageJson(ctx: RouteContext, row: ContentRow, format: BodyFormat, opts: { single?: boolean; at?: VersionRow } = {}): Record<string, unknown> {
  const key = spaceKey(ctx, row.space_id);
  const out: Record<string, unknown> = {
    id: String(row.id),
    status: opts.at?.status ?? row.status,
    title: opts.at?.title ?? row.title,
    spaceId: String(row.space_id),
  };
  if (row.parent_id !== null) {
    out.parentId = String(row.parent_id);
    out.parentType = 'page';
  }
  Object.assign(out, {
    position: row.position,
    authorId: row.author_id,
    ownerId: row.owner_id,
    lastOwnerId: null,
    createdAt: row.created_at,
    version: opts.at ? versionJson(opts.at) : currentVersion(ctx, row),
    body: bodyOf(opts.at?.body ?? row.body, format),
    _links: {
      webui: `/spaces/${key}/pages/${row.id}/${slug(row.title)}`,
      editui: `/pages/resumedraft.action?draftId=${row.id}`,
      tinyui: `/x/${Buffer.from(String(row.id)).toString('base64url')}`,
      ...(opts.single ? { base: ctx.base } : {}),
    },
  });
  return out;
}

/** A blog post. */
export function blogpostJson(
  ctx: RouteContext,
  row: ContentRow,
  format: BodyFormat,
  opts: { single?: boolean; at?: VersionRow } = {},
): Record<string, unknown> {
  const key = spaceKey(ctx, row.space_id);
  const day = row.created_at.slice(0, 10).replace(/-/g, '/');
  return {
    id: String(row.id),
    status: opts.at?.status ?? row.status,
    title: opts.at?.title ?? row.title,
    spaceId: String(row.space_id),
    authorId: row.author_id,
    createdAt: row.created_at,
    version: opts.at ? versionJson(opts.at) : currentVersion(ctx, row),
    body: bodyOf(opts.at?.body ?? row.body, format),
    _links: {
      webui: `/spaces/${key}/blog/${day}/${row.id}/${slug(row.title)}`,
      editui: `/pages/resumedraft.action?draftId=${row.id}`,
      tinyui: `/x/${Buffer.from(String(row.id)).toString('base64url')}`,
      ...(opts.single ? { base: ctx.base } : {}),
    },
  };
}

/** A whiteboard. */
export function whiteboardJson(ctx: RouteContext, row: ContentRow): Record<string, unknown> {
  const key = spaceKey(ctx, row.space_id);
  const out: Record<string, unknown> = { id: String(row.id), type: 'whiteboard', status: row.status, title: row.title };
  if (row.parent_id !== null) {
    out.parentId = String(row.parent_id);
    out.parentType = 'page';
  }
  Object.assign(out, {
    position: row.position,
    authorId: row.author_id,
    ownerId: row.owner_id,
    createdAt: row.created_at,
    spaceId: String(row.space_id),
    version: currentVersion(ctx, row),
    _links: { webui: `/spaces/${key}/whiteboard/${row.id}`, editui: `/spaces/${key}/whiteboard/${row.id}`, base: ctx.base },
  });
  return out;
}

/** A space (bulk shape; `single` adds `_links.base`); description only when `description-format` asks. */
export function spaceJson(ctx: RouteContext, row: SpaceRow, opts: { single?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: String(row.id),
    key: row.key,
    name: row.name,
    type: row.type,
    status: row.status,
    authorId: row.author_id,
    currentActiveAlias: row.key,
    createdAt: row.created_at,
  };
  if (row.homepage_id !== null) out.homepageId = String(row.homepage_id);
  const fmt = ctx.query.get('description-format');
  if (fmt === 'plain' || fmt === 'view') {
    out.description = { [fmt]: { representation: fmt, value: fmt === 'view' ? `<p>${row.description}</p>` : row.description } };
  }
  out._links = { webui: `/spaces/${row.key}`, ...(opts.single ? { base: ctx.base } : {}) };
  return out;
}

/** A label. */
export function labelJson(row: LabelRow): Record<string, unknown> {
  return { id: String(row.id), name: row.name, prefix: row.prefix };
}

/** A content property. */
export function contentPropertyJson(row: ContentPropertyRow): Record<string, unknown> {
  return {
    id: String(row.id),
    key: row.key,
    value: JSON.parse(row.value),
    version: { createdAt: row.updated_at, message: row.message, number: row.version, minorEdit: false, authorId: row.author_id },
  };
}

/** A space property. */
export function spacePropertyJson(row: SpacePropertyRow): Record<string, unknown> {
  return {
    id: String(row.id),
    key: row.key,
    value: JSON.parse(row.value),
    createdAt: row.created_at,
    createdBy: row.created_by,
    version: { createdAt: row.updated_at, createdBy: row.updated_by, message: row.message, number: row.version },
  };
}

/** An attachment (id `att<digits>`). */
export function attachmentJson(ctx: RouteContext, row: AttachmentRow, owner: ContentRow | undefined): Record<string, unknown> {
  const key = owner ? spaceKey(ctx, owner.space_id) : '';
  const download = `/download/attachments/${row.content_id}/${encodeURIComponent(row.title)}?version=${row.version}&api=v2`;
  const webui = `/spaces/${key}/pages/${row.content_id}/attachments?preview=${encodeURIComponent(`/${row.content_id}/${row.title}`)}`;
  return {
    id: `att${row.id}`,
    status: row.status,
    title: row.title,
    createdAt: row.created_at,
    ...(owner?.type === 'blogpost' ? { blogPostId: String(row.content_id) } : { pageId: String(row.content_id) }),
    mediaType: row.media_type,
    mediaTypeDescription: row.media_type.split('/')[1]?.toUpperCase() ?? row.media_type,
    comment: row.comment,
    fileId: row.file_id,
    fileSize: row.file_size,
    webuiLink: webui,
    downloadLink: download,
    version: { createdAt: row.created_at, message: '', number: row.version, minorEdit: false, authorId: row.author_id },
    _links: { webui, download },
  };
}

/** A blog post's or page's inline comment. */
export function inlineCommentJson(ctx: RouteContext, row: InlineCommentRow, owner: ContentRow, format: BodyFormat): Record<string, unknown> {
  const key = spaceKey(ctx, owner.space_id);
  return {
    id: String(row.id),
    status: row.status,
    title: `Re: ${owner.title}`,
    ...(owner.type === 'blogpost' ? { blogPostId: String(owner.id) } : { pageId: String(owner.id) }),
    version: { createdAt: row.created_at, message: '', number: 1, minorEdit: false, authorId: row.author_id },
    body: bodyOf(row.body, format === 'view' ? 'view' : format === 'atlas_doc_format' ? 'atlas_doc_format' : format),
    resolutionStatus: row.resolution_status,
    properties: { inlineMarkerRef: row.marker_ref, inlineOriginalSelection: row.original_selection },
    _links: { webui: `/spaces/${key}/pages/${owner.id}?focusedCommentId=${row.id}` },
  };
}
