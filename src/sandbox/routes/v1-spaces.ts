/** v1 space routes: read, create (public and private), delete (202 + long task), space content, long tasks. */
import type { Router } from '../http/router.ts';
import type { RouteContext } from '../http/context.ts';
import { ok } from '../http/context.ts';
import type { SpaceRow } from '../store/rows.ts';
import { createSpace, deleteSpace, getSpaceByKey } from '../store/spaces.ts';
import { listContent } from '../store/content.ts';
import { createLongTask, getLongTask } from '../store/extras.ts';
import { badBody, notFound } from '../http/errors.ts';
import { objectBody, requiredString } from '../http/input.ts';
import { pageV1, pathId } from '../http/paging.ts';
import { contentV1, expandList, spaceV1 } from './shapes-v1.ts';

function spaceByKey(ctx: RouteContext): SpaceRow {
  const key = ctx.params.spaceKey ?? '';
  const space = getSpaceByKey(ctx.store, key);
  if (!space) throw notFound(`No space with key : ${key}`);
  return space;
}

function createV1(ctx: RouteContext, personal: boolean) {
  const body = objectBody(ctx.body);
  const key = requiredString(body, 'key');
  const name = requiredString(body, 'name');
  const desc = body.description as { plain?: { value?: unknown } } | undefined;
  const description = typeof desc?.plain?.value === 'string' ? desc.plain.value : '';
  if (desc !== undefined && typeof desc !== 'object') throw badBody('description must be {plain: {value, representation}}');
  const space = createSpace(ctx.store, { key, name, description, authorId: ctx.user.account_id, type: personal ? 'global' : 'global' });
  return ok(spaceV1(ctx, space));
}

/** Registers `/wiki/rest/api/space...` and `/wiki/rest/api/longtask/{id}`. */
export function v1SpaceRoutes(router: Router): void {
  router.on('POST', '/wiki/rest/api/space/_private', (ctx) => createV1(ctx, true));
  router.on('POST', '/wiki/rest/api/space', (ctx) => createV1(ctx, false));
  router.on('GET', '/wiki/rest/api/space/:spaceKey', (ctx) => ok(spaceV1(ctx, spaceByKey(ctx))));

  router.on('DELETE', '/wiki/rest/api/space/:spaceKey', (ctx) => {
    const space = deleteSpace(ctx.store, ctx.params.spaceKey ?? '', ctx.user.account_id);
    const id = createLongTask(ctx.store, `Deleting space ${space.key}`);
    return ok({ id: String(id), links: { status: `/rest/api/longtask/${id}` } }, 202);
  });

  router.on('GET', '/wiki/rest/api/longtask/:id', (ctx) => {
    const task = getLongTask(ctx.store, pathId(ctx));
    if (!task) throw notFound(`Long task ${ctx.params.id}`);
    return ok({
      id: String(task.id),
      name: { key: 'com.atlassian.confluence.spaces.delete', args: [task.name] },
      elapsedTime: 0,
      percentageComplete: 100,
      successful: true,
      finished: true,
      messages: [],
      status: 'COMPLETE',
      _links: { self: `${ctx.base}/rest/api/longtask/${task.id}`, base: ctx.base, context: '/wiki' },
    });
  });

  const contentOf = (ctx: RouteContext, type: 'page' | 'blogpost') => {
    const space = spaceByKey(ctx);
    let rows = listContent(ctx.store, { type, spaceIds: [space.id], statuses: ['current'] });
    if (ctx.query.get('depth') === 'root') rows = rows.filter((r) => r.parent_id === null);
    return rows;
  };

  router.on('GET', '/wiki/rest/api/space/:spaceKey/content', (ctx) => {
    const expand = expandList(ctx);
    const pages = pageV1(ctx, contentOf(ctx, 'page'), (r) => contentV1(ctx, r, expand)).body as Record<string, unknown>;
    const blogposts = pageV1(ctx, contentOf(ctx, 'blogpost'), (r) => contentV1(ctx, r, expand)).body as Record<string, unknown>;
    return ok({ page: pages, blogpost: blogposts, _links: { base: ctx.base, context: '/wiki' } });
  });

  router.on('GET', '/wiki/rest/api/space/:spaceKey/content/:type', (ctx) => {
    const type = ctx.params.type;
    if (type !== 'page' && type !== 'blogpost') throw notFound(`Content type ${type}`);
    const expand = expandList(ctx);
    return pageV1(ctx, contentOf(ctx, type), (r) => contentV1(ctx, r, expand));
  });
}
