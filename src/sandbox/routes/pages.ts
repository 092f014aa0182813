/** v2 page routes: the shared content routes plus children, direct children, ancestors and inline comments. */
import type { Router } from '../http/router.ts';
import { listContent, ancestorsOf } from '../store/content.ts';
import { inlineCommentsOf } from '../store/extras.ts';
import { pageV2 } from '../http/paging.ts';
import { contentAt, contentRoutes } from './content.ts';
import { bodyFormat, inlineCommentJson, pageJson } from './shapes-v2.ts';

/** Registers `/wiki/api/v2/pages...`. */
export function pageRoutes(router: Router): void {
  contentRoutes(router, 'page', 'pages', pageJson);

  router.on('GET', '/wiki/api/v2/pages/:id/children', (ctx) => {
    const page = contentAt(ctx, 'page');
    const rows = listContent(ctx.store, { type: 'page', parentId: page.id, sort: ctx.query.get('sort') ?? 'child-position' });
    return pageV2(ctx, rows, (r) => ({ id: String(r.id), status: r.status, title: r.title, spaceId: String(r.space_id), childPosition: r.position }));
  });

  // Every kind of child (pages, whiteboards), unlike /children which lists pages only.
  router.on('GET', '/wiki/api/v2/pages/:id/direct-children', (ctx) => {
    const page = contentAt(ctx, 'page');
    const sort = ctx.query.get('sort') ?? 'child-position';
    const rows = (['page', 'whiteboard'] as const).flatMap((type) => listContent(ctx.store, { type, parentId: page.id, sort }));
    // The two lists are each sorted; merged, child position (the default order) must hold across them.
    if (sort.endsWith('child-position')) rows.sort((a, b) => (sort.startsWith('-') ? -1 : 1) * ((a.position ?? 0) - (b.position ?? 0)) || a.id - b.id);
    return pageV2(ctx, rows, (r) => ({
      id: String(r.id),
      status: r.status,
      title: r.title,
      type: r.type,
      spaceId: String(r.space_id),
      childPosition: r.position,
    }));
  });

  router.on('GET', '/wiki/api/v2/pages/:id/ancestors', (ctx) => {
    const page = contentAt(ctx, 'page');
    return pageV2(ctx, ancestorsOf(ctx.store, page.id), (r) => ({ id: String(r.id), type: 'page' }));
  });

  router.on('GET', '/wiki/api/v2/pages/:id/inline-comments', (ctx) => {
    const page = contentAt(ctx, 'page');
    const format = bodyFormat(ctx);
    return pageV2(ctx, inlineCommentsOf(ctx.store, page.id), (c) => inlineCommentJson(ctx, c, page, format));
  });
}
