/**
 * Storage format a model wrote, made well-formed before it is sent: Confluence answers a body that is not XML with a
 * 400, and the model would find out only turns later. Stray `&` and `<` are escaped, HTML void elements self-closed,
 * unclosed tags closed and unmatched closing tags dropped; what cannot be repaired is sent as escaped text in a `<p>`.
 */
import { XMLValidator } from 'fast-xml-parser';

const ROOT_OPEN =
  '<storage-root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier" xmlns:at="http://atlassian.com/template">';
/** The XML entities, numeric references and HTML's named ones (Confluence accepts those in storage). */
const ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);/g;
const STRAY_AMP = /&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)/;
/** Elements HTML closes implicitly when a sibling of the same name opens (`<li>one<li>two`). */
const SIBLING_CLOSES = new Set(['li', 'p', 'td', 'th', 'tr', 'dt', 'dd', 'option']);
const VOID = new Set(['br', 'hr', 'img', 'col', 'wbr', 'input', 'area', 'base', 'meta', 'link', 'source', 'embed', 'param', 'track']);
/** A CDATA section, comment, processing instruction or tag (attribute values may hold `>`). */
const MARKUP =
  /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;

/** Characters XML 1.0 forbids (C0 controls but tab, newline and return; U+FFFE/U+FFFF). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** What {@link repairStorage} did. */
export interface StorageRepair {
  /** The body to send. */
  value: string;
  /** What was changed, for the call's record; absent when the body was well-formed. */
  note?: string;
}

/** Whether `value` is well-formed storage (XML once wrapped in a root declaring `ac:`, `ri:` and `at:`; HTML entities allowed). */
export function isWellFormedStorage(value: string): boolean {
  const xml = `${ROOT_OPEN}${value.replace(ENTITY, ' ')}</storage-root>`;
  if (XMLValidator.validate(xml, { allowBooleanAttributes: true }) !== true) return false;
  // The validator lets a bare `&` in an attribute pass; Confluence does not.
  return !STRAY_AMP.test(value.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, ''));
}

/** Repairs a storage body that is not well-formed; a well-formed one comes back unchanged, without a note. */
export function repairStorage(value: string): StorageRepair {
  if (isWellFormedStorage(value)) return { value };
  const done = new Set<string>();
  let out = '';
  const open: string[] = [];
  let last = 0;
  const amp = (chunk: string) =>
    chunk.replace(/&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)/g, () => {
      done.add('escaped a stray &');
      return '&amp;';
    });
  const text = (chunk: string) => {
    const escaped = amp(
      chunk.replace(NOT_XML, () => {
        done.add('dropped characters XML forbids');
        return '';
      }),
    );
    return escaped.replace(/[<>]/g, (c) => {
      if (c === '<') done.add('escaped a stray <');
      return c === '<' ? '&lt;' : '&gt;';
    });
  };
  for (const match of value.matchAll(MARKUP)) {
    out += text(value.slice(last, match.index));
    last = match.index + match[0].length;
    const [whole, closing, rawName, attrs, selfClosing] = match;
    if (rawName === undefined) {
      out += whole;
      continue;
    }
    const name = rawName;
    const lower = name.toLowerCase();
    if (closing) {
      const at = open.lastIndexOf(name);
      if (at < 0) {
        if (!VOID.has(lower)) done.add(`dropped an unmatched </${name}>`);
        continue;
      }
      for (const inner of open.splice(at).slice(1).reverse()) {
        out += `</${inner}>`;
        done.add(`closed <${inner}>`);
      }
      out += `</${name}>`;
    } else if (selfClosing) out += amp(whole);
    else if (VOID.has(lower)) {
      out += `<${name}${amp(attrs ?? '')} />`;
      done.add(`self-closed <${name}>`);
    } else {
      if (SIBLING_CLOSES.has(lower) && open.at(-1) === name) {
        out += `</${open.pop()}>`;
        done.add(`closed <${name}>`);
      }
      out += amp(whole);
      open.push(name);
    }
  }
  out += text(value.slice(last));
  for (const name of open.reverse()) {
    out += `</${name}>`;
    done.add(`closed <${name}>`);
  }
  if (isWellFormedStorage(out)) return { value: out, note: `the storage body was not well-formed XML; the runner ${[...done].join(', ')}` };
  const escaped = value.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    value: `<p>${escaped}</p>`,
    note: 'the storage body was not well-formed XML and could not be repaired; the runner sent it as escaped text in one paragraph',
  };
}
