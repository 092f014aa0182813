/** v2 content-property routes (pages, blog posts, whiteboards) and space-property routes. */
import type { Router } from '../http/router.ts';
import type { RouteContext } from '../http/context.ts';
import { ok } from '../http/context.ts';
import type { ContentPropertyRow, ContentType, SpacePropertyRow } from '../store/rows.ts';
import type { PropertyOwner } from '../store/properties.ts';
import { createProperty, deleteProperty, getProperty, listProperties, updateProperty } from '../store/properties.ts';
import { getSpace } from '../store/spaces.ts';
import { notFound } from '../http/errors.ts';
import { objectBody, requiredString, versionField } from '../http/input.ts';
import { pageV2, pathId } from '../http/paging.ts';
import { contentAt } from './content.ts';
import { contentPropertyJson, spacePropertyJson } from './shapes-v2.ts';

type Render = (row: never) => Record<string, unknown>;

function propertyRoutes(router: Router, base: string, owner: (ctx: RouteContext) => PropertyOwner, render: Render, createdStatus: number): void {
  const show = render as (row: ContentPropertyRow | SpacePropertyRow) => Record<string, unknown>;
  router.on('GET', base, (ctx) => {
    const rows = listProperties(ctx.store, owner(ctx), ctx.query.get('key') ?? undefined);
    const sort = ctx.query.get('sort');
    if (sort === 'key' || sort === '-key') rows.sort((a, b) => (sort === 'key' ? 1 : -1) * a.key.localeCompare(b.key));
    return pageV2(ctx, rows, show);
  });
  router.on('POST', base, (ctx) => {
    const body = objectBody(ctx.body);
    const row = createProperty(ctx.store, owner(ctx), requiredString(body, 'key'), body.value, ctx.user.account_id);
    return ok(show(row), createdStatus);
  });
  router.on('GET', `${base}/:propertyId`, (ctx) => {
    const row = getProperty(ctx.store, owner(ctx), pathId(ctx, 'propertyId'));
    if (!row) throw notFound(`Property ${ctx.params.propertyId}`);
    return ok(show(row));
  });
  router.on('PUT', `${base}/:propertyId`, (ctx) => {
    const body = objectBody(ctx.body);
    const version = versionField(body);
    const row = updateProperty(
      ctx.store,
      owner(ctx),
      pathId(ctx, 'propertyId'),
      { key: body.key, value: body.value, versionNumber: version.number, message: version.message },
      ctx.user.account_id,
    );
    return ok(show(row));
  });
  router.on('DELETE', `${base}/:propertyId`, (ctx) => {
    deleteProperty(ctx.store, owner(ctx), pathId(ctx, 'propertyId'), ctx.user.account_id);
    return { status: 204 };
  });
}

function contentOwner(type: ContentType) {
  return (ctx: RouteContext): PropertyOwner => ({ kind: 'content', id: contentAt(ctx, type).id });
}

/** Registers every property route. */
export function propertiesRoutes(router: Router): void {
  propertyRoutes(router, '/wiki/api/v2/pages/:id/properties', contentOwner('page'), contentPropertyJson, 200);
  propertyRoutes(router, '/wiki/api/v2/blogposts/:id/properties', contentOwner('blogpost'), contentPropertyJson, 200);
  propertyRoutes(router, '/wiki/api/v2/whiteboards/:id/properties', contentOwner('whiteboard'), contentPropertyJson, 200);
  propertyRoutes(
    router,
    '/wiki/api/v2/spaces/:id/properties',
    (ctx) => {
      const id = pathId(ctx);
      if (!getSpace(ctx.store, id)) throw notFound(`Space ${id}`);
      return { kind: 'space', id };
    },
    spacePropertyJson,
    201,
  );
}
