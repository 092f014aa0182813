/**
 * Routes third-party clients use: v1 content search (CQL, content objects), v2 direct children, repeated `expand`
 * keys, the v1 content update, the 255-character title limit and 404 for an unknown spaceId. Driven by the real
 * confluence.js client (strict schema audit) where it has the call, by plain HTTP where it has not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestSandbox } from './helpers.ts';
import { NO_CHECK, startTestSandbox } from './helpers.ts';

const DRIFT = Symbol.for('apis-code-gen.schemaAudit');

describe('sandbox routes for third-party clients', () => {
  let sb: TestSandbox;
  let v1: any;
  let v2: any;
  let spaceId: string;
  let parent: { id: string; title: string };
  const storage = (value: string) => ({ representation: 'storage', value });

  before(async () => {
    process.env.AUDIT_SCHEMAS = 'true';
    const lib = await import('confluence.js');
    sb = await startTestSandbox();
    const config = { host: sb.handle.url, auth: { type: 'basic' as const, email: sb.handle.email, apiToken: sb.handle.apiToken } };
    v1 = lib.createV1Client(config);
    v2 = lib.createV2Client(config);
    (globalThis as Record<symbol, unknown>)[DRIFT] = [];
    const space = await sb.call('POST', '/wiki/api/v2/spaces', { key: 'TPC', name: 'Third party' });
    spaceId = space.json.id;
    const made = await sb.call('POST', '/wiki/api/v2/pages', { spaceId, title: 'Parent page', body: storage('<p>p</p>') });
    parent = made.json;
  });
  after(async () => {
    await sb?.cleanup();
  });

  it('searches content by CQL through confluence.js, with expand sent as repeated keys', async () => {
    await sb.call('POST', '/wiki/api/v2/pages', { spaceId, title: 'Searchable child', parentId: parent.id, body: storage('<p>needle</p>') });
    const found = await v1.content.searchContentByCQL({ cql: 'space = TPC AND text ~ "needle"', expand: ['version', 'space'] });
    assert.deepEqual(
      found.results.map((c: { title: string }) => c.title),
      ['Searchable child'],
    );
    assert.equal(found.results[0].version.number, 1, 'expand=version honoured');
    assert.equal(found.results[0].space.key, 'TPC', 'the second repeated expand key honoured');
    assert.equal(found.size, 1);
    const bad = await sb.call('GET', '/wiki/rest/api/content/search?cql=colour%20%3D%20red');
    assert.equal(bad.status, 400);
    const drift = (globalThis as Record<symbol, unknown>)[DRIFT] as unknown[];
    assert.deepEqual(drift, [], 'no undocumented fields or values');
  });

  it('treats repeated expand keys like a comma list on /search', async () => {
    const path = '/wiki/rest/api/search?cql=title%20%3D%20%22Parent%20page%22';
    const repeated = await sb.call('GET', `${path}&expand=content.version&expand=content.space`);
    const listed = await sb.call('GET', `${path}&expand=content.version,content.space`);
    assert.equal(repeated.status, 200);
    assert.equal(repeated.json.results[0].content.version.number, 1);
    assert.equal(repeated.json.results[0].content.space.key, 'TPC');
    assert.deepEqual(repeated.json.results[0].content, listed.json.results[0].content);
  });

  it("lists a page's direct children, pages and whiteboards, in child position order", async () => {
    const board = await sb.call('POST', '/wiki/api/v2/whiteboards', { spaceId, title: 'Board', parentId: parent.id });
    assert.equal(board.status, 200, JSON.stringify(board.json));
    const kids = await v2.children.getPageDirectChildren({ id: Number(parent.id) });
    assert.deepEqual(
      kids.results.map((k: { title: string; type: string }) => `${k.type}:${k.title}`),
      ['page:Searchable child', 'whiteboard:Board'],
    );
    assert.equal(kids.results[0].spaceId, spaceId);
    const missing = await sb.call('GET', '/wiki/api/v2/pages/999999/direct-children');
    assert.equal(missing.status, 404);
    const drift = (globalThis as Record<symbol, unknown>)[DRIFT] as unknown[];
    assert.deepEqual(drift, [], 'no undocumented fields or values');
  });

  it('updates content through v1 PUT: current + 1 is a 200, anything else a 409', async () => {
    const page = (await sb.call('POST', '/wiki/api/v2/pages', { spaceId, title: 'V1 edit', body: storage('<p>a</p>') })).json;
    const put = (number: number, title = 'V1 edited') =>
      sb.call(
        'PUT',
        `/wiki/rest/api/content/${page.id}`,
        { type: 'page', title, body: { storage: { value: '<p>b</p>', representation: 'storage' } }, version: { number } },
        NO_CHECK,
      );
    const stale = await put(1);
    assert.equal(stale.status, 409);
    assert.equal(stale.json.message, 'Version must be incremented on update. Current version is: 1');
    const done = await put(2);
    assert.equal(done.status, 200, JSON.stringify(done.json));
    assert.deepEqual([done.json.id, done.json.title, done.json.version.number, done.json.body.storage.value], [page.id, 'V1 edited', 2, '<p>b</p>']);
    const read = await sb.call('GET', `/wiki/api/v2/pages/${page.id}?body-format=storage`);
    assert.deepEqual([read.json.title, read.json.version.number, read.json.body.storage.value], ['V1 edited', 2, '<p>b</p>']);
    assert.equal((await put(3, 'Parent page')).status, 400, 'a taken title is refused');
    const unknown = await sb.call('PUT', '/wiki/rest/api/content/999999', { type: 'page', title: 'x', version: { number: 2 } }, NO_CHECK);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.statusCode, 404);
  });

  it('refuses titles over 255 characters with a 400', async () => {
    const long = 'x'.repeat(256);
    const create = await sb.call('POST', '/wiki/api/v2/pages', { spaceId, title: long, body: storage('<p/>') });
    assert.equal(create.status, 400);
    assert.match(JSON.stringify(create.json), /255 characters/);
    assert.equal((await sb.call('POST', '/wiki/api/v2/pages', { spaceId, title: 'y'.repeat(255), body: storage('<p/>') })).status, 200);
    const blog = await sb.call('POST', '/wiki/api/v2/blogposts', { spaceId, title: long, body: storage('<p/>') });
    assert.equal(blog.status, 400);
    const update = await sb.call('PUT', `/wiki/api/v2/pages/${parent.id}`, {
      id: parent.id,
      status: 'current',
      title: long,
      body: storage('<p/>'),
      version: { number: 2 },
    });
    assert.equal(update.status, 400);
  });

  it('answers 404 for an unknown spaceId', async () => {
    for (const path of ['/wiki/api/v2/pages', '/wiki/api/v2/blogposts']) {
      const res = await sb.call('POST', path, { spaceId: '999999', title: 'Nowhere', body: storage('<p/>') });
      assert.equal(res.status, 404, path);
      assert.equal(res.json.errors[0].code, 'NOT_FOUND');
    }
    assert.equal((await sb.call('GET', '/wiki/api/v2/spaces/999999')).status, 404);
  });
});
