/** CQL tokenizer: words, quoted strings, numbers, operators and punctuation, each with its offset. */

/** A CQL syntax error; `position` is the 0-based offset into the query. */
export class CqlError extends Error {
  /** 0-based character offset of the problem. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} (at position ${position})`);
    this.name = 'CqlError';
    this.position = position;
  }
}

/** Token kinds. */
export type TokenKind = 'word' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma' | 'eof';

/** One token and where it starts. */
export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const OPS = ['!=', '!~', '>=', '<=', '=', '~', '>', '<'];

/** Splits a CQL query into tokens; an unterminated string or a stray character is a CqlError. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"' || ch === "'") {
      let text = '';
      i++;
      while (i < input.length && input[i] !== ch) {
        if (input[i] === '\\' && i + 1 < input.length) i++;
        text += input[i];
        i++;
      }
      if (i >= input.length) throw new CqlError(`Unterminated string starting with ${ch}`, start);
      i++;
      tokens.push({ kind: 'string', text, pos: start });
      continue;
    }
    if (ch === '(') {
      tokens.push({ kind: 'lparen', text: ch, pos: i++ });
      continue;
    }
    if (ch === ')') {
      tokens.push({ kind: 'rparen', text: ch, pos: i++ });
      continue;
    }
    if (ch === ',') {
      tokens.push({ kind: 'comma', text: ch, pos: i++ });
      continue;
    }
    const op = OPS.find((o) => input.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    if (/[-0-9]/.test(ch) && /^-?\d/.test(input.slice(i, i + 2))) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_.\-:]*/.exec(input.slice(i));
    if (!m) throw new CqlError(`Unexpected character '${ch}'`, i);
    tokens.push({ kind: 'word', text: m[0], pos: i });
    i += m[0].length;
  }
  tokens.push({ kind: 'eof', text: '', pos: input.length });
  return tokens;
}
