/** v2 whiteboard routes: create, read, delete, ancestors. */
import type { Router } from '../http/router.ts';
import { ok } from '../http/context.ts';
import { ancestorsOf, createContent, trashContent } from '../store/content.ts';
import { getSpace } from '../store/spaces.ts';
import { badParam } from '../http/errors.ts';
import { idField, objectBody, optionalString } from '../http/input.ts';
import { pageV2, pathId } from '../http/paging.ts';
import { contentAt } from './content.ts';
import { whiteboardJson } from './shapes-v2.ts';

/** Registers `/wiki/api/v2/whiteboards...`. */
export function whiteboardRoutes(router: Router): void {
  router.on('POST', '/wiki/api/v2/whiteboards', (ctx) => {
    const body = objectBody(ctx.body);
    const spaceId = idField(body, 'spaceId', true);
    if (!getSpace(ctx.store, spaceId)) throw badParam(`Space ${spaceId} does not exist`);
    const row = createContent(ctx.store, {
      type: 'whiteboard',
      spaceId,
      title: optionalString(body, 'title') ?? 'Untitled whiteboard',
      parentId: idField(body, 'parentId'),
      authorId: ctx.user.account_id,
    });
    return ok(whiteboardJson(ctx, row));
  });

  router.on('GET', '/wiki/api/v2/whiteboards/:id', (ctx) => ok(whiteboardJson(ctx, contentAt(ctx, 'whiteboard'))));

  router.on('DELETE', '/wiki/api/v2/whiteboards/:id', (ctx) => {
    trashContent(ctx.store, pathId(ctx), 'whiteboard', ctx.user.account_id);
    return { status: 204 };
  });

  router.on('GET', '/wiki/api/v2/whiteboards/:id/ancestors', (ctx) => {
    const row = contentAt(ctx, 'whiteboard');
    return pageV2(ctx, ancestorsOf(ctx.store, row.id), (r) => ({ id: String(r.id), type: r.type === 'whiteboard' ? 'whiteboard' : 'page' }));
  });
}
