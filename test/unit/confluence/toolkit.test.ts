import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ConfluenceClient } from '../../../src/confluence/client.ts';
import { createConfluenceToolkit } from '../../../src/confluence/toolkit.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import type { ToolExecutor } from '../../../src/toolkit/types.ts';
import { startScriptedServer, type Handler, type ScriptedServer } from './helpers/scripted-server.ts';

const TOKEN = 'SENTINEL-TOKEN-b71c0e';
const BASIC = Buffer.from(`bot@example.com:${TOKEN}`).toString('base64');

const v2Error = (status: number, title: string, detail: string | null = null) => ({
  status,
  body: { errors: [{ status, code: 'ERR', title, detail }] },
});

describe('createConfluenceToolkit', () => {
  let server: ScriptedServer;
  let toolkit: ToolExecutor;
  const delays: number[] = [];
  const route = (h: Handler) => server.handle(h);

  before(async () => {
    server = await startScriptedServer();
    const client = new ConfluenceClient({
      baseUrl: server.url,
      email: 'bot@example.com',
      apiToken: TOKEN,
      maxRetries: 2,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    toolkit = createConfluenceToolkit({ client });
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    delays.length = 0;
  });

  it('lists the 57 catalogue tools', () => {
    assert.equal(toolkit.list().length, 57);
    assert.equal(toolkit.list(), confluenceCatalogue().tools);
  });

  it('answers an unknown slug with an envelope naming close slugs', async () => {
    const r = await toolkit.execute('CONFLUENCE_GET_PAGE', {});
    assert.equal(r.successful, false);
    assert.equal(r.data, null);
    assert.match(r.error ?? '', /^unknown tool 'CONFLUENCE_GET_PAGE'; did you mean CONFLUENCE_GET_PAGE/);
    assert.equal(server.requests.length, 0);
  });

  it('rejects bad arguments before any request, listing every problem', async () => {
    const r = await toolkit.execute('CONFLUENCE_ADD_CONTENT_LABEL', { id: '1', labels: [{ name: 'x', prefix: 'bogus' }] });
    assert.deepEqual(r, {
      data: null,
      error: 'invalid arguments: /labels/0/prefix must be one of global, team, my',
      successful: false,
      failure: { kind: 'validation', retryable: false },
    });
    const r2 = await toolkit.execute('CONFLUENCE_UPDATE_PAGE', { id: 1, title: 'x', extra: true });
    assert.equal(
      r2.error,
      'invalid arguments: /body is required; /spaceId is required; /version is required; /extra is not an allowed field; /id must be string',
    );
    const r3 = await toolkit.execute('CONFLUENCE_GET_SPACES', { status: 'gone' });
    assert.equal(r3.error, 'invalid arguments: /status must be one of current, archived, null');
    const r4 = await toolkit.execute('CONFLUENCE_GET_PAGE_BY_ID', null as unknown as Record<string, unknown>);
    assert.equal(r4.error, 'invalid arguments: the arguments must be a JSON object');
    assert.equal(server.requests.length, 0);
  });

  it('accepts a storage string body and resolves a space key to its id', async () => {
    route((req) => {
      if (req.pathname === '/wiki/api/v2/spaces') return { body: { results: [{ id: '42', key: 'TEAM', name: 'Team' }], _links: {} } };
      return {
        body: {
          id: '7',
          status: 'current',
          title: 'T',
          spaceId: '42',
          createdAt: '2026-01-01T00:00:00.000Z',
          version: { number: 1, createdAt: '2026-01-01T00:00:00.000Z', authorId: 'u1' },
          body: { storage: { representation: 'storage', value: '<p>x</p>' } },
          _links: { webui: '/spaces/TEAM/pages/7' },
        },
      };
    });
    const r = await toolkit.execute('CONFLUENCE_CREATE_PAGE', { spaceId: 'TEAM', title: 'T', body: '<p>x</p>' });
    assert.equal(r.successful, true, r.error ?? '');
    assert.deepEqual(server.requests[0]!.query.getAll('keys'), ['TEAM']);
    assert.equal(server.requests[1]!.method, 'POST');
    assert.deepEqual(server.requests[1]!.body, { spaceId: '42', status: 'current', title: 'T', body: { representation: 'storage', value: '<p>x</p>' } });
    const data = r.data as Record<string, unknown>;
    assert.equal(data.type, 'page');
    assert.equal(data.parentId, null);
    assert.deepEqual(data.version, {
      number: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      authorId: 'u1',
      when: '2026-01-01T00:00:00.000Z',
      message: null,
      minorEdit: null,
      by: { type: 'known', accountId: 'u1', accountType: 'atlassian', displayName: null, publicName: null, username: null, profilePicture: null },
    });
  });

  it('reports an unknown space key as not found', async () => {
    route(() => ({ body: { results: [], _links: {} } }));
    const r = await toolkit.execute('CONFLUENCE_CREATE_PAGE', { spaceId: 'NOPE', title: 'T', body: { storage: { value: '' } } });
    assert.equal(r.error, "not found: space with key 'NOPE' does not exist or you lack permission");
    assert.equal(server.requests.length, 1);
  });

  it('maps a 409 to the version to send', async () => {
    route(() => v2Error(409, 'Conflict', 'Version must be incremented on update. Current version is: 4'));
    const r = await toolkit.execute('CONFLUENCE_UPDATE_PAGE', {
      id: '123',
      spaceId: '42',
      title: 'T',
      body: { storage: { value: '<p/>' } },
      version: { number: 4 },
    });
    assert.deepEqual(r, {
      data: null,
      error: 'version conflict: current version is 4, send 5',
      successful: false,
      failure: { kind: 'tool', retryable: false, status: 409 },
    });
  });

  it('maps a 404 to the missing resource', async () => {
    route(() => v2Error(404, 'Not Found'));
    const r = await toolkit.execute('CONFLUENCE_GET_PAGE_BY_ID', { id: '123' });
    assert.equal(r.error, 'not found: page 123 does not exist or you lack permission');
    const r2 = await toolkit.execute('CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_PAGE_BY_ID', { pageId: '5', propertyId: '99' });
    assert.equal(r2.error, 'not found: property 99 of page 5 does not exist or you lack permission');
  });

  it('maps a duplicate title to a choice of title or update', async () => {
    route((req) =>
      req.method === 'POST' ? v2Error(400, 'A page with this title already exists: A page already exists with the same TITLE in this space') : { body: {} },
    );
    const r = await toolkit.execute('CONFLUENCE_CREATE_PAGE', { spaceId: '42', title: 'Runbook', body: { storage: { value: '' } } });
    assert.equal(r.error, "a page titled 'Runbook' already exists in this space; choose another title or update the existing page");
  });

  it('maps a 429 that outlasts the retries to "rate limited"', async () => {
    route(() => ({ status: 429, headers: { 'retry-after': '1' }, body: {} }));
    const r = await toolkit.execute('CONFLUENCE_GET_SPACES', {});
    assert.equal(r.successful, false);
    assert.match(r.error ?? '', /^rate limited by Confluence; retry later/);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(delays, [1000, 1000]);
  });

  it('maps 401 and network failures without leaking the token', async () => {
    route(() => ({ status: 401, body: { message: `bad credentials for ${TOKEN}?` } }));
    const r = await toolkit.execute('CONFLUENCE_GET_CURRENT_USER', {});
    assert.match(r.error ?? '', /^authentication failed/);
    const dead = createConfluenceToolkit({ baseUrl: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: TOKEN, maxRetries: 0 });
    const r2 = await dead.execute('CONFLUENCE_GET_SPACES', {});
    assert.match(r2.error ?? '', /^could not reach Confluence/);
    for (const text of [r.error, r2.error]) assert.ok(!String(text).includes(TOKEN) && !String(text).includes(BASIC));
  });

  it('redacts the token even when Confluence echoes it back', async () => {
    route(() => ({ status: 403, body: { message: `token ${TOKEN} / Basic ${BASIC} may not edit` } }));
    const r = await toolkit.execute('CONFLUENCE_DELETE_PAGE', { id: '3' });
    assert.equal(r.error, 'permission denied: you may not do this to page 3 (token *** / Basic *** may not edit)');
  });

  it('emulates start/limit over v2 cursors', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ id: String(i + 1), title: `c${i + 1}`, status: 'current', spaceId: '42' }));
    route((req) => {
      const offset = Number(req.query.get('cursor') ?? 0);
      const limit = Number(req.query.get('limit'));
      const results = all.slice(offset, offset + limit);
      const next = offset + limit < all.length ? `/wiki/api/v2/pages/9/children?cursor=${offset + limit}&limit=${limit}` : undefined;
      return { body: { results, _links: next ? { next } : {} } };
    });
    const r = await toolkit.execute('CONFLUENCE_GET_CHILD_PAGES', { id: '9', start: 2, limit: 2 });
    assert.equal(r.successful, true, r.error ?? '');
    const data = r.data as { results: { id: string }[]; start: number; size: number; _links: { next: string | null; prev: string | null } };
    assert.deepEqual(
      data.results.map((p) => p.id),
      ['3', '4'],
    );
    assert.equal(data.start, 2);
    assert.equal(data.size, 2);
    assert.equal(data._links.next, '/wiki/api/v2/pages/9/children?start=4&limit=2');
    assert.equal(data._links.prev, '/wiki/api/v2/pages/9/children?start=0&limit=2');
    assert.equal(server.requests[0]!.query.get('limit'), '4');
  });

  it('resolves a property key before deleting it by id', async () => {
    route((req) => (req.method === 'GET' ? { body: { results: [{ id: '77', key: 'flag', value: {}, version: { number: 2 } }] } } : { status: 204 }));
    const r = await toolkit.execute('CONFLUENCE_DELETE_BLOGPOST_PROPERTY', { id: '5', propertyKey: 'flag' });
    assert.deepEqual(r, { data: {}, error: null, successful: true });
    assert.equal(server.requests[0]!.query.get('key'), 'flag');
    assert.equal(server.requests[1]!.method, 'DELETE');
    assert.equal(server.requests[1]!.pathname, '/wiki/api/v2/blogposts/5/properties/77');
  });

  it('reports cancellation as an envelope', async () => {
    route(() => ({ body: {} }));
    const r = await toolkit.execute('CONFLUENCE_GET_SPACES', {}, { signal: AbortSignal.abort() });
    assert.equal(r.error, 'cancelled: the call was aborted before Confluence answered');
  });
});
