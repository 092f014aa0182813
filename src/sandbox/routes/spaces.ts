/** v2 space routes: list, create, read, space labels, the space's content labels, pages and blog posts. */
import type { Router } from '../http/router.ts';
import type { RouteContext } from '../http/context.ts';
import { ok } from '../http/context.ts';
import type { SpaceRow } from '../store/rows.ts';
import { createSpace, getSpace, listSpaces } from '../store/spaces.ts';
import { listContent } from '../store/content.ts';
import { spaceContentLabels, spaceLabels } from '../store/labels.ts';
import { badBody, badParam, notFound } from '../http/errors.ts';
import { objectBody, optionalString, requiredString } from '../http/input.ts';
import { idListParam, listParam, pageV2, pathId } from '../http/paging.ts';
import { statusList } from './content.ts';
import { blogpostJson, bodyFormat, labelJson, pageJson, spaceJson } from './shapes-v2.ts';

function spaceAt(ctx: RouteContext): SpaceRow {
  const id = pathId(ctx);
  const space = getSpace(ctx.store, id);
  if (!space) throw notFound(`Space ${id}`);
  return space;
}

/** A key derived from a name when the client gives none ("Team Space" → "TS"). */
function keyFromName(ctx: RouteContext, name: string): string {
  const letters =
    name
      .split(/\s+/)
      .map((w) => w.replace(/[^A-Za-z0-9]/g, '').charAt(0))
      .join('')
      .toUpperCase() || 'SPACE';
  let key = letters;
  for (let n = 2; listSpaces(ctx.store, { keys: [key] }).length; n++) key = `${letters}${n}`;
  return key;
}

/** Registers `/wiki/api/v2/spaces...`. */
export function spaceRoutes(router: Router): void {
  router.on('GET', '/wiki/api/v2/spaces', (ctx) => {
    const type = ctx.query.get('type') ?? undefined;
    const status = ctx.query.get('status') ?? undefined;
    if (status && status !== 'current' && status !== 'archived') throw badParam(`Invalid value for status: ${status}`);
    const rows = listSpaces(ctx.store, {
      ids: idListParam(ctx.query, 'ids'),
      keys: listParam(ctx.query, 'keys'),
      type,
      status,
      labels: listParam(ctx.query, 'labels'),
    });
    const sort = ctx.query.get('sort');
    if (sort === 'name' || sort === '-name' || sort === 'key' || sort === '-key') {
      const field = sort.replace('-', '') as 'name' | 'key';
      rows.sort((a, b) => (sort.startsWith('-') ? -1 : 1) * a[field].localeCompare(b[field]));
    }
    return pageV2(ctx, rows, (s) => spaceJson(ctx, s));
  });

  router.on('POST', '/wiki/api/v2/spaces', (ctx) => {
    const body = objectBody(ctx.body);
    const name = requiredString(body, 'name');
    const key = optionalString(body, 'key') ?? optionalString(body, 'alias') ?? keyFromName(ctx, name);
    const desc = body.description as { value?: unknown } | undefined;
    if (desc !== undefined && (typeof desc !== 'object' || (desc.value !== undefined && typeof desc.value !== 'string'))) {
      throw badBody('description must be {value, representation}');
    }
    const space = createSpace(ctx.store, { key, name, description: (desc?.value as string | undefined) ?? '', authorId: ctx.user.account_id });
    return ok(spaceJson(ctx, space, { single: true }), 201);
  });

  router.on('GET', '/wiki/api/v2/spaces/:id', (ctx) => ok(spaceJson(ctx, spaceAt(ctx), { single: true })));

  router.on('GET', '/wiki/api/v2/spaces/:id/labels', (ctx) => {
    const space = spaceAt(ctx);
    return pageV2(ctx, spaceLabels(ctx.store, space.id, ctx.query.get('prefix') ?? undefined), labelJson);
  });

  router.on('GET', '/wiki/api/v2/spaces/:id/content/labels', (ctx) => {
    const space = spaceAt(ctx);
    return pageV2(ctx, spaceContentLabels(ctx.store, space.id, ctx.query.get('prefix') ?? undefined), labelJson);
  });

  router.on('GET', '/wiki/api/v2/spaces/:id/pages', (ctx) => {
    const space = spaceAt(ctx);
    const format = bodyFormat(ctx);
    const depth = ctx.query.get('depth');
    let rows = listContent(ctx.store, {
      type: 'page',
      spaceIds: [space.id],
      statuses: statusList(ctx),
      title: ctx.query.get('title') ?? undefined,
      sort: ctx.query.get('sort') ?? undefined,
    });
    if (depth === 'root') rows = rows.filter((r) => r.parent_id === null);
    return pageV2(ctx, rows, (r) => pageJson(ctx, r, format));
  });

  router.on('GET', '/wiki/api/v2/spaces/:id/blogposts', (ctx) => {
    const space = spaceAt(ctx);
    const format = bodyFormat(ctx);
    const rows = listContent(ctx.store, {
      type: 'blogpost',
      spaceIds: [space.id],
      statuses: statusList(ctx),
      title: ctx.query.get('title') ?? undefined,
      sort: ctx.query.get('sort') ?? undefined,
    });
    return pageV2(ctx, rows, (r) => blogpostJson(ctx, r, format));
  });
}
