/** v2 routes shared by pages and blog posts: list, create, read, update, delete, versions, labels, likes, attachments. */
import type { Router } from '../http/router.ts';
import type { RouteContext } from '../http/context.ts';
import { ok } from '../http/context.ts';
import type { ContentRow, ContentType, VersionRow } from '../store/rows.ts';
import { createContent, listContent, requireContent, trashContent, updateContent, versionOf, versionsOf } from '../store/content.ts';
import { contentLabels } from '../store/labels.ts';
import { attachmentsOf, likeCount } from '../store/extras.ts';
import { getSpace } from '../store/spaces.ts';
import { badParam, notFound } from '../http/errors.ts';
import { idListParam, listParam, pageV2, pathId } from '../http/paging.ts';
import { idField, objectBody, requiredString, statusField } from '../http/input.ts';
import { storageFromBody } from '../http/xhtml.ts';
import { contentUpdateOf } from './content-update.ts';
import type { BodyFormat } from './shapes-v2.ts';
import { attachmentJson, bodyFormat, labelJson, versionJson } from './shapes-v2.ts';

/** Renders a content row for one content type. */
export type ContentShape = (ctx: RouteContext, row: ContentRow, format: BodyFormat, opts?: { single?: boolean; at?: VersionRow }) => Record<string, unknown>;

const STATUSES = ['current', 'archived', 'draft', 'trashed', 'deleted', 'historical', 'any'];

/** The `status` list parameter (default current + archived); unknown values are a 400. */
export function statusList(ctx: RouteContext): string[] {
  const statuses = listParam(ctx.query, 'status');
  for (const s of statuses) if (!STATUSES.includes(s)) throw badParam(`Invalid value for status: ${s}`);
  return statuses.length ? statuses : ['current', 'archived'];
}

/** The content row addressed by the path, 404 when absent or of another type. */
export function contentAt(ctx: RouteContext, type: ContentType, name = 'id'): ContentRow {
  const id = pathId(ctx, name);
  const row = requireContent(ctx.store, id, type);
  if (row.status === 'deleted') throw notFound(`Content ${id}`);
  return row;
}

/** Registers the shared routes under `/wiki/api/v2/<plural>`. */
export function contentRoutes(router: Router, type: 'page' | 'blogpost', plural: string, shape: ContentShape): void {
  const base = `/wiki/api/v2/${plural}`;

  router.on('GET', base, (ctx) => {
    const format = bodyFormat(ctx);
    const rows = listContent(ctx.store, {
      type,
      statuses: statusList(ctx),
      spaceIds: idListParam(ctx.query, 'space-id'),
      ids: idListParam(ctx.query, 'id'),
      title: ctx.query.get('title') ?? undefined,
      sort: ctx.query.get('sort') ?? undefined,
    });
    return pageV2(ctx, rows, (row) => shape(ctx, row, format));
  });

  router.on('POST', base, (ctx) => {
    const body = objectBody(ctx.body);
    const spaceId = idField(body, 'spaceId', true);
    // Atlassian answers an unknown spaceId with 404 (the space may exist and be hidden from the caller).
    if (!getSpace(ctx.store, spaceId)) throw notFound(`Space ${spaceId}`);
    const status = statusField(body, ['current', 'draft'], 'current')!;
    const row = createContent(ctx.store, {
      type,
      spaceId,
      title: requiredString(body, 'title'),
      body: storageFromBody(body.body) ?? '',
      status,
      parentId: type === 'page' ? idField(body, 'parentId') : undefined,
      rootLevel: ctx.query.get('root-level') === 'true',
      authorId: ctx.user.account_id,
    });
    return ok(shape(ctx, row, 'storage', { single: true }));
  });

  router.on('GET', `${base}/:id`, (ctx) => {
    const row = contentAt(ctx, type);
    const wanted = listParam(ctx.query, 'status');
    if (wanted.length && !wanted.includes(row.status) && !wanted.includes('any')) throw notFound(`Content ${row.id}`);
    const raw = ctx.query.get('version');
    let at: VersionRow | undefined;
    if (raw !== null) {
      if (!/^\d+$/.test(raw)) throw badParam(`Invalid value for version: ${raw}`);
      at = versionOf(ctx.store, row.id, Number(raw));
      if (!at) throw notFound(`Version ${raw} of content ${row.id}`);
    }
    return ok(shape(ctx, row, bodyFormat(ctx), { single: true, at }));
  });

  router.on('PUT', `${base}/:id`, (ctx) => {
    const id = pathId(ctx);
    const body = objectBody(ctx.body);
    if (body.id !== undefined && String(body.id) !== String(id)) throw badParam('The id in the body does not match the path');
    const row = updateContent(ctx.store, id, type, contentUpdateOf(ctx, body, type === 'page' ? idField(body, 'parentId') : undefined));
    return ok(shape(ctx, row, 'storage', { single: true }));
  });

  router.on('DELETE', `${base}/:id`, (ctx) => {
    trashContent(ctx.store, pathId(ctx), type, ctx.user.account_id, ctx.query.get('purge') === 'true');
    return { status: 204 };
  });

  router.on('GET', `${base}/:id/versions`, (ctx) => {
    const row = contentAt(ctx, type);
    const sort = ctx.query.get('sort') ?? '-modified-date';
    const versions = versionsOf(ctx.store, row.id);
    if (sort === 'modified-date') versions.reverse();
    return pageV2(ctx, versions, (v) => versionJson(v));
  });

  router.on('GET', `${base}/:id/versions/:n`, (ctx) => {
    const row = contentAt(ctx, type);
    const n = pathId(ctx, 'n');
    const v = versionOf(ctx.store, row.id, n);
    if (!v) throw notFound(`Version ${n} of content ${row.id}`);
    return ok({
      number: v.number,
      authorId: v.author_id,
      message: v.message,
      createdAt: v.created_at,
      minorEdit: Boolean(v.minor_edit),
      contentTypeModified: false,
      collaborators: [v.author_id],
      prevVersion: n > 1 ? n - 1 : undefined,
      nextVersion: n < row.version ? n + 1 : undefined,
    });
  });

  router.on('GET', `${base}/:id/labels`, (ctx) => {
    const row = contentAt(ctx, type);
    return pageV2(ctx, contentLabels(ctx.store, String(row.id), ctx.query.get('prefix') ?? undefined), labelJson);
  });

  router.on('GET', `${base}/:id/likes/count`, (ctx) => ok({ count: likeCount(ctx.store, contentAt(ctx, type).id) }));

  router.on('GET', `${base}/:id/attachments`, (ctx) => {
    const row = contentAt(ctx, type);
    return pageV2(ctx, attachmentsOf(ctx.store, row.id), (a) => attachmentJson(ctx, a, row));
  });

  router.on('GET', `${base}/:id/operations`, (ctx) => {
    contentAt(ctx, type);
    const ops = ['read', 'update', 'delete'].map((operation) => ({ operation, targetType: type }));
    return ok({ operations: ops });
  });
}
