/**
 * Storage format → safe HTML. Only an allowlist of plain elements passes, each with its own few attributes (links to
 * http, https, mailto or relative targets; images from http or https); Confluence's `ac:` elements go to
 * render-macros.ts; every other element is shown as the text it was written as. Text is always escaped, so no
 * script, style, event attribute or raw HTML from a body reaches the page.
 */
import { type Html, html, joinHtml } from '../../shared/html.ts';
import { renderConfluenceElement, type StorageRenderer } from './render-macros.ts';
import { safeHref, safeImageSrc } from './safe-url.ts';
import type { StorageLinks } from './storage-links.ts';
import { type XmlNode, attrsOf, childrenOf, ownText, parseStorageTree, sourceOf, tagOf, textOf } from './xml-tree.ts';

/** Options of {@link renderStorage}. */
export interface RenderStorageOptions {
  /** Key of the body's space: `ac:link`s without a space key resolve there (default '' : such links stay text). */
  spaceKey?: string;
  /** Link and people lookups (default none: links to pages render as text). */
  links?: StorageLinks;
  /**
   * The level the body's biggest heading is shown at, the others shifted alike (within h1-h6), so a body whose
   * headings start at h1 or h3 sits in order under the view's own headings (default: levels as written).
   */
  topHeading?: number;
}

type AttrRule = (value: string) => string | undefined;

const text: AttrRule = (v) => v;
const digits: AttrRule = (v) => (/^\d{1,4}$/.test(v.trim()) ? v.trim() : undefined);

/** The plain elements kept, each with the attributes it may keep. */
const ELEMENTS = new Map<string, Map<string, AttrRule>>([
  ...['p', 'ul', 'li', 'thead', 'tbody', 'tfoot', 'tr', 'caption', 'colgroup', 'div', 'span', 'blockquote', 'pre', 'code'].map(
    (t) => [t, new Map<string, AttrRule>()] as const,
  ),
  ...['strong', 'b', 'em', 'i', 'u', 's', 'del', 'ins', 'sub', 'sup', 'br', 'hr', 'table'].map((t) => [t, new Map<string, AttrRule>()] as const),
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((t) => [t, new Map<string, AttrRule>()] as const),
  ['ol', new Map([['start', digits]])],
  [
    'th',
    new Map([
      ['colspan', digits],
      ['rowspan', digits],
    ]),
  ],
  [
    'td',
    new Map([
      ['colspan', digits],
      ['rowspan', digits],
    ]),
  ],
  ['col', new Map([['span', digits]])],
  [
    'a',
    new Map([
      ['href', (v: string) => safeHref(v)],
      ['title', text],
    ]),
  ],
  [
    'img',
    new Map([
      ['src', (v: string) => safeImageSrc(v)],
      ['alt', text],
      ['title', text],
      ['width', digits],
      ['height', digits],
    ]),
  ],
  ['time', new Map([['datetime', text]])],
]);

const VOID = new Set(['br', 'hr', 'img', 'col']);

/** Renders a storage-format body; a body the parser refuses is shown as its source text under a note. */
export function renderStorage(storage: string, options: RenderStorageOptions = {}): Html {
  let tree: XmlNode[];
  try {
    tree = parseStorageTree(storage);
  } catch {
    return html`<p class="render-note">This body is not well-formed storage format; it is shown as text.</p><pre class="storage-source">${storage}</pre>`;
  }
  const top = topLevel(tree);
  const offset = options.topHeading === undefined || top === undefined ? 0 : Math.floor(options.topHeading) - top;
  const renderer: StorageRenderer = {
    spaceKey: options.spaceKey ?? '',
    links: options.links,
    nodes: (nodes) => joinHtml(nodes.map((n) => node(n, renderer, offset))),
  };
  return renderer.nodes(tree);
}

function node(n: XmlNode, r: StorageRenderer, offset: number): Html {
  const tag = tagOf(n);
  if (tag === '#text') return html`${ownText(n)}`;
  if (tag === '#cdata') return html`${textOf(childrenOf(n))}`;
  if (tag === '#comment' || tag.startsWith('?') || tag.startsWith('!')) return html``;
  if (/^(ac|ri|at):/.test(tag)) return renderConfluenceElement(n, r);
  const rules = ELEMENTS.get(tag);
  if (!rules) return html`<span class="unsupported" title="Markup the sandbox does not render">${sourceOf(n)}</span>`;
  const attrs = new Map<string, string>();
  for (const [name, value] of attrsOf(n)) {
    const rule = rules.get(name.toLowerCase());
    const kept = rule?.(value);
    if (kept !== undefined) attrs.set(name.toLowerCase(), kept);
  }
  const children = childrenOf(n);
  if (tag === 'a' && !attrs.has('href')) return html`<span>${r.nodes(children)}</span>`;
  if (tag === 'img' && !attrs.has('src')) return html`<span class="macro-placeholder">image${attrs.get('alt') ? `: ${attrs.get('alt')}` : ''}</span>`;
  let name = tag;
  if (/^h[1-6]$/.test(tag)) name = `h${Math.max(1, Math.min(6, Number(tag[1]) + offset))}`;
  if (tag === 'a' && /^(https?:)?\/\//i.test(attrs.get('href')!.trim())) attrs.set('rel', 'noopener noreferrer');
  const open = html`<${name}${[...attrs].map(([k, v]) => html` ${k}="${v}"`)}>`;
  if (VOID.has(tag)) return open;
  const inner = tag === 'time' && !children.length ? html`${attrs.get('datetime') ?? ''}` : r.nodes(children);
  const element = html`${open}${inner}</${name}>`;
  return tag === 'table' ? html`<div class="table-wrap">${element}</div>` : element;
}

/** The biggest heading level (1 for h1) anywhere in the tree, or undefined when it has no heading. */
function topLevel(nodes: readonly XmlNode[]): number | undefined {
  let top: number | undefined;
  for (const n of nodes) {
    const tag = tagOf(n);
    const level = /^h[1-6]$/.test(tag) ? Number(tag[1]) : topLevel(childrenOf(n));
    if (level !== undefined && (top === undefined || level < top)) top = level;
  }
  return top;
}
