import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCql } from '../../../src/sandbox/cql/parser.ts';
import { CqlError } from '../../../src/sandbox/cql/lexer.ts';
import { CONTENT_FIELDS, CONTENT_SORTS, compileContentCql } from '../../../src/sandbox/cql/content.ts';
import type { SearchDoc } from '../../../src/sandbox/cql/content.ts';

const parse = (cql: string) => parseCql(cql, CONTENT_FIELDS, CONTENT_SORTS);
const env = { now: new Date('2026-06-15T12:00:00.000Z'), currentUser: '712020:me' };

function doc(id: number, title: string, extra: Partial<SearchDoc['row']> & { space?: string; labels?: string[]; text?: string } = {}): SearchDoc {
  const row = {
    id,
    type: 'page' as const,
    space_id: 1,
    parent_id: null,
    title,
    status: 'current',
    author_id: '712020:other',
    owner_id: '712020:other',
    created_at: '2026-06-01T10:00:00.000Z',
    updated_at: '2026-06-01T10:00:00.000Z',
    version: 1,
    body: '',
    position: 0,
    ...extra,
  };
  return {
    row,
    spaceKey: extra.space ?? 'TEAM',
    labels: extra.labels ?? [],
    ancestors: [],
    contributors: [row.author_id],
    text: `${title} ${extra.text ?? ''}`,
  };
}

const docs = [
  doc(1, 'Meeting notes 2026-06-12', { labels: ['meeting-notes'], created_at: '2026-06-12T10:00:00.000Z', updated_at: '2026-06-12T10:00:00.000Z' }),
  doc(2, 'Q3 Planning', { space: 'PROD', labels: ['planning'], author_id: '712020:me', text: 'latency budget' }),
  doc(3, 'Announcing Search v2', { type: 'blogpost', space: 'MKT', created_at: '2025-12-01T10:00:00.000Z', updated_at: '2026-01-01T10:00:00.000Z' }),
];

function ids(cql: string): number[] {
  const c = compileContentCql(cql, env);
  return docs
    .filter(c.matches)
    .sort(c.sort)
    .map((d) => d.row.id);
}

describe('CQL parsing', () => {
  it('parses precedence: AND binds tighter than OR, parentheses override', () => {
    const q = parse('space = A OR space = B AND type = page');
    assert.equal(q.where?.kind, 'or');
    const p = parse('(space = A OR space = B) AND type = page');
    assert.equal(p.where?.kind, 'and');
  });

  it('parses IN lists, functions, NOT and ORDER BY', () => {
    const q = parse('label in ("a", b) AND NOT type = blogpost AND created >= now("-7d") ORDER BY lastmodified DESC, title');
    assert.deepEqual(q.orderBy, [
      { field: 'lastmodified', desc: true },
      { field: 'title', desc: false },
    ]);
    assert.equal(parse('ORDER BY created').where, undefined);
  });

  for (const [cql, pos, text] of [
    ['title ~', 7, 'Expected a value but found end of query'],
    ['title ~ "x" AND', 15, 'Expected a field name'],
    ['colour = red', 0, "Unknown field 'colour'"],
    ['text = "x"', 5, "Operator '=' is not supported for field 'text'"],
    ['title ~ "unclosed', 8, 'Unterminated string'],
    ['space in (A, B', 14, "Expected ',' or ')'"],
    ['type = page ORDER created', 18, 'Expected BY after ORDER'],
    ['type = page ORDER BY colour', 21, 'Expected a sort field'],
    ['type = page title = x', 12, 'Expected AND, OR, ORDER BY or end of query'],
    ['', 0, 'The CQL query is empty'],
  ] as const) {
    it(`rejects ${JSON.stringify(cql)} at position ${pos}`, () => {
      assert.throws(
        () => parse(cql),
        (err: unknown) => err instanceof CqlError && err.position === pos && err.message.includes(text),
      );
    });
  }
});

describe('CQL evaluation', () => {
  it('matches titles fuzzily and exactly', () => {
    assert.deepEqual(ids('title ~ "meeting" ORDER BY id'), [1]);
    assert.deepEqual(ids('title = "q3 planning"'), [2]);
    assert.deepEqual(ids('title ~ "plan*"'), [2]);
  });

  it('filters by space, type, label, text and creator', () => {
    assert.deepEqual(ids('space in (PROD, MKT) ORDER BY id'), [2, 3]);
    assert.deepEqual(ids('type = blogpost'), [3]);
    assert.deepEqual(ids('label = "meeting-notes" OR label in (planning) ORDER BY id'), [1, 2]);
    assert.deepEqual(ids('text ~ "latency"'), [2]);
    assert.deepEqual(ids('creator = currentUser()'), [2]);
    assert.deepEqual(ids('NOT space = TEAM ORDER BY id'), [2, 3]);
    assert.deepEqual(ids('space != TEAM AND type != blogpost'), [2]);
  });

  it('compares dates, whole days and now() offsets', () => {
    assert.deepEqual(ids('created >= now("-7d")'), [1]);
    assert.deepEqual(ids('created < "2026-01-01" '), [3]);
    assert.deepEqual(ids('created = "2026-06-12"'), [1]);
    assert.deepEqual(ids('lastmodified <= "2026-06-01" ORDER BY id'), [2, 3]);
    assert.deepEqual(ids('created > "2026-06-01" '), [1]);
    assert.throws(() => ids('created > "June"'), /Invalid date/);
    assert.throws(() => ids('created > now("-7x")'), /Invalid date offset/);
  });

  it('orders by the given keys', () => {
    assert.deepEqual(ids('type in (page, blogpost) ORDER BY title'), [3, 1, 2]);
    assert.deepEqual(ids('type in (page, blogpost) ORDER BY created DESC'), [1, 2, 3]);
  });
});
