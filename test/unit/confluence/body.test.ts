import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coerceBody, storageOf } from '../../../src/confluence/body.ts';

describe('body inputs', () => {
  it('reads the storage value from every accepted shape', () => {
    assert.equal(storageOf('<p>a</p>'), '<p>a</p>');
    assert.equal(storageOf({ storage: { value: '<p>b</p>', representation: 'storage' } }), '<p>b</p>');
    assert.equal(storageOf({ representation: 'storage', value: '<p>c</p>' }), '<p>c</p>');
    assert.equal(storageOf({}), '');
  });

  it('reshapes loose bodies into what each slug declares', () => {
    assert.deepEqual(coerceBody('CONFLUENCE_CREATE_PAGE', { body: '<p/>' }).body, { storage: { representation: 'storage', value: '<p/>' } });
    assert.deepEqual(coerceBody('CONFLUENCE_UPDATE_PAGE', { body: { representation: 'storage', value: '<p/>' } }).body, {
      storage: { representation: 'storage', value: '<p/>' },
    });
    assert.deepEqual(coerceBody('CONFLUENCE_CREATE_BLOGPOST', { body: { storage: { value: '<p/>' } } }).body, { representation: 'storage', value: '<p/>' });
    assert.deepEqual(coerceBody('CONFLUENCE_UPDATE_BLOGPOST', { body: '<p/>' }).body, { representation: 'storage', value: '<p/>' });
  });

  it('leaves declared shapes and other tools alone', () => {
    const args = { body: { storage: { value: '<p/>' } } };
    assert.equal(coerceBody('CONFLUENCE_CREATE_PAGE', args), args);
    const other = { body: 'x' };
    assert.equal(coerceBody('CONFLUENCE_GET_PAGES', other), other);
  });
});
