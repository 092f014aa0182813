import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFailure, describeResource } from '../../../src/confluence/describe-error.ts';
import { ConfluenceHttpError, ConfluenceNetworkError, ConfluenceToolError } from '../../../src/confluence/errors.ts';

const http = (status: number, body: unknown, path = '/wiki/api/v2/pages/1', method = 'GET', retryAfterMs?: number) =>
  new ConfluenceHttpError({ method, path, status, body, retryAfterMs });
const ctx = (slug: string, args: Record<string, unknown> = {}) => ({ slug, args });

describe('describeResource', () => {
  it('names the innermost resource and its owner', () => {
    assert.equal(describeResource('/wiki/api/v2/pages/123'), 'page 123');
    assert.equal(describeResource('/wiki/api/v2/pages/123/children'), 'page 123');
    assert.equal(describeResource('/wiki/api/v2/blogposts/5/properties/9'), 'property 9 of blog post 5');
    assert.equal(describeResource('/wiki/api/v2/blogposts/5/versions/2'), 'version 2 of blog post 5');
    assert.equal(describeResource('/wiki/rest/api/space/TEAM'), 'space TEAM');
    assert.equal(describeResource('/wiki/rest/api/content/7/label'), 'content 7');
    assert.equal(describeResource('/wiki/api/v2/spaces'), 'the resource at /wiki/api/v2/spaces');
  });
});

describe('describeFailure', () => {
  it('turns a 409 into the version to send, and other conflicts into advice', () => {
    const e = http(
      409,
      { errors: [{ status: 409, code: 'CONFLICT', title: 'Version must be incremented on update. Current version is: 7', detail: null }] },
      '/wiki/api/v2/pages/1',
      'PUT',
    );
    assert.equal(describeFailure(e, ctx('CONFLUENCE_UPDATE_PAGE')), 'version conflict: current version is 7, send 8');
    assert.match(describeFailure(http(409, { message: 'busy' }), ctx('CONFLUENCE_UPDATE_PAGE')), /^conflict: busy; read the current state/);
  });

  it('names the space a create was refused for (404 on the collection path)', () => {
    const missing = http(404, { errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not Found', detail: null }] }, '/wiki/api/v2/pages', 'POST');
    assert.equal(describeFailure(missing, ctx('CONFLUENCE_CREATE_PAGE', { spaceId: '42' })), 'not found: space 42 does not exist or you lack permission');
    assert.equal(describeFailure(http(404, {}), ctx('CONFLUENCE_GET_PAGE_BY_ID', { id: '1' })), 'not found: page 1 does not exist or you lack permission');
  });

  it('names duplicates by title or key', () => {
    const dup = http(400, { errors: [{ status: 400, code: 'INVALID_REQUEST_BODY', title: 'A page with this title already exists', detail: null }] });
    assert.equal(
      describeFailure(dup, ctx('CONFLUENCE_CREATE_BLOGPOST', { title: 'News' })),
      "a blog post titled 'News' already exists in this space; choose another title or update the existing blog post",
    );
    const space = http(400, { errors: [{ status: 400, code: 'INVALID_REQUEST_BODY', title: 'A space with key TEAM already exists', detail: null }] });
    assert.equal(describeFailure(space, ctx('CONFLUENCE_CREATE_SPACE', { key: 'TEAM' })), "a space with key 'TEAM' already exists; choose another key");
  });

  it('explains malformed storage bodies and other 400s', () => {
    const xhtml = http(400, { errors: [{ status: 400, code: 'INVALID_REQUEST_BODY', title: 'Error parsing xhtml: unexpected end', detail: null }] });
    assert.match(describeFailure(xhtml, ctx('CONFLUENCE_CREATE_PAGE')), /^invalid request: Error parsing xhtml: unexpected end; the body must be well-formed/);
    assert.equal(describeFailure(http(400, { message: 'limit too big' }), ctx('CONFLUENCE_GET_PAGES')), 'invalid request: limit too big');
  });

  it('covers rate limits, auth, permission, server and transport failures', () => {
    assert.equal(describeFailure(http(429, {}, '/x', 'GET', 30_000), ctx('X')), 'rate limited by Confluence; retry later (Confluence asked to wait 30 s)');
    assert.equal(describeFailure(http(429, {}), ctx('X')), 'rate limited by Confluence; retry later');
    assert.match(describeFailure(http(401, {}), ctx('X')), /^authentication failed/);
    assert.equal(describeFailure(http(403, { message: 'no edit' }), ctx('X')), 'permission denied: you may not do this to page 1 (no edit)');
    assert.equal(describeFailure(http(502, 'upstream down'), ctx('X')), 'Confluence server error (502): upstream down; retry later');
    assert.match(
      describeFailure(new ConfluenceNetworkError('Confluence did not answer within 10 ms', { timedOut: true }), ctx('X')),
      /within 10 ms; retry later$/,
    );
    assert.equal(describeFailure(new ConfluenceToolError('not found: x'), ctx('X')), 'not found: x');
    assert.match(describeFailure(new TypeError('boom'), ctx('X')), /^internal error in the Confluence toolkit: boom$/);
  });
});
