import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confluenceCatalogue } from '../../../../src/toolkit/catalogue.ts';
import { canonicalWord, rankTools, similarSlugs } from '../../../../src/sandbox/tool-router/search.ts';

const tools = confluenceCatalogue().tools;
const best = (text: string): string | undefined => rankTools(text, tools)[0]?.tool.slug;

test('everyday words fold onto the catalogue words', () => {
  assert.equal(canonicalWord('Pages'), 'page');
  assert.equal(canonicalWord('list'), 'get');
  assert.equal(canonicalWord('remove'), 'delete');
  assert.equal(canonicalWord('properties'), 'property');
});

test('the best tool for common use cases', () => {
  assert.equal(best('create a new page'), 'CONFLUENCE_CREATE_PAGE');
  assert.equal(best('remove a page'), 'CONFLUENCE_DELETE_PAGE');
  assert.equal(best('who am I, the current user'), 'CONFLUENCE_GET_CURRENT_USER');
  assert.equal(best('add a label to some content'), 'CONFLUENCE_ADD_CONTENT_LABEL');
  assert.equal(best('find content by text'), 'CONFLUENCE_SEARCH_CONTENT');
  assert.deepEqual(rankTools('quantum chromodynamics', tools), []);
});

test('similar slugs for a misspelt one', () => {
  assert.deepEqual(
    similarSlugs(
      'CONFLUENCE_GET_SPACEZ',
      tools.map((t) => t.slug),
    ).slice(0, 1),
    ['CONFLUENCE_GET_SPACES'],
  );
});
