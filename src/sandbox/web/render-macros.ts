/**
 * Confluence's own storage elements (`ac:` and `ri:`) as safe HTML: code and panel macros, task lists, links to
 * pages and people, emoticons, images; any other macro becomes a small box naming it.
 */
import { type Html, html } from '../../shared/html.ts';
import { safeHref, safeImageSrc } from './safe-url.ts';
import type { StorageLinks } from './storage-links.ts';
import { type XmlNode, attrsOf, childNamed, childrenNamed, childrenOf, tagOf, textOf } from './xml-tree.ts';
import { webSpacePath } from './paths.ts';

/** What a Confluence element needs from the renderer that called it. */
export interface StorageRenderer {
  /** Renders child nodes as body content (the allowlist applies). */
  nodes(nodes: readonly XmlNode[]): Html;
  /** Key of the space the body belongs to (links without `ri:space-key` point there). */
  spaceKey: string;
  /** Looks up link targets and people; absent: links render as plain text. */
  links?: StorageLinks;
}

const PANELS = new Map([
  ['info', 'Info'],
  ['note', 'Note'],
  ['warning', 'Warning'],
  ['tip', 'Tip'],
  ['panel', 'Panel'],
]);

const EMOTICONS = new Map([
  ['smile', '🙂'],
  ['sad', '🙁'],
  ['cheeky', '😛'],
  ['laugh', '😀'],
  ['wink', '😉'],
  ['thumbs-up', '👍'],
  ['thumbs-down', '👎'],
  ['information', 'ℹ️'],
  ['tick', '✅'],
  ['cross', '❌'],
  ['warning', '⚠️'],
  ['plus', '➕'],
  ['minus', '➖'],
  ['question', '❓'],
  ['light-on', '💡'],
  ['light-off', '💡'],
  ['yellow-star', '⭐'],
  ['red-star', '⭐'],
  ['green-star', '⭐'],
  ['blue-star', '⭐'],
  ['heart', '❤️'],
  ['broken-heart', '💔'],
]);

const STATUS_COLOURS = new Set(['grey', 'red', 'yellow', 'green', 'blue', 'purple']);

/** Elements whose content is shown as if the element were not there. */
const TRANSPARENT = new Set(['ac:inline-comment-marker', 'ac:rich-text-body', 'ac:task-body', 'ac:link-body', 'at:var']);

/** Elements that only carry data for their parent, or editor hints: nothing to show. */
const SILENT = new Set(['ac:parameter', 'ac:task-id', 'ac:task-status', 'ac:placeholder', 'ac:default-parameter']);

/** A name safe inside a class attribute: lower-case letters, digits and dashes. */
function classToken(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}

/** Renders one `ac:`, `ri:` or `at:` element. */
export function renderConfluenceElement(node: XmlNode, r: StorageRenderer): Html {
  const tag = tagOf(node);
  if (TRANSPARENT.has(tag)) return r.nodes(childrenOf(node));
  if (SILENT.has(tag) || tag.startsWith('ri:')) return html``;
  switch (tag) {
    case 'ac:structured-macro':
    case 'ac:macro':
      return macro(node, r);
    case 'ac:task-list':
      return html`<ul class="task-list">${childrenNamed(node, 'ac:task').map((t) => task(t, r))}</ul>`;
    case 'ac:task':
      return html`<ul class="task-list">${task(node, r)}</ul>`;
    case 'ac:link':
      return link(node, r);
    case 'ac:emoticon':
      return emoticon(node);
    case 'ac:image':
      return image(node);
    case 'ac:plain-text-body':
    case 'ac:plain-text-link-body':
      return html`${textOf(childrenOf(node))}`;
    case 'ac:layout':
    case 'ac:layout-section':
    case 'ac:layout-cell':
      return html`<div class="${classToken(tag.slice(3))}">${r.nodes(childrenOf(node))}</div>`;
    default:
      return placeholder(tag, undefined, r);
  }
}

function params(node: XmlNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of childrenNamed(node, 'ac:parameter')) out.set(attrsOf(p).get('ac:name') ?? '', textOf(childrenOf(p)));
  return out;
}

