/** v2 page routes: the shared content routes plus children, ancestors and inline comments. */
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
