import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node } from 'yaml';
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
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number, message: string): Diagnostic => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { file, line, col, message };
  };
  const syntaxErrors = doc.errors.map((e) => at(e.pos[0], yamlMessage(e.code, e.message)));
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

/** Turns the yaml library's error codes into plain sentences. */
function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  switch (code) {
    case 'DUPLICATE_KEY':
      return `duplicate key: ${first.replace(/^Map keys must be unique;?\s*/, '') || 'map keys must be unique'}`.replace(/: $/, '');
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed for indentation; use spaces';
    default:
      return `YAML syntax error: ${first}`;
  }
}

/** Whether `value` is a YAML map node (re-exported for the validator). */
export { isMap, isPair, isSeq, isScalar };
