/** CQL over content: the fields the sandbox understands, and compiling a parsed query into filter + sort. */
import type { CqlExpr, CqlQuery, FieldRules } from './parser.ts';
import { parseCql } from './parser.ts';
import type { CqlEnv } from './values.ts';
import { compareDate, dateValue, fuzzyMatch, textValue } from './values.ts';
import type { ContentRow } from '../store/rows.ts';

const EQ = ['=', '!=', 'in', 'not in'];
const DATES = ['=', '!=', '>', '>=', '<', '<='];

/** Content fields and their operators. */
export const CONTENT_FIELDS: FieldRules = {
  title: ['=', '!=', '~', '!~', 'in', 'not in'],
  text: ['~', '!~'],
  space: EQ,
  'space.key': EQ,
  type: EQ,
  label: EQ,
  created: DATES,
  lastmodified: DATES,
  creator: EQ,
  contributor: EQ,
  id: EQ,
  parent: EQ,
  ancestor: EQ,
  content: EQ,
};

/** Sort keys for ORDER BY. */
export const CONTENT_SORTS = ['created', 'lastmodified', 'title', 'id'];

/** A searchable piece of content with what CQL needs about it. */
export interface SearchDoc {
  /** The content row. */
  row: ContentRow;
  /** Its space key. */
  spaceKey: string;
  /** Label names. */
  labels: string[];
  /** Ancestor ids. */
  ancestors: number[];
  /** Account ids of everyone who edited it. */
  contributors: string[];
  /** Title + plain-text body. */
  text: string;
}

type Predicate = (doc: SearchDoc) => boolean;

function clause(e: Extract<CqlExpr, { kind: 'clause' }>, env: CqlEnv): Predicate {
  const negated = e.op === '!=' || e.op === '!~' || e.op === 'not in';
  let test: Predicate;
  if (e.field === 'created' || e.field === 'lastmodified') {
    const d = dateValue(e.values[0]!, env, e.pos);
    return (doc) => compareDate(Date.parse(e.field === 'created' ? doc.row.created_at : doc.row.updated_at), e.op, d);
  }
  const values = e.values.map((v) => textValue(v, env, e.pos));
  const lower = values.map((v) => v.toLowerCase());
  switch (e.field) {
    case 'title':
      test = e.op.includes('~') ? (doc) => fuzzyMatch(doc.row.title, values[0]!) : (doc) => lower.includes(doc.row.title.toLowerCase());
      break;
    case 'text':
      test = (doc) => fuzzyMatch(doc.text, values[0]!);
      break;
    case 'space':
    case 'space.key':
      test = (doc) => lower.includes(doc.spaceKey.toLowerCase());
      break;
    case 'type':
      test = (doc) => lower.includes(doc.row.type);
      break;
    case 'label':
      test = (doc) => doc.labels.some((l) => lower.includes(l));
      break;
    case 'creator':
      test = (doc) => values.includes(doc.row.author_id);
      break;
    case 'contributor':
      test = (doc) => doc.contributors.some((c) => values.includes(c));
      break;
    case 'id':
    case 'content':
      test = (doc) => values.includes(String(doc.row.id));
      break;
    case 'parent':
      test = (doc) => doc.row.parent_id !== null && values.includes(String(doc.row.parent_id));
      break;
    case 'ancestor':
      test = (doc) => doc.ancestors.some((a) => values.includes(String(a)));
      break;
    default:
      test = () => false;
  }
  return negated ? (doc) => !test(doc) : test;
}

function compile(e: CqlExpr, env: CqlEnv): Predicate {
  if (e.kind === 'clause') return clause(e, env);
  if (e.kind === 'not') {
    const inner = compile(e.expr, env);
    return (d) => !inner(d);
  }
  const left = compile(e.left, env);
  const right = compile(e.right, env);
  return e.kind === 'and' ? (d) => left(d) && right(d) : (d) => left(d) || right(d);
}

/** Parses a content CQL query and compiles it; throws CqlError (with position) on bad input. */
export function compileContentCql(cql: string, env: CqlEnv): { query: CqlQuery; matches: Predicate; sort: (a: SearchDoc, b: SearchDoc) => number } {
  const query = parseCql(cql, CONTENT_FIELDS, CONTENT_SORTS);
  const matches = query.where ? compile(query.where, env) : () => true;
  const keys = query.orderBy.length ? query.orderBy : [{ field: 'lastmodified', desc: true }];
  const sort = (a: SearchDoc, b: SearchDoc): number => {
    for (const k of keys) {
      let c = 0;
      if (k.field === 'title') c = a.row.title.localeCompare(b.row.title);
      else if (k.field === 'id') c = a.row.id - b.row.id;
      else if (k.field === 'created') c = a.row.created_at.localeCompare(b.row.created_at);
      else c = a.row.updated_at.localeCompare(b.row.updated_at);
      if (c) return k.desc ? -c : c;
    }
    return a.row.id - b.row.id;
  };
  return { query, matches, sort };
}

/** True when the query mentions the field anywhere (used to decide default type filters). */
export function mentions(e: CqlExpr | undefined, field: string): boolean {
  if (!e) return false;
  if (e.kind === 'clause') return e.field === field;
  if (e.kind === 'not') return mentions(e.expr, field);
  return mentions(e.left, field) || mentions(e.right, field);
}
