import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkAssertion, readPath } from '../../../src/engine/assertions.ts';

const envelope = {
  successful: true,
  error: null,
  data: {
    results: [
      { id: '98305', key: 'MKT', title: 'Marketing', labels: ['a', 'b'], size: 3, meta: { draft: false } },
      { id: '98307', key: 'TEAM' },
    ],
    count: 2,
    empty: '',
    nothing: null,
  },
};

describe('readPath', () => {
  test('reads dotted paths, numeric segments and [n] indexes alike', () => {
    assert.deepEqual(readPath(envelope, 'data.results.0.key'), { found: true, value: 'MKT' });
    assert.deepEqual(readPath(envelope, 'data.results[1].key'), { found: true, value: 'TEAM' });
    assert.deepEqual(readPath(envelope, 'data.results[0].labels[1]'), { found: true, value: 'b' });
    assert.deepEqual(readPath(envelope, 'successful'), { found: true, value: true });
    assert.deepEqual(readPath(envelope, 'data.results.0.meta.draft'), { found: true, value: false });
  });

  test('finds values that are null or empty; misses paths that are not there', () => {
    assert.deepEqual(readPath(envelope, 'data.nothing'), { found: true, value: null });
    assert.deepEqual(readPath(envelope, 'error'), { found: true, value: null });
    assert.deepEqual(readPath(envelope, 'data.empty'), { found: true, value: '' });
    assert.deepEqual(readPath(envelope, 'data.results.5.key'), { found: false, value: undefined });
    assert.deepEqual(readPath(envelope, 'data.nothing.deeper'), { found: false, value: undefined });
    assert.deepEqual(readPath(envelope, 'data.results.0.key.length'), { found: false, value: undefined }, 'no walking into strings');
    assert.deepEqual(readPath(envelope, 'data.missing'), { found: false, value: undefined });
  });

  test('an empty path is the value itself', () => {
    assert.deepEqual(readPath(envelope, ''), { found: true, value: envelope });
    assert.deepEqual(readPath(5, ''), { found: true, value: 5 });
  });
});

describe('checkAssertion', () => {
  test('equals: deep equality, and a rendered string matches a number or boolean written the same', () => {
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.key', equals: 'MKT' }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.meta', equals: { draft: false } }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.count', equals: 2 }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.count', equals: '2' }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'successful', equals: 'true' }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.nothing', equals: null }), undefined);
  });

  test('equals: failures name the path, the expected and the actual value', () => {
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.key', equals: 'TEAM' }), 'data.results.0.key: expected "TEAM", got "MKT"');
    assert.equal(checkAssertion(envelope, { path: 'data.count', equals: 3 }), 'data.count: expected 3, got 2');
    assert.equal(checkAssertion(envelope, { path: 'data.count', equals: '02' }), 'data.count: expected "02", got 2');
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.size', equals: true }), 'data.results.0.size: expected true, got 3');
    assert.equal(checkAssertion(envelope, { path: 'data.nope', equals: 'x' }), 'data.nope: expected "x", got (nothing there)');
    assert.equal(checkAssertion({ data: { key: 5 } }, { path: 'data.key', equals: '5' }), undefined, 'the string form of a non-string value is accepted');
    assert.equal(checkAssertion({ data: { key: '5' } }, { path: 'data.key', equals: 5 }), 'data.key: expected 5, got "5"', 'but not the other way round');
  });

  test('contains: an element of an array (deep) or a substring of a string', () => {
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.labels', contains: 'b' }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.results', contains: { id: '98307', key: 'TEAM' } }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.title', contains: 'keti' }), undefined);
    assert.equal(checkAssertion({ n: 'v12' }, { path: 'n', contains: 12 }), undefined, 'a number looked for in a string as text');
  });

  test('contains: failures', () => {
    assert.equal(
      checkAssertion(envelope, { path: 'data.results.0.labels', contains: 'c' }),
      'data.results.0.labels: expected it to contain "c", got ["a","b"]',
    );
    assert.equal(
      checkAssertion(envelope, { path: 'data.results', contains: { id: '98307' } }),
      'data.results: expected it to contain {"id":"98307"}, got [{"id":"98305","key":"MKT","title":"Marketing","labels":["a","b"],"size":3,"meta":{"draft":false}},{"id":"98307","key":"TEAM"}]',
    );
    assert.equal(checkAssertion(envelope, { path: 'data.count', contains: 2 }), 'data.count: expected it to contain 2, got 2', 'numbers contain nothing');
    assert.equal(checkAssertion(envelope, { path: 'data.none', contains: 'x' }), 'data.none: expected it to contain "x", got (nothing there)');
  });

  test('exists: true and false, with messages both ways', () => {
    assert.equal(checkAssertion(envelope, { path: 'data.results.1', exists: true }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.nothing', exists: true }), undefined, 'null is there');
    assert.equal(checkAssertion(envelope, { path: 'data.results.2', exists: false }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.results.2', exists: true }), 'data.results.2: expected it to exist, found nothing');
    assert.equal(checkAssertion(envelope, { path: 'data.count', exists: false }), 'data.count: expected it not to exist, found 2');
  });

  test('matches: a regular expression on text, or on the JSON of other values', () => {
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.id', matches: '^\\d+$' }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.meta', matches: '"draft":false' }), undefined);
    assert.equal(checkAssertion(envelope, { path: 'data.results.0.key', matches: '^T' }), 'data.results.0.key: expected it to match /^T/, got "MKT"');
    assert.equal(checkAssertion(envelope, { path: 'data.none', matches: '.*' }), 'data.none: expected it to match /.*/, got (nothing there)');
  });

  test('long actual values are cut to 200 characters in messages', () => {
    const message = checkAssertion({ text: 'x'.repeat(500) }, { path: 'text', equals: 'y' })!;
    assert.equal(message, `text: expected "y", got "${'x'.repeat(199)}…`);
  });

  test('an assertion with no operator holds', () => {
    assert.equal(checkAssertion(envelope, { path: 'data.none' }), undefined);
  });
});
