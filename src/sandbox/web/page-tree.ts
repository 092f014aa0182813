/** A space's pages as a nested list, each under its parent, in child position order. */
import type { ContentRow } from '../store/rows.ts';
import { type Html, html } from '../../shared/html.ts';
import { statusLozenge } from './format.ts';
import { webContentPath } from './paths.ts';

/** Deeper than this the tree stops (a guard against cycles in a hand-edited database). */
const MAX_DEPTH = 40;

/** The nested list of `pages` (one space's): roots are pages whose parent is not among them. */
export function pageTree(pages: readonly ContentRow[], spaceKey: string): Html {
  const ids = new Set(pages.map((p) => p.id));
  const children = new Map<number | null, ContentRow[]>();
  for (const p of pages) {
    const parent = p.parent_id !== null && ids.has(p.parent_id) ? p.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const seen = new Set<number>();
  const level = (parent: number | null, depth: number): Html => {
    const rows = (children.get(parent) ?? []).filter((p) => !seen.has(p.id));
    if (!rows.length || depth > MAX_DEPTH) return html``;
    for (const p of rows) seen.add(p.id);
    const items = rows.map((p) => html`<li><a href="${webContentPath(p, spaceKey)}">${p.title}</a>${statusLozenge(p.status)}${level(p.id, depth + 1)}</li>`);
    return html`<ul${depth === 0 ? html` class="tree"` : ''}>${items}</ul>`;
  };
  return level(null, 0);
}
