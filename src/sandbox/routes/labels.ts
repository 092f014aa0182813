/** v2 label routes: all labels, pages and blog posts for a label, attachments' labels and attachments. */
import type { Router } from '../http/router.ts';
import type { RouteContext } from '../http/context.ts';
import { ok } from '../http/context.ts';
import { contentLabels, getLabel, listLabels, objectsWithLabel } from '../store/labels.ts';
import { getContent, listContent } from '../store/content.ts';
import { getAttachment } from '../store/extras.ts';
import type { AttachmentRow } from '../store/rows.ts';
import { badParam, notFound } from '../http/errors.ts';
import { idListParam, listParam, pageV2, pathId } from '../http/paging.ts';
import { statusList } from './content.ts';
import { attachmentJson, blogpostJson, bodyFormat, labelJson, pageJson } from './shapes-v2.ts';

function labelled(ctx: RouteContext, type: 'page' | 'blogpost') {
  const id = pathId(ctx);
  if (!getLabel(ctx.store, id)) throw notFound(`Label ${id}`);
  const ids = objectsWithLabel(ctx.store, id)
    .filter((o) => /^\d+$/.test(o))
    .map(Number);
  if (!ids.length) return [];
  return listContent(ctx.store, {
    type,
    ids,
    statuses: statusList(ctx),
    spaceIds: idListParam(ctx.query, 'space-id'),
    sort: ctx.query.get('sort') ?? undefined,
  });
}

function attachmentAt(ctx: RouteContext): AttachmentRow {
  const raw = ctx.params.id ?? '';
  const m = /^att(\d+)$/.exec(raw) ?? /^(\d+)$/.exec(raw);
  if (!m) throw badParam(`Invalid attachment id: ${raw}`);
  const row = getAttachment(ctx.store, Number(m[1]));
  if (!row) throw notFound(`Attachment ${raw}`);
  return row;
}

/** Registers `/wiki/api/v2/labels...` and `/wiki/api/v2/attachments/...`. */
export function labelRoutes(router: Router): void {
  router.on('GET', '/wiki/api/v2/labels', (ctx) => {
    const rows = listLabels(ctx.store, {
      ids: idListParam(ctx.query, 'label-id'),
      names: listParam(ctx.query, 'label-name'),
      prefixes: listParam(ctx.query, 'prefix'),
    });
    return pageV2(ctx, rows, labelJson);
  });

  router.on('GET', '/wiki/api/v2/labels/:id/pages', (ctx) => {
    const format = bodyFormat(ctx);
    return pageV2(ctx, labelled(ctx, 'page'), (r) => pageJson(ctx, r, format));
  });

  router.on('GET', '/wiki/api/v2/labels/:id/blogposts', (ctx) => {
    const format = bodyFormat(ctx);
    return pageV2(ctx, labelled(ctx, 'blogpost'), (r) => blogpostJson(ctx, r, format));
  });

  router.on('GET', '/wiki/api/v2/attachments/:id', (ctx) => {
    const row = attachmentAt(ctx);
    const body = attachmentJson(ctx, row, getContent(ctx.store, row.content_id));
    return ok({ ...body, _links: { ...(body._links as object), base: ctx.base } });
  });

  router.on('GET', '/wiki/api/v2/attachments/:id/labels', (ctx) => {
    const row = attachmentAt(ctx);
    return pageV2(ctx, contentLabels(ctx.store, `att${row.id}`, ctx.query.get('prefix') ?? undefined), labelJson);
  });
}
