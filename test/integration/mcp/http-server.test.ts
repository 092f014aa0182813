import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createConfluenceToolkit } from '../../../src/confluence/toolkit.ts';
import { startMcpHttpServer, type RunningMcpHttpServer } from '../../../src/mcp/http.ts';
import { startSandbox } from '../../../src/sandbox/server.ts';

let dir: string;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let mcp: RunningMcpHttpServer;
const clients: Client[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-http-'));
  sandbox = await startSandbox({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
  const executor = createConfluenceToolkit({ baseUrl: sandbox.url, email: sandbox.email, apiToken: sandbox.apiToken });
  mcp = await startMcpHttpServer({ executor, port: 0, host: '127.0.0.1', path: '/mcp' });
});
after(async () => {
  for (const client of clients) await client.close();
  await mcp?.close();
  await mcp?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the standalone server answers several stateless clients', async () => {
  assert.match(mcp.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  for (const name of ['first', 'second']) {
    const client = new Client({ name, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url)));
    clients.push(client);
  }
  const [first, second] = clients as [Client, Client];
  const user = await first.callTool({ name: 'CONFLUENCE_GET_CURRENT_USER', arguments: {} });
  assert.equal(user.isError, false);
  assert.equal((user.structuredContent as { data: { email: string } }).data.email, sandbox.email);
  assert.equal((await second.listTools()).tools.length, 57);
});

test('only POST on the endpoint path is served', async () => {
  const get = await fetch(mcp.url, { headers: { accept: 'text/event-stream' } });
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  await get.body?.cancel();
  const elsewhere = await fetch(new URL('/other', mcp.url), { method: 'POST' });
  assert.equal(elsewhere.status, 404);
  assert.match(await elsewhere.text(), /the MCP endpoint is \/mcp/);
});
