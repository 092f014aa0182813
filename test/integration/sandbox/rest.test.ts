import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestSandbox } from './helpers.ts';
import { NO_CHECK, startTestSandbox } from './helpers.ts';

describe('sandbox REST behaviour', () => {
  let sb: TestSandbox;
  let spaceId: string;
  let homepageId: string;
  before(async () => {
    sb = await startTestSandbox();
    const res = await sb.call('POST', '/wiki/api/v2/spaces', { key: 'DOCS', name: 'Docs', description: { value: 'All docs', representation: 'plain' } });
    assert.equal(res.status, 201);
    spaceId = res.json.id;
    homepageId = res.json.homepageId;
  });
  after(async () => {
    await sb.cleanup();
  });

  const createPage = (title: string, extra: Record<string, unknown> = {}) =>
    sb.call('POST', '/wiki/api/v2/pages', { spaceId, title, body: { representation: 'storage', value: '<p>Hello</p>' }, ...extra });

  it('answers 401 without auth and with a wrong token', async () => {
    const none = await fetch(`${sb.handle.url}/wiki/api/v2/spaces`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as any).errors[0].code, 'UNAUTHORIZED');
    const wrong = await fetch(`${sb.handle.url}/wiki/rest/api/user/current`, {
      headers: { Authorization: `Basic ${Buffer.from(`${sb.handle.email}:nope`).toString('base64')}` },
    });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as any).statusCode, 401);
  });

  it('refuses v1 writes without the XSRF header', async () => {
    const page = await createPage('XSRF target');
    const denied = await sb.call('POST', `/wiki/rest/api/content/${page.json.id}/label`, [{ prefix: 'global', name: 'a' }]);
    assert.equal(denied.status, 403);
    assert.equal(denied.json.message, 'XSRF check failed');
    const allowed = await sb.call('POST', `/wiki/rest/api/content/${page.json.id}/label`, [{ prefix: 'global', name: 'a' }], NO_CHECK);
    assert.equal(allowed.status, 200);
    assert.deepEqual(
      allowed.json.results.map((l: { name: string }) => l.name),
      ['a'],
    );
  });

  it('puts a page without parentId under the homepage, at version 1, with string ids', async () => {
    const res = await createPage('Child of home');
    assert.equal(res.status, 200);
    assert.equal(res.json.parentId, homepageId);
    assert.equal(res.json.version.number, 1);
    assert.match(res.json.id, /^\d+$/);
    assert.match(res.json.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const root = await sb.call('POST', '/wiki/api/v2/pages?root-level=true', { spaceId, title: 'Root page' });
    assert.equal(root.json.parentId, undefined);
  });

  it('refuses duplicate titles in a space, also for archived pages', async () => {
    const first = await createPage('Unique title');
    const dup = await createPage('Unique title');
    assert.equal(dup.status, 400);
    assert.equal(dup.json.errors[0].title, 'A page with this title already exists');
    const archived = await sb.call('PUT', `/wiki/api/v2/pages/${first.json.id}`, {
      id: first.json.id,
      status: 'archived',
      title: 'Unique title',
      version: { number: 2 },
    });
    assert.equal(archived.status, 200);
    assert.equal((await createPage('Unique title')).status, 400);
  });

  it('rejects malformed storage bodies and accepts ac:/ri: markup', async () => {
    const bad = await sb.call('POST', '/wiki/api/v2/pages', { spaceId, title: 'Broken', body: { representation: 'storage', value: '<p>unclosed' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.errors[0].title, /^Error parsing xhtml: /);
    const good = await sb.call('POST', '/wiki/api/v2/pages', {
      spaceId,
      title: 'Macros',
      body: {
        representation: 'storage',
        value:
          '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a < b]]></ac:plain-text-body></ac:structured-macro><p><ac:link><ri:user ri:account-id="x" /></ac:link>&nbsp;</p>',
      },
    });
    assert.equal(good.status, 200);
  });

  it('answers 409 on a stale version with the exact message, and 200 on current + 1', async () => {
    const page = await createPage('Versioned');
    const stale = await sb.call('PUT', `/wiki/api/v2/pages/${page.json.id}`, {
      id: page.json.id,
      status: 'current',
      title: 'Versioned',
      body: { representation: 'storage', value: '<p>v2</p>' },
      version: { number: 1 },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.errors[0].title, 'Version must be incremented on update. Current version is: 1');
    const fresh = await sb.call('PUT', `/wiki/api/v2/pages/${page.json.id}`, {
      id: page.json.id,
      status: 'current',
      title: 'Versioned',
      body: { representation: 'storage', value: '<p>v2</p>' },
      version: { number: 2, message: 'second' },
    });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.json.version.number, 2);
    const old = await sb.call('GET', `/wiki/api/v2/pages/${page.json.id}?body-format=storage&version=1`);
    assert.equal(old.json.body.storage.value, '<p>Hello</p>');
  });

  it('gives exactly one 200 among 20 parallel updates of the same version', async () => {
    const page = await createPage('Contended');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sb.call('PUT', `/wiki/api/v2/pages/${page.json.id}`, {
          id: page.json.id,
          status: 'current',
          title: 'Contended',
          body: { representation: 'storage', value: `<p>writer ${i}</p>` },
          version: { number: 2 },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 200).length, 1);
    assert.equal(statuses.filter((s) => s === 409).length, 19);
    const versions = await sb.call('GET', `/wiki/api/v2/pages/${page.json.id}/versions`);
    assert.deepEqual(
      versions.json.results.map((v: { number: number }) => v.number),
      [2, 1],
    );
  });

  it('moves deleted pages to the trash and drops them from default lists', async () => {
    const page = await createPage('To trash');
    assert.equal((await sb.call('DELETE', `/wiki/api/v2/pages/${page.json.id}`)).status, 204);
    const got = await sb.call('GET', `/wiki/api/v2/pages/${page.json.id}`);
    assert.equal(got.json.status, 'trashed');
    const list = await sb.call('GET', `/wiki/api/v2/pages?space-id=${spaceId}&limit=250`);
    assert.ok(!list.json.results.some((p: { id: string }) => p.id === page.json.id));
    const trashed = await sb.call('GET', `/wiki/api/v2/pages?space-id=${spaceId}&status=trashed`);
    assert.deepEqual(
      trashed.json.results.map((p: { id: string }) => p.id),
      [page.json.id],
    );
    assert.equal((await createPage('To trash')).status, 200, 'a trashed page frees its title');
  });

  it('pages v2 lists with cursors, _links.next and a Link header; over-limit is a 400', async () => {
    for (let i = 0; i < 5; i++) await createPage(`Paged ${i}`);
    const seen: string[] = [];
    let path: string | undefined = `/wiki/api/v2/pages?space-id=${spaceId}&limit=2`;
    let pages = 0;
    while (path) {
      const res = await sb.call('GET', path);
      assert.equal(res.status, 200);
      seen.push(...res.json.results.map((p: { id: string }) => p.id));
      assert.equal(res.json._links.base, `${sb.handle.url}/wiki`);
      path = res.json._links.next;
      if (path) {
        assert.match(path, /^\/wiki\/api\/v2\/pages\?/);
        assert.equal(res.headers.get('link')?.split(';')[0], `<${path}>`);
      } else assert.equal(res.headers.get('link'), null);
      pages++;
    }
    assert.ok(pages >= 3);
    assert.equal(new Set(seen).size, seen.length);
    const over = await sb.call('GET', '/wiki/api/v2/pages?limit=251');
    assert.equal(over.status, 400);
    assert.equal(over.json.errors[0].code, 'INVALID_REQUEST_PARAMETER');
    assert.equal((await sb.call('GET', '/wiki/api/v2/pages?cursor=garbage!')).status, 400);
  });

  it('resolves space keys and pages v1 search with _links.next under /rest/api/', async () => {
    const byKey = await sb.call('GET', '/wiki/api/v2/spaces?keys=DOCS');
    assert.deepEqual(
      byKey.json.results.map((s: { id: string }) => s.id),
      [spaceId],
    );
    const res = await sb.call('GET', `/wiki/rest/api/search?cql=${encodeURIComponent('space = DOCS AND type = page ORDER BY title')}&limit=2`);
    assert.equal(res.status, 200);
    assert.equal(res.json.size, 2);
    assert.ok(res.json.totalSize > 2);
    assert.match(res.json._links.next, /^\/rest\/api\/search\?/);
    const bad = await sb.call('GET', `/wiki/rest/api/search?cql=${encodeURIComponent('title ~ "x" AND')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /at position 15\)/);
  });

  it('deletes a space through v1 with a 202 long task', async () => {
    await sb.call('POST', '/wiki/api/v2/spaces', { key: 'GONE', name: 'Gone' });
    const res = await sb.call('DELETE', '/wiki/rest/api/space/GONE', undefined, NO_CHECK);
    assert.equal(res.status, 202);
    assert.match(res.json.links.status, /^\/rest\/api\/longtask\/\d+$/);
    const task = await sb.call('GET', `/wiki${res.json.links.status}`);
    assert.equal(task.json.finished, true);
    assert.equal((await sb.call('GET', '/wiki/api/v2/spaces?keys=GONE')).json.results.length, 0);
  });

  it('records audit entries for writes', async () => {
    const res = await sb.call('GET', '/wiki/rest/api/audit?searchString=Versioned');
    assert.ok(res.json.results.some((r: { summary: string }) => r.summary === 'Page updated'));
  });
});
