import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, listParam, parseLimit } from '../../../src/sandbox/http/paging.ts';
import { HttpError } from '../../../src/sandbox/http/errors.ts';

describe('pagination helpers', () => {
  it('parses limits with a default and a maximum', () => {
    assert.equal(parseLimit(new URLSearchParams(''), 25, 250), 25);
    assert.equal(parseLimit(new URLSearchParams('limit=250'), 25, 250), 250);
    for (const bad of ['251', '0', '-1', 'ten', '2.5']) {
      assert.throws(
        () => parseLimit(new URLSearchParams(`limit=${bad}`), 25, 250),
        (e: unknown) => e instanceof HttpError && e.status === 400 && e.code === 'INVALID_REQUEST_PARAMETER',
      );
    }
  });

  it('round-trips opaque cursors and rejects junk', () => {
    assert.equal(decodeCursor(encodeCursor(75)), 75);
    assert.equal(decodeCursor(null), 0);
    assert.doesNotMatch(encodeCursor(75), /75/);
    assert.throws(
      () => decodeCursor('not-a-cursor'),
      (e: unknown) => e instanceof HttpError && e.status === 400,
    );
  });

  it('reads repeated and comma-separated list parameters', () => {
    assert.deepEqual(listParam(new URLSearchParams('keys=A&keys=B,C'), 'keys'), ['A', 'B', 'C']);
  });
});
