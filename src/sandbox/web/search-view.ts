/**
 * `/wiki/search?cql=...` or `?text=...` (plain text becomes `text ~ "..."`): the sandbox's CQL engine over current
 * pages and blog posts, 25 results a page. A query CQL cannot parse is a 400 page naming the problem.
 */
import { CqlError } from '../cql/lexer.ts';
import { type SearchDoc, compileContentCql } from '../cql/content.ts';
import { listSpaces } from '../store/spaces.ts';
import { type Html, html } from '../../shared/html.ts';
import { timeHtml } from './format.ts';
import { webContentPath, webSpacePath } from './paths.ts';
import { excerptOf, searchDocuments } from './search-docs.ts';
import { type ViewContext, type WebAnswer, page } from './view.ts';

/** Results on one search page. */
const PAGE_SIZE = 25;

/** The CQL a plain-text search stands for: `text ~ "<text>"`, quotes and backslashes escaped. */
export function textQuery(text: string): string {
  return `text ~ "${text.replace(/["\\]/g, '\\$&')}"`;
}

/** The search page: the form, then the results (or the CQL error, as a 400). */
export function searchView(ctx: ViewContext): WebAnswer {
  const params = ctx.url.searchParams;
  const text = params.get('text')?.trim() ?? '';
  const cql = params.get('cql')?.trim() || (text ? textQuery(text) : '');
  const start = Math.max(0, Math.floor(Number(params.get('start')) || 0));
  const form = searchForm(cql);
  if (!cql) return page('Search', html`<h1>Search</h1>${form}`, 200, text);
  let compiled: ReturnType<typeof compileContentCql>;
  let hits: SearchDoc[];
  try {
    compiled = compileContentCql(cql, { now: ctx.store.clock(), currentUser: ctx.user.account_id });
    hits = searchDocuments(ctx.store).filter(compiled.matches).sort(compiled.sort);
  } catch (err) {
    if (!(err instanceof CqlError)) throw err;
    return page(
      'Search',
      html`<h1>Search</h1>${form}<div class="error" role="alert"><p>The CQL query could not be parsed: ${err.message}.</p><p><code>${cql}</code></p></div>`,
      400,
      text,
    );
  }
  const names = new Map(listSpaces(ctx.store).map((s) => [s.key, s.name]));
  const shown = hits.slice(start, start + PAGE_SIZE);
  const items = shown.map(
    (
      d,
    ) => html`<li><a href="${webContentPath(d.row, d.spaceKey)}">${d.row.title}</a> <span class="lozenge">${d.row.type === 'blogpost' ? 'Blog post' : 'Page'}</span>
<p class="meta"><a href="${webSpacePath(d.spaceKey)}">${names.get(d.spaceKey) ?? d.spaceKey}</a> · updated ${timeHtml(d.row.updated_at)}</p>
<p class="excerpt">${excerptOf(d)}</p></li>`,
  );
  const heading = hits.length ? `${hits.length} result${hits.length === 1 ? '' : 's'}` : 'No results';
  const range = hits.length > PAGE_SIZE ? html`<p class="meta">Showing ${start + 1}–${start + shown.length} of ${hits.length}.</p>` : html``;
  return page(
    'Search',
    html`<h1>Search</h1>${form}<section aria-labelledby="results-heading"><h2 id="results-heading">${heading}</h2>${range}${
      items.length ? html`<ol class="results">${items}</ol>` : ''
    }${pager(cql, start, hits.length)}</section>`,
    200,
    text,
  );
}

function searchForm(cql: string): Html {
  return html`<form class="search-form" action="/wiki/search" method="get">
<div><label for="cql">CQL query</label><input id="cql" type="text" name="cql" value="${cql}" placeholder='type = page AND text ~ "planning"' aria-describedby="cql-help"></div>
<p id="cql-help" class="meta">Fields: title, text, space, type, label, created, lastmodified, creator, contributor, id, parent, ancestor; AND, OR, NOT; ORDER BY. The search box at the top searches text.</p>
<div><button type="submit">Search</button></div>
</form>`;
}

function pager(cql: string, start: number, total: number): Html {
  const link = (at: number, label: string) => html`<a href="/wiki/search?${new URLSearchParams({ cql, start: String(at) }).toString()}">${label}</a>`;
  const prev = start > 0 ? link(Math.max(0, start - PAGE_SIZE), 'Previous results') : '';
  const next = start + PAGE_SIZE < total ? link(start + PAGE_SIZE, 'Next results') : '';
  return prev || next ? html`<nav class="pager" aria-label="Search results pages">${prev}${next}</nav>` : html``;
}
