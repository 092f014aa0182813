/**
 * The sandbox as a browsable Confluence: a real sandbox on loopback, content made through the REST API, then its web
 * paths fetched over HTTP with and without the login.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSandbox } from '../../../src/sandbox/server.ts';
import { type TestSandbox, NO_CHECK, startTestSandbox } from './helpers.ts';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'self'";

const BODY = [
  '<h1>Overview</h1><p>The zanzibar-quokka plan, in short.</p>',
  '<h2>Numbers</h2><table><tbody><tr><th>Metric</th><th>Value</th></tr><tr><td>latency</td><td>300 ms</td></tr></tbody></table>',
  '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">python</ac:parameter><ac:plain-text-body><![CDATA[print("a < b")]]></ac:plain-text-body></ac:structured-macro>',
  '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Ask the platform team.</p></ac:rich-text-body></ac:structured-macro>',
  '<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Write the plan</ac:task-body></ac:task>',
  '<ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Ship it</ac:task-body></ac:task></ac:task-list>',
  '<p><ac:link><ri:page ri:content-title="Web Space Home" /></ac:link></p>',
].join('');

describe('sandbox web views', () => {
  let sb: TestSandbox;
  let auth: string;
  let spaceId: string;
  let page: { id: string; webui: string; base: string; tinyui: string };

  /** GET (or another method) a path with the login; the body as text. */
  const web = async (path: string, init: { method?: string; headers?: Record<string, string>; login?: boolean } = {}) => {
    const res = await fetch(sb.handle.url + path, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...(init.login === false ? {} : { Authorization: auth }), ...init.headers },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  before(async () => {
    sb = await startTestSandbox({ seed: true });
    auth = `Basic ${Buffer.from(`${sb.handle.email}:${sb.handle.apiToken}`).toString('base64')}`;
    const space = await sb.call('POST', '/wiki/api/v2/spaces', {
      key: 'WEB',
      name: 'Web Space',
      description: { value: 'Pages <b>for</b> the browser', representation: 'plain' },
    });
    assert.equal(space.status, 201, JSON.stringify(space.json));
    spaceId = space.json.id;
    const created = await sb.call('POST', '/wiki/api/v2/pages', { spaceId, title: 'Rendered page', body: { representation: 'storage', value: BODY } });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    page = { id: created.json.id, ...created.json._links };
  });
  after(async () => {
    await sb?.cleanup();
  });

  test("a page's webui path shows it rendered, with the security headers", async () => {
    const res = await web(`/wiki${page.webui}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('content-security-policy'), CSP);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.text, /^<!doctype html>/);
    assert.match(res.text, /<h1 id="content-title">Rendered page<\/h1>/);
    assert.match(res.text, /<h2>Overview<\/h2><p>The zanzibar-quokka plan, in short.<\/p><h3>Numbers<\/h3>/, 'headings sit under the h1, in order');
    assert.match(res.text, /<table><tbody><tr><th>Metric<\/th><th>Value<\/th><\/tr><tr><td>latency<\/td><td>300 ms<\/td><\/tr><\/tbody><\/table>/);
    assert.match(res.text, /<pre><code class="language-python">print\(&quot;a &lt; b&quot;\)<\/code><\/pre>/);
    assert.match(res.text, /<aside class="panel panel-info" aria-label="Info"><p class="panel-label">Info<\/p><p>Ask the platform team.<\/p><\/aside>/);
    assert.match(res.text, /<input type="checkbox" disabled checked> <span>Write the plan<\/span>/);
    assert.match(res.text, /<input type="checkbox" disabled> <span>Ship it<\/span>/);
    assert.match(res.text, /<a href="\/wiki\/spaces\/WEB\/pages\/\d+\/Web\+Space\+Home">Web Space Home<\/a>/, 'ac:link to a page of the space');
    assert.match(
      res.text,
      /<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="\/wiki\/spaces\/WEB">Web Space<\/a><\/li><li><a href="[^"]+">Web Space Home<\/a><\/li><li aria-current="page">Rendered page<\/li>/,
    );
    assert.match(res.text, /Page by Sandbox User, created <time/);
    assert.match(res.text, /<h2 id="history-heading">Version history<\/h2>/);
    assert.match(res.text, /<main id="main">/);
    assert.match(res.text, /<form role="search" action="\/wiki\/search" method="get">\s*<label for="site-search"/);
    assert.doesNotMatch(res.text, /<script/i);
  });

  test('without the login: 401 with a Basic challenge and a page naming the default login', async () => {
    const res = await web(`/wiki${page.webui}`, { login: false });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="Confluence sandbox"');
    assert.equal(res.headers.get('content-security-policy'), CSP);
    assert.match(res.text, /sandbox@example\.com/);
    assert.match(res.text, /sandbox-token/);
    assert.doesNotMatch(res.text, /Rendered page/);
    const wrong = await web('/wiki', { login: false, headers: { Authorization: `Basic ${Buffer.from(`${sb.handle.email}:nope`).toString('base64')}` } });
    assert.equal(wrong.status, 401);
    const bearer = await web('/wiki', { login: false, headers: { Authorization: `Bearer ${sb.handle.apiToken}` } });
    assert.equal(bearer.status, 401, 'the web views take HTTP Basic, as the REST API does');
  });

  test('web paths answer GET and HEAD only', async () => {
    const post = await web(`/wiki${page.webui}`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.match(post.text, /Method not allowed/);
    const del = await web('/wiki/spaces/WEB', { method: 'DELETE', login: false });
    assert.equal(del.status, 405);
    const head = await web(`/wiki${page.webui}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
  });

  test('the REST API is untouched: JSON at /wiki/api and /wiki/rest, JSON 404s for unknown REST paths', async () => {
    const rest = await sb.call('GET', `/wiki/api/v2/pages/${page.id}`);
    assert.equal(rest.status, 200);
    assert.equal(rest.json.title, 'Rendered page');
    assert.equal(rest.json._links.base, `${sb.handle.url}/wiki`, 'without publicUrl, _links.base follows the Host');
    const v1 = await sb.call('GET', `/wiki/rest/api/search?cql=${encodeURIComponent('title = "Rendered page"')}`);
    assert.equal(v1.status, 200);
    assert.equal(v1.json.results.length, 1);
    const unknown = await sb.call('GET', '/wiki/api/v2/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'application/json;charset=UTF-8');
    const noAuth = await fetch(`${sb.handle.url}/wiki/api/v2/spaces`);
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.headers.get('www-authenticate'), 'Basic realm="sandbox"');
  });

  test('the space list and the space home with its page tree and blog', async () => {
    for (const path of ['/wiki', '/wiki/spaces']) {
      const list = await web(path);
      assert.equal(list.status, 200);
      assert.match(list.text, /<a href="\/wiki\/spaces\/WEB">Web Space<\/a>/);
      assert.match(list.text, /<a href="\/wiki\/spaces\/PROD">Product<\/a>/, 'the seeded spaces too');
      assert.match(list.text, /Pages &lt;b&gt;for&lt;\/b&gt; the browser/, 'descriptions are escaped');
    }
    const child = await sb.call('POST', '/wiki/api/v2/pages', {
      spaceId,
      parentId: page.id,
      title: 'Child page',
      body: { representation: 'storage', value: '<p>c</p>' },
    });
    assert.equal(child.status, 200);
    const post = await sb.call('POST', '/wiki/api/v2/blogposts', { spaceId, title: 'Space news', body: { representation: 'storage', value: '<p>n</p>' } });
    assert.equal(post.status, 200);
    for (const path of ['/wiki/spaces/WEB', '/wiki/spaces/WEB/overview']) {
      const home = await web(path);
      assert.equal(home.status, 200);
      assert.match(home.text, /<h1>Web Space<\/h1>/);
      assert.match(home.text, /<p>Pages &lt;b&gt;for&lt;\/b&gt; the browser<\/p>/);
      assert.match(home.text, /<div class="content-body"><p>Welcome to Web Space.<\/p><\/div>/, "the homepage's body");
      assert.match(
        home.text,
        /<ul class="tree"><li><a href="[^"]+\/Web\+Space\+Home">Web Space Home<\/a><ul><li><a href="\/wiki\/spaces\/WEB\/pages\/\d+\/Rendered\+page">Rendered page<\/a><ul><li><a href="[^"]+\/Child\+page">Child page<\/a><\/li><\/ul><\/li><\/ul><\/li><\/ul>/,
      );
      assert.match(
        home.text,
        new RegExp(`<h2 id="blog-heading">Blog posts</h2><ul><li><a href="/wiki${post.json._links.webui.replace(/[+]/g, '\\+')}">Space news</a>`),
      );
    }
    const missing = await web('/wiki/spaces/NOSUCH');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /There is no space with the key NOSUCH/);
  });

  test('search by text and by CQL finds the page; labels link to a label search', async () => {
    const byText = await web('/wiki/search?text=zanzibar-quokka');
    assert.equal(byText.status, 200);
    assert.match(byText.text, /<h2 id="results-heading">1 result<\/h2>/);
    assert.match(byText.text, new RegExp(`<a href="/wiki${page.webui.replace(/[+]/g, '\\+')}">Rendered page</a> <span class="lozenge">Page</span>`));
    assert.match(byText.text, /<a href="\/wiki\/spaces\/WEB">Web Space<\/a>/, 'the space');
    assert.match(byText.text, /<p class="excerpt">Overview The zanzibar-quokka plan/, 'an excerpt');
    assert.match(byText.text, /value="zanzibar-quokka"/, 'the header box keeps the text');
    assert.match(byText.text, /value="text ~ &quot;zanzibar-quokka&quot;"/, 'the CQL it stands for');

    const byCql = await web(`/wiki/search?cql=${encodeURIComponent('space = WEB AND title ~ "rendered"')}`);
    assert.equal(byCql.status, 200);
    assert.match(byCql.text, /Rendered page/);

    const labelled = await sb.call('POST', `/wiki/rest/api/content/${page.id}/label`, [{ prefix: 'global', name: 'browsable' }], NO_CHECK);
    assert.equal(labelled.status, 200);
    const view = await web(`/wiki${page.webui}`);
    assert.match(view.text, /<a href="\/wiki\/search\?cql=label\+%3D\+%22browsable%22">browsable<\/a>/);
    const byLabel = await web('/wiki/search?cql=label+%3D+%22browsable%22');
    assert.match(byLabel.text, /<h2 id="results-heading">1 result<\/h2>/);

    const quotes = await web(`/wiki/search?text=${encodeURIComponent('say "hi" \\ there')}`);
    assert.equal(quotes.status, 200, 'quotes and backslashes in plain text are escaped into the CQL string');
    const empty = await web('/wiki/search');
    assert.equal(empty.status, 200);
    assert.match(empty.text, /<label for="cql">CQL query<\/label>/);
  });

  test('a CQL syntax error is a 400 page naming the problem, never a stack trace', async () => {
    for (const [cql, problem] of [
      ['title =', /Expected a value but found end of query \(at position 7\)/],
      ['colour = red', /Unknown field &#39;colour&#39;/],
      ['created > "yesterday-ish"', /Invalid date &#39;yesterday-ish&#39;/],
    ] as const) {
      const res = await web(`/wiki/search?cql=${encodeURIComponent(cql)}`);
      assert.equal(res.status, 400, cql);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(res.text, /<div class="error" role="alert"><p>The CQL query could not be parsed: /);
      assert.match(res.text, problem);
      assert.doesNotMatch(res.text, /at \w+ \(|node:internal|\.ts:\d+/, 'no stack trace');
    }
  });

  test('unknown content and unknown web paths are 404 HTML pages', async () => {
    for (const path of [
      '/wiki/spaces/WEB/pages/999999999/Nothing',
      '/wiki/spaces/WEB/blog/2025/01/01/999999999/x',
      '/wiki/spaces/WEB/whatever',
      '/wiki/x/bm9wZQ',
    ]) {
      const res = await web(path);
      assert.equal(res.status, 404, path);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(res.text, /<h1>Not found<\/h1>/);
    }
  });

  test("a blog post's webui path (v2 and v1 forms) shows it", async () => {
    const post = await sb.call('POST', '/wiki/api/v2/blogposts', {
      spaceId,
      title: 'Release notes',
      body: { representation: 'storage', value: '<p>We shipped <strong>v2</strong>.</p>' },
    });
    assert.equal(post.status, 200);
    const res = await web(`/wiki${post.json._links.webui}`);
    assert.equal(res.status, 200);
    assert.match(res.text, /<h1 id="content-title">Release notes<\/h1>/);
    assert.match(res.text, /<p>We shipped <strong>v2<\/strong>.<\/p>/);
    assert.match(res.text, /<li><a href="\/wiki\/spaces\/WEB">Web Space<\/a><\/li><li>Blog<\/li><li aria-current="page">Release notes<\/li>/);
    const v1 = await sb.call('GET', `/wiki/rest/api/search?cql=${encodeURIComponent(`id = ${post.json.id}`)}`);
    const v1Path = v1.json.results[0].url as string;
    assert.match(v1Path, /^\/spaces\/WEB\/blog\/\d{4}\/\d{2}\/\d{2}\/\d+$/);
    assert.equal((await web(`/wiki${v1Path}`)).status, 200, 'the v1 form (no slug) works too');
  });

  test('?version=N shows an older body; the history lists every version', async () => {
    const created = await sb.call('POST', '/wiki/api/v2/pages', {
      spaceId,
      title: 'Versioned',
      body: { representation: 'storage', value: '<p>first words</p>' },
    });
    const updated = await sb.call('PUT', `/wiki/api/v2/pages/${created.json.id}`, {
      id: created.json.id,
      status: 'current',
      title: 'Versioned',
      body: { representation: 'storage', value: '<p>second words</p>' },
      version: { number: 2, message: 'Reworded <it>' },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    const path = `/wiki${created.json._links.webui}`;
    const current = await web(path);
    assert.match(current.text, /<p>second words<\/p>/);
    assert.doesNotMatch(current.text, /first words/);
    assert.match(current.text, /<td><strong aria-current="page">2 \(current\)<\/strong><\/td>.*<td>Reworded &lt;it&gt;<\/td>/s);
    assert.match(current.text, /<td><a href="\?version=1">1<\/a><\/td>/);
    const old = await web(`${path}?version=1`);
    assert.equal(old.status, 200);
    assert.match(old.text, /<p>first words<\/p>/);
    assert.doesNotMatch(old.text, /second words/);
    assert.match(old.text, /You are viewing version 1 of 2\./);
    assert.match(old.text, /<strong aria-current="page">1<\/strong>/);
    assert.match(old.text, /<td><a href="\?version=2">2 \(current\)<\/a><\/td>/);
    const none = await web(`${path}?version=7`);
    assert.equal(none.status, 404);
    assert.match(none.text, /Version 7 of “Versioned” does not exist/);
  });

  test('trashed content shows as deleted; titles with markup are escaped', async () => {
    const hostile = await sb.call('POST', '/wiki/api/v2/pages', {
      spaceId,
      title: '<script>alert(1)</script>',
      body: { representation: 'storage', value: '<p onclick="alert(2)">x</p><script>alert(3)</script>' },
    });
    assert.equal(hostile.status, 200);
    const path = `/wiki${hostile.json._links.webui}`;
    const shown = await web(path);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /<h1 id="content-title">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h1>/);
    assert.match(shown.text, /<title>&lt;script&gt;alert\(1\)&lt;\/script&gt; · Sandbox Confluence<\/title>/);
    assert.doesNotMatch(shown.text, /<script|onclick=/i);
    assert.equal((await sb.call('DELETE', `/wiki/api/v2/pages/${hostile.json.id}`)).status, 204);
    const trashed = await web(path);
    assert.equal(trashed.status, 200);
    assert.match(trashed.text, /This page was deleted: it is in the space's trash\./);
    const tree = await web('/wiki/spaces/WEB');
    assert.doesNotMatch(tree.text, /alert\(1\)/, 'trashed pages leave the tree');
  });

  test('tiny links and the wrong space or type redirect to the page; / leads to /wiki', async () => {
    const tiny = await web(`/wiki${page.tinyui}`);
    assert.equal(tiny.status, 302);
    assert.equal(tiny.headers.get('location'), `/wiki${page.webui}`);
    const wrongSpace = await web(`/wiki/spaces/PROD/pages/${page.id}/Whatever?version=1`);
    assert.equal(wrongSpace.status, 302);
    assert.equal(wrongSpace.headers.get('location'), `/wiki${page.webui}?version=1`);
    const root = await web('/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/wiki');
  });
});

test('the publicUrl option sets _links.base; the web views still answer on the real port', async () => {
  const sandbox = await startSandbox({ dbPath: ':memory:', port: 0, publicUrl: 'http://127.0.0.1:8787/' });
  try {
    const auth = `Basic ${Buffer.from(`${sandbox.email}:${sandbox.apiToken}`).toString('base64')}`;
    const headers = { Authorization: auth, 'Content-Type': 'application/json' };
    const space = await fetch(`${sandbox.url}/wiki/api/v2/spaces`, { method: 'POST', headers, body: JSON.stringify({ key: 'PUB', name: 'Public' }) });
    const spaceJson = (await space.json()) as { id: string; _links: { base: string } };
    assert.equal(spaceJson._links.base, 'http://127.0.0.1:8787/wiki');
    const created = await fetch(`${sandbox.url}/wiki/api/v2/pages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ spaceId: spaceJson.id, title: 'Linked' }),
    });
    const pageJson = (await created.json()) as { _links: { base: string; webui: string } };
    assert.equal(pageJson._links.base, 'http://127.0.0.1:8787/wiki');
    const view = await fetch(`${sandbox.url}/wiki${pageJson._links.webui}`, { headers: { Authorization: auth } });
    assert.equal(view.status, 200);
    assert.match(await view.text(), /<h1 id="content-title">Linked<\/h1>/);
  } finally {
    await sandbox.close();
  }
});
