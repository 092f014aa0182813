/** Storage XHTML as an ordered node tree (fast-xml-parser's `preserveOrder` form), with small accessors for renderers. */
import { XMLParser } from 'fast-xml-parser';

/** One parsed node: `{ tag: children, ':@'?: attributes }`, `{ '#text': text }`, `{ '#cdata': [...] }` or a comment. */
export type XmlNode = Record<string, unknown>;

const ATTRS = ':@';

// Entities are decoded into text here and re-escaped on output, so `&lt;script&gt;` stays text and `&#106;avascript:`
// is seen as the `javascript:` it spells before any URL check.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  cdataPropName: '#cdata',
  commentPropName: '#comment',
  processEntities: true,
  htmlEntities: true,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  allowBooleanAttributes: true,
});

/** The top-level nodes of a storage body; throws when the parser refuses it (the caller shows the body as text). */
export function parseStorageTree(storage: string): XmlNode[] {
  const doc = parser.parse(`<storage-root>${storage}</storage-root>`) as XmlNode[];
  const root = doc.find((n) => tagOf(n) === 'storage-root');
  return root ? childrenOf(root) : [];
}

/** The node's tag (`p`, `ac:link`), or `#text`, `#cdata`, `#comment`. */
export function tagOf(node: XmlNode): string {
  for (const key of Object.keys(node)) if (key !== ATTRS) return key;
  return '';
}

/** The node's attributes as strings (a bare boolean attribute reads as `''`). */
export function attrsOf(node: XmlNode): Map<string, string> {
  const raw = node[ATTRS];
  const out = new Map<string, string>();
  if (raw && typeof raw === 'object') {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) out.set(name, value === true ? '' : String(value));
  }
  return out;
}

/** The node's children (empty for text and void elements). */
export function childrenOf(node: XmlNode): XmlNode[] {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

/** The text of a text node (`#text` holds a string). */
export function ownText(node: XmlNode): string {
  const value = node['#text'];
  return value === undefined || value === null ? '' : String(value);
}

/** The text of nodes and their descendants, CDATA included, markup dropped. */
export function textOf(nodes: readonly XmlNode[]): string {
  return nodes.map((n) => (tagOf(n) === '#text' ? ownText(n) : tagOf(n) === '#comment' ? '' : textOf(childrenOf(n)))).join('');
}

/** The direct children with this tag. */
export function childrenNamed(node: XmlNode, tag: string): XmlNode[] {
  return childrenOf(node).filter((c) => tagOf(c) === tag);
}

/** The first direct child with this tag. */
export function childNamed(node: XmlNode, tag: string): XmlNode | undefined {
  return childrenOf(node).find((c) => tagOf(c) === tag);
}

/** The markup a node was written as (decoded text, attributes re-quoted): what an unsupported element shows as text. */
export function sourceOf(node: XmlNode): string {
  const tag = tagOf(node);
  if (tag === '#text') return ownText(node);
  if (tag === '#cdata') return `<![CDATA[${textOf(childrenOf(node))}]]>`;
  if (tag === '#comment') return '';
  const attrs = [...attrsOf(node)].map(([name, value]) => ` ${name}="${value}"`).join('');
  const children = childrenOf(node);
  if (tag.startsWith('?')) return `<${tag}${attrs}?>`;
  if (!children.length) return `<${tag}${attrs} />`;
  return `<${tag}${attrs}>${children.map(sourceOf).join('')}</${tag}>`;
}
