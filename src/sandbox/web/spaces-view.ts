/** `/wiki` and `/wiki/spaces`: every space, each linking to its home. */
import { listSpaces } from '../store/spaces.ts';
import { html } from '../../shared/html.ts';
import { statusLozenge } from './format.ts';
import { webSpacePath } from './paths.ts';
import { type ViewContext, type WebAnswer, page } from './view.ts';

/** The list of spaces. */
export function spacesView(ctx: ViewContext): WebAnswer {
  const spaces = listSpaces(ctx.store);
  const count = (spaceId: number) =>
    Number(ctx.store.get<{ n: number }>("SELECT COUNT(*) AS n FROM content WHERE space_id = ? AND type = 'page' AND status = 'current'", spaceId)?.n ?? 0);
  const rows = spaces.map(
    (s) =>
      html`<tr><td>${s.key}</td><td><a href="${webSpacePath(s.key)}">${s.name}</a>${statusLozenge(s.status)}</td><td>${s.description}</td><td>${count(s.id)}</td></tr>`,
  );
  const table = spaces.length
    ? html`<div class="table-wrap"><table class="spaces"><caption class="visually-hidden">Spaces</caption>
<thead><tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Pages</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : html`<p>The sandbox has no spaces yet: create one through the REST API, or run <code>runner sandbox seed</code>.</p>`;
  return page('Spaces', html`<h1>Spaces</h1>${table}`);
}
