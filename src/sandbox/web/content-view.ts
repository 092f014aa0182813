/**
 * A page, blog post or whiteboard at its web path: breadcrumbs, title, who changed it when, the rendered body (or an
 * older version's with `?version=N`), then labels, child pages, comments and the version history. Trashed, draft
 * and archived content is shown with a notice saying so; an address naming the wrong space or type redirects.
 */
import type { ContentRow, ContentType, SpaceRow } from '../store/rows.ts';
import { ancestorsOf, getContent, versionOf } from '../store/content.ts';
import { getSpace } from '../store/spaces.ts';
import { type Html, html } from '../../shared/html.ts';
import { statusLozenge, timeHtml, userName } from './format.ts';
import { webContentPath, webSpacePath } from './paths.ts';
import { renderStorage } from './render-storage.ts';
import { storeLinks } from './storage-links.ts';
import { notFound } from './error-view.ts';
import { childrenSection, commentsSection, historySection, labelsSection } from './content-sections.ts';
import { type ViewContext, type WebAnswer, page, redirect } from './view.ts';

/** Which content an address names. */
export interface ContentAddress {
  /** The type the path says (pages/, blog/, whiteboard/). */
  type: ContentType;
  /** The space key in the path. */
  key: string;
  /** The content id in the path. */
  id: number;
}

const NOUN: Record<ContentType, string> = { page: 'page', blogpost: 'blog post', whiteboard: 'whiteboard' };

/** The view of the content at `address`; 404 when no such content, a redirect when the path's space or type is off. */
export function contentView(ctx: ViewContext, address: ContentAddress): WebAnswer {
  const row = getContent(ctx.store, address.id);
  const space = row ? getSpace(ctx.store, row.space_id) : undefined;
  if (!row || !space) return notFound(`There is no ${NOUN[address.type]} with the id ${address.id}.`);
  if (row.type !== address.type || space.key !== address.key) return redirect(webContentPath(row, space.key) + ctx.url.search);
  const asked = ctx.url.searchParams.get('version');
  let shown = { number: row.version, title: row.title, body: row.body, author: lastEditor(ctx, row), at: row.updated_at };
  if (asked !== null && asked !== String(row.version)) {
    const v = /^\d{1,9}$/.test(asked) ? versionOf(ctx.store, row.id, Number(asked)) : undefined;
    if (!v) return notFound(`Version ${asked} of “${row.title}” does not exist; it has versions 1 to ${row.version}.`);
    shown = { number: v.number, title: v.title, body: v.body, author: v.author_id, at: v.created_at };
  }
  const noun = NOUN[row.type];
  const notices = [statusNotice(row, noun), shown.number !== row.version ? oldVersionNotice(row, shown.number, space) : html``];
  const body =
    row.type === 'whiteboard'
      ? html`<p>Whiteboards have no body in the sandbox.</p>`
      : renderStorage(shown.body, { spaceKey: space.key, links: storeLinks(ctx.store), topHeading: 2 });
  return page(
    shown.title,
    html`${breadcrumbs(ctx, row, space)}
<article aria-labelledby="content-title">
<h1 id="content-title">${shown.title}${statusLozenge(row.status)}</h1>
<p class="meta">${noun[0]!.toUpperCase() + noun.slice(1)} by ${userName(ctx.store, row.author_id)}, created ${timeHtml(row.created_at)} · ${
      shown.number === row.version ? 'last updated' : `version ${shown.number} published`
    } ${timeHtml(shown.at)} by ${userName(ctx.store, shown.author)}${shown.number === row.version ? ` (version ${row.version})` : ''}</p>
${notices}
<div class="content-body">${body}</div>
</article>
${labelsSection(ctx.store, row)}
${childrenSection(ctx.store, row, space.key)}
${commentsSection(ctx.store, row, space.key)}
${historySection(ctx.store, row, shown.number)}`,
  );
}

/** Who published the current version (the row's author is its creator). */
function lastEditor(ctx: ViewContext, row: ContentRow): string {
  return versionOf(ctx.store, row.id, row.version)?.author_id ?? row.author_id;
}

function breadcrumbs(ctx: ViewContext, row: ContentRow, space: SpaceRow): Html {
  const ancestors = row.type === 'blogpost' ? [] : ancestorsOf(ctx.store, row.id);
  const crumbs = [
    html`<li><a href="${webSpacePath(space.key)}">${space.name}</a></li>`,
    ...(row.type === 'blogpost' ? [html`<li>Blog</li>`] : []),
    ...ancestors.map((a) => html`<li><a href="${webContentPath(a, space.key)}">${a.title}</a></li>`),
    html`<li aria-current="page">${row.title}</li>`,
  ];
  return html`<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>${crumbs}</ol></nav>`;
}

function statusNotice(row: ContentRow, noun: string): Html {
  if (row.status === 'trashed') return html`<p class="notice" role="status">This ${noun} was deleted: it is in the space's trash.</p>`;
  if (row.status === 'draft') return html`<p class="notice info" role="status">This ${noun} is a draft: it has not been published.</p>`;
  if (row.status === 'archived') return html`<p class="notice info" role="status">This ${noun} is archived.</p>`;
  return html``;
}

function oldVersionNotice(row: ContentRow, number: number, space: SpaceRow): Html {
  return html`<p class="notice info" role="status">You are viewing version ${number} of ${row.version}. <a href="${webContentPath(row, space.key)}">View the current version</a>.</p>`;
}
