/** The sections under a page's or blog post's body: labels, child pages, inline comments and the version history. */
import type { ContentRow, VersionRow } from '../store/rows.ts';
import type { SandboxStore } from '../store/store.ts';
import { listContent, versionsOf } from '../store/content.ts';
import { contentLabels } from '../store/labels.ts';
import { inlineCommentsOf } from '../store/extras.ts';
import { type Html, html } from '../../shared/html.ts';
import { statusLozenge, timeHtml, userName } from './format.ts';
import { webContentPath, webSearchPath } from './paths.ts';
import { renderStorage } from './render-storage.ts';
import { storeLinks } from './storage-links.ts';

/** The labels, each linking to a search for it; nothing when there are none. */
export function labelsSection(store: SandboxStore, row: ContentRow): Html {
  const labels = contentLabels(store, String(row.id));
  if (!labels.length) return html``;
  const items = labels.map((l) => html`<li><a href="${webSearchPath(`label = "${l.name}"`)}">${l.name}</a></li>`);
  return html`<section aria-labelledby="labels-heading"><h2 id="labels-heading">Labels</h2><ul class="labels">${items}</ul></section>`;
}

/** The page's current child pages, in position order; nothing when there are none. */
export function childrenSection(store: SandboxStore, row: ContentRow, spaceKey: string): Html {
  if (row.type !== 'page') return html``;
  const children = listContent(store, { type: 'page', parentId: row.id, sort: 'child-position' });
  if (!children.length) return html``;
  const items = children.map((c) => html`<li><a href="${webContentPath(c, spaceKey)}">${c.title}</a>${statusLozenge(c.status)}</li>`);
  return html`<section aria-labelledby="children-heading"><h2 id="children-heading">Child pages</h2><ul>${items}</ul></section>`;
}

/** The inline comments (not deleted ones), oldest first; nothing when there are none. */
export function commentsSection(store: SandboxStore, row: ContentRow, spaceKey: string): Html {
  const comments = inlineCommentsOf(store, row.id).filter((c) => c.status === 'current');
  if (!comments.length) return html``;
  const links = storeLinks(store);
  const items = comments.map(
    (c) => html`<article aria-label="${`Comment by ${userName(store, c.author_id)}`}">
<p class="meta">${userName(store, c.author_id)} · ${timeHtml(c.created_at)} · ${c.resolution_status}${
      c.original_selection ? html` · on “${c.original_selection}”` : ''
    }</p>
${renderStorage(c.body, { spaceKey, links, topHeading: 4 })}</article>`,
  );
  return html`<section class="comments" aria-labelledby="comments-heading"><h2 id="comments-heading">Inline comments</h2>${items}</section>`;
}

/** Every version, newest first, each linking to its body (`?version=N`); `shown` is marked. */
export function historySection(store: SandboxStore, row: ContentRow, shown: number): Html {
  const versions: VersionRow[] = versionsOf(store, row.id);
  const rows = versions.map((v) => {
    const label = v.number === row.version ? `${v.number} (current)` : String(v.number);
    const cell = v.number === shown ? html`<strong aria-current="page">${label}</strong>` : html`<a href="?version=${v.number}">${label}</a>`;
    return html`<tr><td>${cell}</td><td>${timeHtml(v.created_at)}</td><td>${userName(store, v.author_id)}</td><td>${v.message}${
      v.minor_edit ? html` <span class="lozenge">minor edit</span>` : ''
    }</td></tr>`;
  });
  return html`<section aria-labelledby="history-heading"><h2 id="history-heading">Version history</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">By</th><th scope="col">Message</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}
