/** v1 content routes: update, labels (read, add, remove) and restrictions. */
import type { Router } from '../http/router.ts';
import type { RouteContext } from '../http/context.ts';
import { ok } from '../http/context.ts';
import type { ContentRow } from '../store/rows.ts';
import { getContent, updateContent } from '../store/content.ts';
import { addContentLabels, contentLabels, removeContentLabel } from '../store/labels.ts';
import { restrictionsOf } from '../store/extras.ts';
import { getAttachment } from '../store/extras.ts';
import { getUser } from '../store/people.ts';
import { badBody, notFound } from '../http/errors.ts';
import { pageV1 } from '../http/paging.ts';
import { contentV1, labelV1, userV1 } from './shapes-v1.ts';
import { objectBody } from '../http/input.ts';
import { contentUpdateOf } from './content-update.ts';

/** The object a v1 content path addresses: page, blog post, whiteboard (digits) or attachment (`att<digits>`). */
function objectAt(ctx: RouteContext): { objectId: string; row?: ContentRow } {
  const raw = ctx.params.id ?? '';
  const att = /^att(\d+)$/.exec(raw);
  if (att && getAttachment(ctx.store, Number(att[1]))) return { objectId: raw };
  if (/^\d+$/.test(raw)) {
    const row = getContent(ctx.store, Number(raw));
    if (row && row.status !== 'deleted') return { objectId: raw, row };
  }
  throw notFound(`No content found with id: ${raw}`);
}

/** Registers `PUT /wiki/rest/api/content/{id}` (update), `/wiki/rest/api/content/{id}/label...` and `/restriction`. */
export function v1ContentRoutes(router: Router): void {
  // v1 update: title, body.storage and version.number (current + 1, else 409); answers the content with body and version.
  router.on('PUT', '/wiki/rest/api/content/:id', (ctx) => {
    const { row } = objectAt(ctx);
    if (!row || row.type === 'whiteboard') throw notFound(`No content found with id: ${ctx.params.id}`);
    const body = objectBody(ctx.body);
    if (body.type !== undefined && body.type !== row.type) throw badBody(`type must be '${row.type}' for content ${row.id}`);
    const parent = (body.ancestors as Array<{ id?: unknown }> | undefined)?.at(-1)?.id;
    const parentId = row.type === 'page' && parent !== undefined && parent !== null ? Number(parent) : undefined;
    const updated = updateContent(ctx.store, row.id, row.type, contentUpdateOf(ctx, body, parentId));
    return ok(contentV1(ctx, updated, ['body.storage', 'version', 'space', 'history']));
  });

  router.on('GET', '/wiki/rest/api/content/:id/label', (ctx) => {
    const { objectId } = objectAt(ctx);
    return pageV1(ctx, contentLabels(ctx.store, objectId, ctx.query.get('prefix') ?? undefined), labelV1, { defaultLimit: 200 });
  });

  router.on('POST', '/wiki/rest/api/content/:id/label', (ctx) => {
    const { objectId } = objectAt(ctx);
    const items = Array.isArray(ctx.body) ? ctx.body : [ctx.body];
    const labels = items.map((item) => {
      const l = item as { prefix?: unknown; name?: unknown } | null;
      if (!l || typeof l !== 'object' || typeof l.name !== 'string') throw badBody('Each label must be {"prefix": "global", "name": "..."}');
      return { prefix: typeof l.prefix === 'string' ? l.prefix : 'global', name: l.name };
    });
    if (!labels.length) throw badBody('No labels given');
    const rows = addContentLabels(ctx.store, objectId, labels, ctx.user.account_id);
    return pageV1(ctx, rows, labelV1, { defaultLimit: 200 });
  });

  router.on('DELETE', '/wiki/rest/api/content/:id/label', (ctx) => {
    const { objectId } = objectAt(ctx);
    const name = ctx.query.get('name');
    if (!name) throw badBody('The name query parameter is required');
    removeContentLabel(ctx.store, objectId, name, ctx.user.account_id);
    return { status: 204 };
  });

  router.on('DELETE', '/wiki/rest/api/content/:id/label/:label', (ctx) => {
    const { objectId } = objectAt(ctx);
    removeContentLabel(ctx.store, objectId, ctx.params.label ?? '', ctx.user.account_id);
    return { status: 204 };
  });

  router.on('GET', '/wiki/rest/api/content/:id/restriction', (ctx) => {
    const { row } = objectAt(ctx);
    const all = row ? restrictionsOf(ctx.store, row.id) : [];
    const results = ['read', 'update'].map((operation) => {
      const users = all
        .filter((r) => r.operation === operation && r.subject_type === 'user')
        .map((r) => getUser(ctx.store, r.subject_id))
        .filter((u) => u !== undefined)
        .map((u) => userV1(ctx, u));
      const groups = all
        .filter((r) => r.operation === operation && r.subject_type === 'group')
        .map((r) => ({ type: 'group', name: r.subject_id, id: r.subject_id }));
      return {
        operation,
        restrictions: {
          user: { results: users, start: 0, limit: 200, size: users.length },
          group: { results: groups, start: 0, limit: 200, size: groups.length },
        },
        _expandable: { content: `/rest/api/content/${ctx.params.id}` },
        _links: { self: `${ctx.base}/rest/api/content/${ctx.params.id}/restriction/byOperation/${operation}` },
      };
    });
    const hash = Buffer.from(JSON.stringify(all)).toString('base64url').slice(0, 32);
    return ok({
      results,
      start: 0,
      limit: 100,
      size: results.length,
      restrictionsHash: hash,
      _links: { base: ctx.base, context: '/wiki', self: `${ctx.base}/rest/api/content/${ctx.params.id}/restriction` },
    });
  });
}
