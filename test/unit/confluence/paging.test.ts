import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cursorOf, normalizeOffset, offsetLinks } from '../../../src/confluence/paging.ts';

describe('paging helpers', () => {
  it('extracts the cursor of a v2 next link', () => {
    assert.equal(cursorOf('/wiki/api/v2/pages?limit=25&cursor=eyJpZCI6MX0%3D'), 'eyJpZCI6MX0=');
    assert.equal(cursorOf('/wiki/api/v2/pages'), null);
    assert.equal(cursorOf(undefined), null);
  });

  it('clamps offsets to integers within v2 bounds', () => {
    assert.deepEqual(normalizeOffset(undefined, undefined), { start: 0, limit: 25 });
    assert.deepEqual(normalizeOffset(-3, 1000), { start: 0, limit: 250 });
    assert.deepEqual(normalizeOffset(2.7, 0), { start: 2, limit: 1 });
  });

  it('names the offsets of the neighbouring pages', () => {
    assert.deepEqual(offsetLinks('/p', { start: 0, limit: 10, hasMore: true }), { self: '/p', next: '/p?start=10&limit=10', prev: null });
    assert.deepEqual(offsetLinks('/p', { start: 5, limit: 10, hasMore: false }), { self: '/p', next: null, prev: '/p?start=0&limit=10' });
  });
});
