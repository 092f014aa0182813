/** CQL parser: a recursive-descent parser producing a small AST, with errors that name the position. */
import { CqlError, tokenize } from './lexer.ts';
import type { Token } from './lexer.ts';

/** A literal or function value on the right of an operator. */
export type CqlValue = { kind: 'string' | 'number' | 'word'; value: string } | { kind: 'func'; name: string; args: string[] };

/** A boolean expression. */
export type CqlExpr =
  | { kind: 'and' | 'or'; left: CqlExpr; right: CqlExpr }
  | { kind: 'not'; expr: CqlExpr }
  | { kind: 'clause'; field: string; op: string; values: CqlValue[]; pos: number };

/** A parsed query: optional condition and sort keys. */
export interface CqlQuery {
  where?: CqlExpr;
  orderBy: Array<{ field: string; desc: boolean }>;
}

/** Which operators each field accepts; the parser rejects other fields and operators. */
export type FieldRules = Record<string, string[]>;

const KEYWORDS = ['AND', 'OR', 'NOT', 'IN', 'ORDER', 'BY', 'ASC', 'DESC'];

class Parser {
  #i = 0;
  readonly #tokens: Token[];
  readonly #fields: FieldRules;
  readonly #sortable: string[];
  constructor(tokens: Token[], fields: FieldRules, sortable: string[]) {
    this.#tokens = tokens;
    this.#fields = fields;
    this.#sortable = sortable;
  }

  #peek(): Token {
    return this.#tokens[this.#i]!;
  }
  #kw(word: string): boolean {
    return this.#peek().kind === 'word' && this.#peek().text.toUpperCase() === word;
  }
  #fail(expected: string): never {
    const t = this.#peek();
    throw new CqlError(`Expected ${expected} but found ${t.kind === 'eof' ? 'end of query' : `'${t.text}'`}`, t.pos);
  }

  query(): CqlQuery {
    let where: CqlExpr | undefined;
    if (this.#peek().kind !== 'eof' && !this.#kw('ORDER')) where = this.#or();
    const orderBy: CqlQuery['orderBy'] = [];
    if (this.#kw('ORDER')) {
      this.#i++;
      if (!this.#kw('BY')) this.#fail('BY after ORDER');
      this.#i++;
      do {
        if (orderBy.length) this.#i++;
        const t = this.#peek();
        if (t.kind !== 'word' || !this.#sortable.includes(t.text.toLowerCase())) this.#fail(`a sort field (${this.#sortable.join(', ')})`);
        this.#i++;
        let desc = false;
        if (this.#kw('ASC') || this.#kw('DESC')) {
          desc = this.#kw('DESC');
          this.#i++;
        }
        orderBy.push({ field: t.text.toLowerCase(), desc });
      } while (this.#peek().kind === 'comma');
    }
    if (this.#peek().kind !== 'eof') this.#fail(where ? 'AND, OR, ORDER BY or end of query' : 'a field name');
    return { where, orderBy };
  }

  #or(): CqlExpr {
    let left = this.#and();
    while (this.#kw('OR')) {
      this.#i++;
      left = { kind: 'or', left, right: this.#and() };
    }
    return left;
  }

  #and(): CqlExpr {
    let left = this.#unary();
    for (;;) {
      if (this.#kw('AND')) {
        this.#i++;
        left = { kind: 'and', left, right: this.#unary() };
        continue;
      }
      if (this.#kw('NOT')) {
        left = { kind: 'and', left, right: this.#unary() };
        continue;
      }
      return left;
    }
  }

  #unary(): CqlExpr {
    if (this.#kw('NOT')) {
      this.#i++;
      return { kind: 'not', expr: this.#unary() };
    }
    if (this.#peek().kind === 'lparen') {
      this.#i++;
      const inner = this.#or();
      if (this.#peek().kind !== 'rparen') this.#fail("')'");
      this.#i++;
      return inner;
    }
    return this.#clause();
  }

  #clause(): CqlExpr {
    const t = this.#peek();
    if (t.kind !== 'word' || KEYWORDS.includes(t.text.toUpperCase())) this.#fail('a field name');
    const field = t.text.toLowerCase();
    const ops = this.#fields[field];
    if (!ops) throw new CqlError(`Unknown field '${t.text}'; supported: ${Object.keys(this.#fields).join(', ')}`, t.pos);
    this.#i++;
    let op: string;
    const opTok = this.#peek();
    if (this.#kw('NOT')) {
      this.#i++;
      if (!this.#kw('IN')) this.#fail('IN after NOT');
      this.#i++;
      op = 'not in';
    } else if (this.#kw('IN')) {
      this.#i++;
      op = 'in';
    } else if (opTok.kind === 'op') {
      this.#i++;
      op = opTok.text;
    } else this.#fail('an operator');
    if (!ops.includes(op)) throw new CqlError(`Operator '${op}' is not supported for field '${t.text}'; use ${ops.join(' ')}`, opTok.pos);
    const values: CqlValue[] = [];
    if (op === 'in' || op === 'not in') {
      if (this.#peek().kind !== 'lparen') this.#fail("'(' after IN");
      this.#i++;
      values.push(this.#value());
      while (this.#peek().kind === 'comma') {
        this.#i++;
        values.push(this.#value());
      }
      if (this.#peek().kind !== 'rparen') this.#fail("',' or ')'");
      this.#i++;
    } else {
      values.push(this.#value());
    }
    return { kind: 'clause', field, op, values, pos: t.pos };
  }

  #value(): CqlValue {
    const t = this.#peek();
    if (t.kind === 'string' || t.kind === 'number') {
      this.#i++;
      return { kind: t.kind, value: t.text };
    }
    if (t.kind === 'word' && !KEYWORDS.includes(t.text.toUpperCase())) {
      this.#i++;
      if (this.#peek().kind !== 'lparen') return { kind: 'word', value: t.text };
      this.#i++;
      const args: string[] = [];
      while (this.#peek().kind === 'string' || this.#peek().kind === 'number') {
        args.push(this.#peek().text);
        this.#i++;
        if (this.#peek().kind === 'comma') this.#i++;
      }
      if (this.#peek().kind !== 'rparen') this.#fail("')' to close the function call");
      this.#i++;
      return { kind: 'func', name: t.text, args };
    }
    return this.#fail('a value');
  }
}

/** Parses `cql` against the allowed fields and sort keys; throws CqlError naming the position. */
export function parseCql(cql: string, fields: FieldRules, sortable: string[]): CqlQuery {
  if (!cql.trim()) throw new CqlError('The CQL query is empty', 0);
  return new Parser(tokenize(cql), fields, sortable).query();
}
