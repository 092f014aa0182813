import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { boundedFetch } from '../../../src/agent/bounded-fetch.ts';

/** A loopback server answering each path its own way; returns its base URL. */
async function serve(t: import('node:test').TestContext, routes: Record<string, (res: ServerResponse) => void>): Promise<string> {
  const server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const LIMIT = 1000;

test('a body within the limit that says its length arrives whole and untouched', async (t) => {
  const body = 'x'.repeat(LIMIT);
  const base = await serve(t, { '/ok': (res) => res.writeHead(200, { 'content-length': body.length }).end(body) });
  const response = await boundedFetch(LIMIT)(`${base}/ok`);
  assert.equal(await response.text(), body);
});

test('a body whose length says it is too large fails before it is read', async (t) => {
  const base = await serve(t, { '/big': (res) => res.writeHead(200, { 'content-length': LIMIT + 1 }).end('y'.repeat(LIMIT + 1)) });
  await assert.rejects(boundedFetch(LIMIT)(`${base}/big`), /answer passed 1 KB and was cut off/);
});

test('a chunked body (no length) is cut off while it is read', async (t) => {
  const base = await serve(t, {
    '/chunked': (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 10; i++) res.write('z'.repeat(300));
      res.end();
    },
  });
  const response = await boundedFetch(LIMIT)(`${base}/chunked`);
  await assert.rejects(response.text(), /answer passed 1 KB and was cut off/);
});

test('a compressed body is counted as decoded, whatever its length header says', async (t) => {
  const packed = gzipSync('w'.repeat(50 * LIMIT));
  assert.ok(packed.length < LIMIT, 'the compressed body alone is within the limit');
  const base = await serve(t, {
    '/gzip': (res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': packed.length }).end(packed),
  });
  const response = await boundedFetch(LIMIT)(`${base}/gzip`);
  await assert.rejects(response.text(), /answer passed 1 KB and was cut off/);
});
