import { isMap, isScalar, LineCounter, parseDocument, Scalar, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../shared/errors.ts';

/** A path into the parsed document: keys and array indexes. */
export type DocPath = ReadonlyArray<string | number>;

/** A YAML file parsed with positions kept, so any value or key can be located as `line:col`. */
export interface YamlSource {
  /** Path as given by the user (used in diagnostics). */
  readonly file: string;
  /** The raw text. */
  readonly text: string;
  /** The parsed document (node tree with source ranges). */
  readonly doc: Document.Parsed;
  /** Plain JS value of the document (undefined when syntax errors prevent it). */
  readonly value: unknown;
  /** YAML syntax errors, already as diagnostics. */
  readonly syntaxErrors: Diagnostic[];
  /** Diagnostic at a source offset. */
  at(offset: number, message: string): Diagnostic;
  /** Diagnostic at the value found at `path` (or its closest existing ancestor). */
  atValue(path: DocPath, message: string): Diagnostic;
  /** Diagnostic at the key `path`'s last segment names (falls back to the value). */
  atKey(path: DocPath, message: string): Diagnostic;
  /** The node at `path`, if present. */
  node(path: DocPath): Node | undefined;
  /** Diagnostic at `offset` characters into the string value at `path` (handles quoted and block scalars). */
  atStringOffset(path: DocPath, offset: number, message: string): Diagnostic;
}

/** Parses YAML text, keeping positions; never throws on bad YAML (errors become diagnostics). */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below in one pass: the library's own check compares each key with every earlier one
  // of its map, which takes minutes for a file of many keys.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  const at = (offset: number, message: string): Diagnostic => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { file, line, col, message };
  };
  const problems = [...doc.errors.map((e) => yamlProblem(text, e.code, e.message, e.pos[0])), ...duplicateKeys(doc, text, lineCounter)];
  const syntaxErrors = problems.sort((a, b) => a.offset - b.offset).map(({ offset, message }) => at(offset, message));
  let value: unknown;
  if (syntaxErrors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      syntaxErrors.push(at(0, `cannot read YAML: ${(error as Error).message}`));
    }
  }

  const node = (path: DocPath): Node | undefined => {
    if (path.length === 0) return (doc.contents ?? undefined) as Node | undefined;
    const found = doc.getIn(path as unknown[], true);
    return found && typeof found === 'object' ? (found as Node) : undefined;
  };
  const closest = (path: DocPath): Node | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const found = node(path.slice(0, n));
      if (found?.range) return found;
    }
    return undefined;
  };
  const atValue = (path: DocPath, message: string): Diagnostic => at(closest(path)?.range?.[0] ?? 0, message);
  const atKey = (path: DocPath, message: string): Diagnostic => {
    const parent = node(path.slice(0, -1));
    const last = path[path.length - 1];
    if (parent && isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
      const key = pair?.key as Node | undefined;
      if (key?.range) return at(key.range[0], message);
    }
    return atValue(path, message);
  };
  const atStringOffset = (path: DocPath, offset: number, message: string): Diagnostic => {
    const found = node(path);
    if (!found || !isScalar(found) || !found.range) return atValue(path, message);
    return at(scalarOffset(text, found, offset), message);
  };
  return { file, text, doc, value, syntaxErrors, at, atValue, atKey, node, atStringOffset };
}

/** Source offset of the character `offset` places into a scalar's value (best effort for folded styles). */
function scalarOffset(text: string, node: Scalar, offset: number): number {
  const [start, end] = node.range!;
  const value = String(node.value);
  const found = findSameText(text.slice(start, end), value, offset);
  if (found !== undefined) return start + found;
  const before = value.slice(0, offset);
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    // Block scalars start on the line after the indicator; each content line keeps its indentation.
    const lineIndex = before.split('\n').length - 1;
    const colInLine = before.length - (before.lastIndexOf('\n') + 1);
    let pos = text.indexOf('\n', start) + 1;
    for (let i = 0; i < lineIndex && pos > 0; i++) pos = text.indexOf('\n', pos) + 1;
    if (pos <= 0) return start;
    const indent = /^[ ]*/.exec(text.slice(pos))![0].length;
    return pos + indent + colInLine;
  }
  const quote = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
  if (!before.includes('\n')) return Math.min(start + quote + offset, end);
  return start;
}

