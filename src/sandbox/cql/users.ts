/** CQL over users (the /search/user endpoint): type = user, user, user.fullname, user.accountid. */
import type { CqlExpr, FieldRules } from './parser.ts';
import { parseCql } from './parser.ts';
import type { CqlEnv } from './values.ts';
import { fuzzyMatch, textValue } from './values.ts';
import type { UserRow } from '../store/rows.ts';

/** User-search fields and their operators. */
export const USER_FIELDS: FieldRules = {
  type: ['=', '!=', 'in', 'not in'],
  user: ['=', '!=', 'in', 'not in'],
  'user.accountid': ['=', '!=', 'in', 'not in'],
  'user.fullname': ['~', '!~', '=', '!='],
};

type Predicate = (u: UserRow) => boolean;

function compile(e: CqlExpr, env: CqlEnv): Predicate {
  if (e.kind === 'not') {
    const inner = compile(e.expr, env);
    return (u) => !inner(u);
  }
  if (e.kind !== 'clause') {
    const l = compile(e.left, env);
    const r = compile(e.right, env);
    return e.kind === 'and' ? (u) => l(u) && r(u) : (u) => l(u) || r(u);
  }
  const values = e.values.map((v) => textValue(v, env, e.pos));
  const negated = e.op.startsWith('!') || e.op === 'not in';
  let test: Predicate;
  if (e.field === 'type') test = () => values.some((v) => v.toLowerCase() === 'user');
  else if (e.field === 'user.fullname') {
    test = e.op.includes('~')
      ? (u) => fuzzyMatch(`${u.display_name} ${u.public_name}`, values[0]!)
      : (u) => u.display_name.toLowerCase() === values[0]!.toLowerCase();
  } else test = (u) => values.includes(u.account_id);
  return negated ? (u) => !test(u) : test;
}

/** Parses and compiles a user-search CQL query; throws CqlError on bad input. */
export function compileUserCql(cql: string, env: CqlEnv): Predicate {
  const query = parseCql(cql, USER_FIELDS, []);
  return query.where ? compile(query.where, env) : () => true;
}