function macro(node: XmlNode, r: StorageRenderer): Html {
  const name = (attrsOf(node).get('ac:name') ?? '').toLowerCase();
  const p = params(node);
  const body = childNamed(node, 'ac:rich-text-body');
  if (name === 'code' || name === 'noformat') {
    const code = textOf(childrenOf(childNamed(node, 'ac:plain-text-body') ?? {}));
    const language = /^[A-Za-z0-9_+#.-]{1,32}$/.test(p.get('language') ?? '') ? p.get('language')!.toLowerCase() : '';
    const title = p.get('title');
    return html`<figure class="code-block">${title ? html`<figcaption>${title}</figcaption>` : ''}<pre><code${
      language ? html` class="language-${language}"` : ''
    }>${code}</code></pre></figure>`;
  }
  const panel = PANELS.get(name);
  if (panel) {
    const title = p.get('title')?.trim();
    return html`<aside class="panel panel-${name}" aria-label="${title || panel}"><p class="panel-label">${title || panel}</p>${
      body ? r.nodes(childrenOf(body)) : ''
    }</aside>`;
  }
  if (name === 'expand') {
    return html`<details class="expand"><summary>${p.get('title') || 'Click here to expand…'}</summary>${body ? r.nodes(childrenOf(body)) : ''}</details>`;
  }
  if (name === 'status') {
    const colour = (p.get('colour') ?? p.get('color') ?? 'grey').toLowerCase();
    return html`<span class="status status-${STATUS_COLOURS.has(colour) ? colour : 'grey'}">${p.get('title') || colour}</span>`;
  }
  if (name === 'anchor') return html``;
  return placeholder(`${name || 'unnamed'} macro`, body, r);
}

function placeholder(label: string, body: XmlNode | undefined, r: StorageRenderer): Html {
  return html`<span class="macro-placeholder" title="Not rendered by the sandbox">${label}${
    body ? html`<span class="macro-body">${r.nodes(childrenOf(body))}</span>` : ''
  }</span>`;
}

function task(node: XmlNode, r: StorageRenderer): Html {
  const done = textOf(childrenOf(childNamed(node, 'ac:task-status') ?? {})).trim() === 'complete';
  const body = childNamed(node, 'ac:task-body');
  return html`<li class="task${done ? ' task-done' : ''}"><label><input type="checkbox" disabled${done ? ' checked' : ''}> <span>${
    body ? r.nodes(childrenOf(body)) : ''
  }</span></label></li>`;
}

function link(node: XmlNode, r: StorageRenderer): Html {
  const plain = childNamed(node, 'ac:plain-text-link-body');
  const rich = childNamed(node, 'ac:link-body');
  const label = (fallback: string): Html | string => (rich ? r.nodes(childrenOf(rich)) : plain ? textOf(childrenOf(plain)) || fallback : fallback);
  const anchor = attrsOf(node).get('ac:anchor');
  const target = childrenOf(node).find((c) => tagOf(c).startsWith('ri:'));
  if (!target) return anchor ? html`<a href="#${encodeURIComponent(anchor)}">${label(anchor)}</a>` : html`${label('')}`;
  const a = attrsOf(target);
  const key = a.get('ri:space-key') || r.spaceKey;
  switch (tagOf(target)) {
    case 'ri:page':
    case 'ri:blog-post': {
      const title = a.get('ri:content-title') ?? '';
      const href = tagOf(target) === 'ri:page' ? r.links?.page(key, title) : r.links?.blogpost(key, title, a.get('ri:posting-day'));
      return href
        ? html`<a href="${href}">${label(title)}</a>`
        : html`<span class="missing-link" title="${`No such content in ${key}`}">${label(title)}</span>`;
    }
    case 'ri:user': {
      const id = a.get('ri:account-id') ?? a.get('ri:userkey') ?? '';
      return html`<span class="mention">@${rich || plain ? label('') : (r.links?.user(id) ?? id)}</span>`;
    }
    case 'ri:space':
      return html`<a href="${webSpacePath(key)}">${label(key)}</a>`;
    case 'ri:url': {
      const href = safeHref(a.get('ri:value'));
      return href ? html`<a href="${href}" rel="noopener noreferrer">${label(href)}</a>` : html`${label(a.get('ri:value') ?? '')}`;
    }
    case 'ri:attachment':
      return html`<span class="attachment">${label(a.get('ri:filename') ?? 'attachment')}</span>`;
    default:
      return html`${label(tagOf(target).slice(3))}`;
  }
}

function emoticon(node: XmlNode): Html {
  const a = attrsOf(node);
  const name = a.get('ac:name') ?? '';
  return html`<span class="emoticon" role="img" aria-label="${name}">${EMOTICONS.get(name) ?? a.get('ac:emoji-fallback') ?? `:${name}:`}</span>`;
}

function image(node: XmlNode): Html {
  const a = attrsOf(node);
  const url = childNamed(node, 'ri:url');
  const src = url ? safeImageSrc(attrsOf(url).get('ri:value')) : undefined;
  const alt = a.get('ac:alt') ?? '';
  if (src) return html`<img src="${src}" alt="${alt}"${/^\d+$/.test(a.get('ac:width') ?? '') ? html` width="${a.get('ac:width')}"` : ''}>`;
  const file = childNamed(node, 'ri:attachment');
  return html`<span class="macro-placeholder">image${file ? `: ${attrsOf(file).get('ri:filename') ?? ''}` : alt ? `: ${alt}` : ''}</span>`;
}