/**
 * Where the text at `offset` of a scalar's value sits in its source: the same occurrence of the same non-blank run of
 * characters. Folding, indentation and escapes change only whitespace and escapes, so this holds for every style.
 */
function findSameText(raw: string, value: string, offset: number): number | undefined {
  const snippet = /^\S+/.exec(value.slice(offset))?.[0];
  if (!snippet) return undefined;
  let before = 0;
  for (let i = value.indexOf(snippet); i !== -1 && i < offset; i = value.indexOf(snippet, i + 1)) before++;
  let at = -1;
  for (let k = 0; k <= before; k++) {
    at = raw.indexOf(snippet, at + 1);
    if (at === -1) return undefined;
  }
  return at;
}

/** Turns the yaml library's errors into plain sentences, placed where the mistake is rather than where it was noticed. */
function yamlProblem(text: string, code: string, raw: string, offset: number): { offset: number; message: string } {
  const first = raw.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const indentEnd = lineStart + /^[ ]*/.exec(text.slice(lineStart))![0].length;
  switch (code) {
    case 'TAB_AS_INDENT':
      return { offset, message: 'tabs are not allowed for indentation; use spaces' };
    case 'BLOCK_AS_IMPLICIT_KEY':
      return { offset, message: "YAML syntax error: this value contains ': ', which starts a nested map; put the whole value in quotes" };
    case 'MISSING_CHAR': {
      const quote = /"|'/.exec(first)?.[0];
      if (quote)
        return {
          offset: Math.max(0, text.lastIndexOf(quote, offset - 1)),
          message: `YAML syntax error: this ${quote}quoted string is never closed; add the closing ${quote}`,
        };
      break;
    }
    case 'BAD_INDENT': {
      const flow = /^Flow (sequence|mapping)/.exec(first);
      if (flow) {
        const open = unclosedBracket(text, offset, flow[1] === 'sequence' ? '[' : '{');
        const close = flow[1] === 'sequence' ? ']' : '}';
        return {
          offset: open ?? offset,
          message: `YAML syntax error: this ${flow[1] === 'sequence' ? '[ list' : '{ map'} is never closed; add the closing ${close}`,
        };
      }
      if (/same column/.test(first)) {
        return {
          offset: indentEnd,
          message: 'YAML syntax error: this key is indented differently from the keys above it; keys of one map must start at the same column',
        };
      }
      return { offset: indentEnd, message: `YAML syntax error: ${first}` };
    }
  }
  return { offset, message: `YAML syntax error: ${first}` };
}

/** A key as written, up to its colon. */
const KEY_TEXT = /([^:\n]+?)\s*:/y;

/** Keys that appear twice in one map, each placed at the second occurrence and naming the line of the first. */
function duplicateKeys(doc: Document.Parsed, text: string, lines: LineCounter): Array<{ offset: number; message: string }> {
  const found: Array<{ offset: number; message: string }> = [];
  visit(doc, {
    Map(_, map) {
      const first = new Map<unknown, number>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || !key.range) continue;
        const earlier = first.get(key.value);
        if (earlier === undefined) {
          first.set(key.value, key.range[0]);
          continue;
        }
        const offset = key.range[0];
        KEY_TEXT.lastIndex = offset;
        const written = KEY_TEXT.exec(text)?.[1];
        const message = written
          ? `duplicate key '${written}' (first at line ${lines.linePos(earlier).line}); each key may appear only once in a map`
          : 'duplicate key; each key may appear only once in a map';
        found.push({ offset, message });
      }
    },
  });
  return found;
}

/** Offset of the last `open` bracket before `offset` that no closing bracket matches. */
function unclosedBracket(text: string, offset: number, open: '[' | '{'): number | undefined {
  const close = open === '[' ? ']' : '}';
  let depth = 0;
  for (let i = offset - 1; i >= 0; i--) {
    if (text[i] === close) depth++;
    else if (text[i] === open && depth-- === 0) return i;
  }
  return undefined;
}
