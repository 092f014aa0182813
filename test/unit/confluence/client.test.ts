import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ConfluenceClient, apiPath, encodeQuery } from '../../../src/confluence/client.ts';
import { ConfluenceHttpError, ConfluenceNetworkError } from '../../../src/confluence/errors.ts';
import { backoffDelay, isRetryable, parseRetryAfter } from '../../../src/confluence/retry.ts';
import { startScriptedServer, type ScriptedServer } from './helpers/scripted-server.ts';

const EMAIL = 'bot@example.com';
const TOKEN = 'SENTINEL-TOKEN-9f83b2';
const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');

describe('ConfluenceClient', () => {
  let server: ScriptedServer;
  let delays: number[];
  const client = (extra: Partial<ConstructorParameters<typeof ConfluenceClient>[0]> = {}) =>
    new ConfluenceClient({
      baseUrl: server.url,
      email: EMAIL,
      apiToken: TOKEN,
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...extra,
    });

  before(async () => {
    server = await startScriptedServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    delays = [];
  });

  it('sends Basic auth, JSON accept, and resolves to the parsed body under /wiki/api/v2', async () => {
    server.handle(() => ({ body: { id: '1', title: 'Home' } }));
    const page = await client().get('v2', '/pages/1');
    assert.deepEqual(page, { id: '1', title: 'Home' });
    const req = server.requests[0]!;
    assert.equal(req.pathname, '/wiki/api/v2/pages/1');
    assert.equal(req.headers.authorization, `Basic ${BASIC}`);
    assert.equal(req.headers.accept, 'application/json');
    assert.equal(req.headers['x-atlassian-token'], undefined);
  });

  it('tolerates a base URL ending in /wiki/', async () => {
    server.handle(() => ({ body: {} }));
    await client({ baseUrl: `${server.url}/wiki/` }).get('v1', '/user/current');
    assert.equal(server.requests[0]!.pathname, '/wiki/rest/api/user/current');
  });

  it('sends X-Atlassian-Token: no-check on v1 writes only', async () => {
    server.handle(() => ({ body: { results: [] } }));
    const c = client();
    await c.request({ api: 'v1', method: 'POST', path: '/content/5/label', body: [{ prefix: 'global', name: 'x' }] });
    await c.request({ api: 'v2', method: 'POST', path: '/pages', body: { title: 't' } });
    await c.get('v1', '/content/5/label');
    assert.equal(server.requests[0]!.headers['x-atlassian-token'], 'no-check');
    assert.equal(server.requests[0]!.headers['content-type'], 'application/json');
    assert.deepEqual(server.requests[0]!.body, [{ prefix: 'global', name: 'x' }]);
    assert.equal(server.requests[1]!.headers['x-atlassian-token'], undefined);
    assert.equal(server.requests[2]!.headers['x-atlassian-token'], undefined);
  });

  it('repeats keys for array query parameters and drops null ones', async () => {
    server.handle(() => ({ body: { results: [] } }));
    await client().get('v2', '/spaces', { keys: ['TEAM', 'ENG'], type: null, limit: 10 });
    const q = server.requests[0]!.query;
    assert.deepEqual(q.getAll('keys'), ['TEAM', 'ENG']);
    assert.equal(q.get('limit'), '10');
    assert.equal(q.has('type'), false);
    assert.equal(encodeQuery({ a: [1, 2] }), '?a=1&a=2');
    assert.equal(apiPath`/pages/${'a/b c'}`, '/pages/a%2Fb%20c');
  });

  it('waits exactly Retry-After seconds after a 429, then succeeds', async () => {
    server.handle((_req, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '3' }, body: { message: 'slow down' } } : { body: { ok: true } }));
    const r = await client().get('v2', '/pages');
    assert.deepEqual(r, { ok: true });
    assert.deepEqual(delays, [3000]);
    assert.equal(server.requests.length, 2);
  });

  it('retries a 503 without Retry-After with bounded backoff, for writes too', async () => {
    server.handle((_req, n) => (n < 2 ? { status: 503, body: 'busy' } : { body: { id: '9' } }));
    const r = await client().request({ api: 'v2', method: 'POST', path: '/pages', body: {} });
    assert.deepEqual(r, { id: '9' });
    assert.equal(delays.length, 2);
    assert.ok(delays[0]! >= 500 && delays[0]! <= 1000, `first backoff ${delays[0]}`);
    assert.ok(delays[1]! >= 1000 && delays[1]! <= 2000, `second backoff ${delays[1]}`);
  });

  it('gives up after maxRetries with a retryable ConfluenceHttpError', async () => {
    server.handle(() => ({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { errors: [{ status: 429, code: 'TOO_MANY_REQUESTS', title: 'Too Many Requests', detail: null }] },
    }));
    await assert.rejects(client({ maxRetries: 2 }).get('v2', '/pages'), (e: unknown) => {
      assert.ok(e instanceof ConfluenceHttpError);
      assert.equal(e.status, 429);
      assert.equal(e.retryable, true);
      assert.equal(e.code, 'TOO_MANY_REQUESTS');
      assert.equal(e.retryAfterMs, 1000);
      return true;
    });
    assert.equal(server.requests.length, 3);
    assert.deepEqual(delays, [1000, 1000]);
  });

  it('does not retry sooner than asked: a Retry-After beyond maxRetryDelayMs is reported, not shortened', async () => {
    server.handle(() => ({ status: 429, headers: { 'retry-after': '120' }, body: {} }));
    await assert.rejects(client({ maxRetryDelayMs: 10_000 }).get('v2', '/pages'), ConfluenceHttpError);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(delays, []);
  });

  it('retries other 5xx only for reads', async () => {
    server.handle(() => ({ status: 502, body: 'bad gateway' }));
    await assert.rejects(client({ maxRetries: 1 }).request({ api: 'v2', method: 'POST', path: '/pages', body: {} }), ConfluenceHttpError);
    assert.equal(server.requests.length, 1);
    await assert.rejects(client({ maxRetries: 1 }).get('v2', '/pages'), ConfluenceHttpError);
    assert.equal(server.requests.length, 3);
  });

  it('reads v2 errors[] into a readable, non-retryable error', async () => {
    server.handle(() => ({
      status: 400,
      body: {
        errors: [
          { status: 400, code: 'INVALID_REQUEST_PARAMETER', title: 'Invalid limit', detail: 'limit must be at most 250' },
          { status: 400, code: 'INVALID_REQUEST_PARAMETER', title: 'Invalid sort', detail: null },
        ],
      },
    }));
    await assert.rejects(client().get('v2', '/pages', { limit: 999 }), (e: unknown) => {
      assert.ok(e instanceof ConfluenceHttpError);
      assert.equal(e.status, 400);
      assert.equal(e.retryable, false);
      assert.equal(e.code, 'INVALID_REQUEST_PARAMETER');
      assert.equal(e.detail, 'Invalid limit: limit must be at most 250; Invalid sort');
      assert.equal(e.message, 'Confluence GET /wiki/api/v2/pages answered 400: Invalid limit: limit must be at most 250; Invalid sort');
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('reads a v1 error message', async () => {
    server.handle(() => ({ status: 404, body: { statusCode: 404, data: { authorized: false }, message: 'No space with key : NOPE', reason: 'Not Found' } }));
    await assert.rejects(client().request({ api: 'v1', method: 'DELETE', path: '/space/NOPE' }), (e: unknown) => {
      assert.ok(e instanceof ConfluenceHttpError);
      assert.equal(e.detail, 'No space with key : NOPE');
      assert.equal(e.code, 'Not Found');
      assert.equal(e.path, '/wiki/rest/api/space/NOPE');
      return true;
    });
  });

  it('resolves to undefined on 204 No Content', async () => {
    server.handle(() => ({ status: 204 }));
    assert.equal(await client().request({ api: 'v2', method: 'DELETE', path: '/pages/1' }), undefined);
  });

  it('aborts during a retry wait without another request', async () => {
    const controller = new AbortController();
    server.handle(() => ({ status: 429, headers: { 'retry-after': '5' }, body: {} }));
    const c = client({
      sleep: async (ms, signal) => {
        delays.push(ms);
        controller.abort();
        signal?.throwIfAborted();
      },
    });
    await assert.rejects(c.get('v2', '/pages', undefined, controller.signal), (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(server.requests.length, 1);
    assert.deepEqual(delays, [5000]);
  });

  it('fails fast on an already-aborted signal', async () => {
    await assert.rejects(client().get('v2', '/pages', undefined, AbortSignal.abort()), (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(server.requests.length, 0);
  });

  it('reports an unreachable site as a ConfluenceNetworkError and never leaks the token', async () => {
    const dead = await startScriptedServer();
    const url = dead.url;
    await dead.close();
    const c = new ConfluenceClient({
      baseUrl: url,
      email: EMAIL,
      apiToken: TOKEN,
      maxRetries: 1,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    await assert.rejects(c.get('v2', '/pages'), (e: unknown) => {
      assert.ok(e instanceof ConfluenceNetworkError);
      assert.equal(e.retryable, true);
      assert.ok(!e.message.includes(TOKEN) && !e.message.includes(BASIC));
      assert.ok(!String(e.stack).includes(TOKEN));
      return true;
    });
    assert.equal(delays.length, 1);
  });

  it('never puts the token or Authorization header into HTTP error messages', async () => {
    server.handle(() => ({ status: 401, body: { message: 'Unauthorized; scope does not match' } }));
    await assert.rejects(client().get('v1', '/user/current'), (e: unknown) => {
      assert.ok(e instanceof ConfluenceHttpError);
      const text = `${e.message} ${e.stack} ${JSON.stringify(e.body)} ${e.detail}`;
      assert.ok(!text.includes(TOKEN) && !text.includes(BASIC));
      return true;
    });
  });
});

describe('retry policy', () => {
  it('parses Retry-After seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter('0.5'), 500);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now), 7000);
  });

  it('retries 429/503 for any method, other failures only for reads', () => {
    assert.equal(isRetryable('POST', 429), true);
    assert.equal(isRetryable('PUT', 503), true);
    assert.equal(isRetryable('POST', 500), false);
    assert.equal(isRetryable('GET', 500), true);
    assert.equal(isRetryable('GET', 'network'), true);
    assert.equal(isRetryable('DELETE', 'network'), false);
    assert.equal(isRetryable('GET', 404), false);
  });

  it('backs off exponentially within [half, full] and caps at the maximum', () => {
    assert.equal(
      backoffDelay(0, 60_000, () => 0),
      500,
    );
    assert.equal(
      backoffDelay(0, 60_000, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(3, 60_000, () => 1),
      8000,
    );
    assert.equal(
      backoffDelay(20, 5000, () => 1),
      5000,
    );
  });
});
