import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, journalKey } from '../../../src/agent/journal-key.ts';

test('canonicalJson sorts object keys at every depth and keeps array order', () => {
  const value = { title: 'T', body: { storage: { value: '<p/>', representation: 'storage' } }, labels: [{ name: 'b', prefix: 'global' }, { name: 'a' }] };
  assert.equal(
    canonicalJson(value),
    '{"body":{"storage":{"representation":"storage","value":"<p/>"}},"labels":[{"name":"b","prefix":"global"},{"name":"a"}],"title":"T"}',
  );
  assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
});

test('canonicalJson drops undefined members, as JSON.stringify does, and writes scalars as JSON', () => {
  assert.equal(canonicalJson({ a: undefined, b: null, c: 0, d: false }), '{"b":null,"c":0,"d":false}');
  assert.equal(canonicalJson({ a: undefined }), canonicalJson({}));
  assert.equal(canonicalJson(undefined), 'null');
  assert.equal(canonicalJson('say "hi"\n'), '"say \\"hi\\"\\n"');
  assert.equal(canonicalJson({ 'key "q"': 1 }), '{"key \\"q\\"":1}');
  assert.equal(canonicalJson([]), '[]');
  assert.equal(canonicalJson({}), '{}');
  assert.deepEqual(JSON.parse(canonicalJson({ z: [1, { y: 'x' }], a: -1.5 })), { z: [1, { y: 'x' }], a: -1.5 });
});

test('journalKey is a sha256 hex digest that ignores key order and depends on tool and arguments', () => {
  const key = journalKey('CONFLUENCE_CREATE_PAGE', { spaceId: '1', title: 'A', body: { storage: { value: 'x' } } });
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(key, journalKey('CONFLUENCE_CREATE_PAGE', { body: { storage: { value: 'x' } }, title: 'A', spaceId: '1' }));
  assert.notEqual(key, journalKey('CONFLUENCE_CREATE_BLOGPOST', { spaceId: '1', title: 'A', body: { storage: { value: 'x' } } }));
  assert.notEqual(key, journalKey('CONFLUENCE_CREATE_PAGE', { spaceId: '1', title: 'B', body: { storage: { value: 'x' } } }));
  // The separator keeps a tool name from running into its arguments.
  assert.notEqual(journalKey('AB', 'C'), journalKey('A', 'BC'));
});
