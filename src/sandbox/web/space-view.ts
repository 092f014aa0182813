/** A space's home (`/wiki/spaces/KEY`, `/overview`): name, description, its homepage's body, the page tree, the blog. */
import { getContent, listContent } from '../store/content.ts';
import { getSpaceByKey } from '../store/spaces.ts';
import { html } from '../../shared/html.ts';
import { statusLozenge, timeHtml, userName } from './format.ts';
import { pageTree } from './page-tree.ts';
import { webContentPath, webSearchPath } from './paths.ts';
import { renderStorage } from './render-storage.ts';
import { storeLinks } from './storage-links.ts';
import { notFound } from './error-view.ts';
import { type ViewContext, type WebAnswer, page } from './view.ts';

/** Blog posts listed on the space home; the rest are a search away. */
const BLOG_LIMIT = 50;

/** The space home of `key`; 404 when no such space. */
export function spaceView(ctx: ViewContext, key: string): WebAnswer {
  const space = getSpaceByKey(ctx.store, key);
  if (!space) return notFound(`There is no space with the key ${key}.`);
  const home = space.homepage_id === null ? undefined : getContent(ctx.store, space.homepage_id);
  const homeSection =
    home && home.status !== 'trashed'
      ? html`<section aria-labelledby="home-heading"><h2 id="home-heading"><a href="${webContentPath(home, space.key)}">${home.title}</a></h2>
<div class="content-body">${renderStorage(home.body, { spaceKey: space.key, links: storeLinks(ctx.store), topHeading: 3 })}</div></section>`
      : html``;
  const pages = listContent(ctx.store, { type: 'page', spaceIds: [space.id], sort: 'child-position' });
  const blog = listContent(ctx.store, { type: 'blogpost', spaceIds: [space.id], sort: '-created-date' });
  const posts = blog
    .slice(0, BLOG_LIMIT)
    .map(
      (b) =>
        html`<li><a href="${webContentPath(b, space.key)}">${b.title}</a>${statusLozenge(b.status)} <span class="meta">by ${userName(ctx.store, b.author_id)}, ${timeHtml(b.created_at)}</span></li>`,
    );
  const more =
    blog.length > BLOG_LIMIT ? html`<p><a href="${webSearchPath(`space = "${space.key}" AND type = blogpost`)}">All ${blog.length} blog posts</a></p>` : html``;
  return page(
    space.name,
    html`<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/wiki/spaces">Spaces</a></li><li aria-current="page">${space.name}</li></ol></nav>
<h1>${space.name}${statusLozenge(space.status)}</h1>
<p class="meta">Space key ${space.key} · ${space.type} space · created ${timeHtml(space.created_at)} by ${userName(ctx.store, space.author_id)}</p>
${space.description ? html`<p>${space.description}</p>` : ''}
${homeSection}
<section aria-labelledby="tree-heading"><h2 id="tree-heading">Pages</h2>${pages.length ? pageTree(pages, space.key) : html`<p>No pages.</p>`}</section>
<section aria-labelledby="blog-heading"><h2 id="blog-heading">Blog posts</h2>${posts.length ? html`<ul>${posts}</ul>${more}` : html`<p>No blog posts.</p>`}</section>`,
  );
}
