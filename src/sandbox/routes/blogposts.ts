/** v2 blog post routes: the shared content routes plus inline comments. */
import type { Router } from '../http/router.ts';
import { inlineCommentsOf } from '../store/extras.ts';
import { pageV2 } from '../http/paging.ts';
import { contentAt, contentRoutes } from './content.ts';
import { blogpostJson, bodyFormat, inlineCommentJson } from './shapes-v2.ts';

/** Registers `/wiki/api/v2/blogposts...`. */
export function blogpostRoutes(router: Router): void {
  contentRoutes(router, 'blogpost', 'blogposts', blogpostJson);

  router.on('GET', '/wiki/api/v2/blogposts/:id/inline-comments', (ctx) => {
    const post = contentAt(ctx, 'blogpost');
    const format = bodyFormat(ctx);
    return pageV2(ctx, inlineCommentsOf(ctx.store, post.id), (c) => inlineCommentJson(ctx, c, post, format));
  });
}
