import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { v2Sort } from '../../../../src/confluence/tools/pages.ts';
import { buildSearchCql } from '../../../../src/confluence/tools/search.ts';
import { cqlString } from '../../../../src/confluence/tools/users.ts';

describe('query building', () => {
  it('maps loose sort names and a direction to v2 sort values', () => {
    assert.equal(v2Sort('title', 'desc'), '-title');
    assert.equal(v2Sort('created', null), 'created-date');
    assert.equal(v2Sort('-modified-date', null), '-modified-date');
    assert.equal(v2Sort(null, null), undefined);
  });

  it('builds a title search, or passes CQL through, narrowed to a space', () => {
    assert.equal(buildSearchCql('Q3 "plan"', 'PROD'), 'type = page AND title ~ "Q3 \\"plan\\"" AND space = "PROD"');
    assert.equal(buildSearchCql('label = "meeting-notes"'), '(label = "meeting-notes")');
    assert.equal(buildSearchCql('type=page OR label=x ORDER BY created DESC'), '(type=page OR label=x) ORDER BY created DESC');
    assert.equal(buildSearchCql('label = a order by title, created desc', 'ENG'), '(label = a) AND space = "ENG" order by title, created desc');
    assert.equal(cqlString('a\\b'), '"a\\\\b"');
  });
});
