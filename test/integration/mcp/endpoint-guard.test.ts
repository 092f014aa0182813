/**
 * Both MCP HTTP endpoints (the standalone `runner mcp --http` server and the sandbox's /mcp) refuse a foreign Host
 * or Origin with 403 and callers without the right credentials with 401, while a plain client with credentials works.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createConfluenceToolkit } from '../../../src/confluence/toolkit.ts';
import { startMcpHttpServer, type RunningMcpHttpServer } from '../../../src/mcp/http.ts';
import { startSandboxWithMcp, type SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';

/** What one raw POST got back. */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'guard-test', version: '1' } },
});

/** POSTs an MCP initialize to `url` with exactly these extra headers (node:http, so Host can be anything). */
function post(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(INITIALIZE);
  });
}

/** Connects the MCP SDK's client with these headers and counts the tools it lists. */
async function toolCount(url: string, headers: Record<string, string>): Promise<number> {
  const client = new Client({ name: 'guard-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  try {
    return (await client.listTools()).tools.length;
  } finally {
    await client.close();
  }
}

const port = (url: string) => new URL(url).port;

let dir: string;
let sandbox: SandboxWithMcp;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-guard-'));
  sandbox = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true, allowHosts: ['sandbox'] });
});
after(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runner mcp --http (the standalone server with a token)', () => {
  const TOKEN = 'mcp-tok-4c1f9e';
  const bearer = { authorization: `Bearer ${TOKEN}` };
  let mcp: RunningMcpHttpServer;
  before(async () => {
    const executor = createConfluenceToolkit({ baseUrl: sandbox.url, email: sandbox.email, apiToken: sandbox.apiToken });
    mcp = await startMcpHttpServer({ executor, port: 0, token: TOKEN });
  });
  after(() => mcp?.close());

  test('a plain client with the token works, over 127.0.0.1 and localhost', async () => {
    assert.equal(await toolCount(mcp.url, bearer), 57);
    const local = await post(mcp.url, { ...bearer, host: `localhost:${port(mcp.url)}`, origin: `http://localhost:${port(mcp.url)}` });
    assert.equal(local.status, 200);
    assert.equal(local.body.result.serverInfo.name, 'confluence-toolkit');
  });

  test('no token, or a wrong one, is 401 with a Bearer challenge and a JSON-RPC error', async () => {
    const refused: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
    ];
    for (const headers of refused) {
      const answer = await post(mcp.url, headers);
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.headers['www-authenticate'], 'Bearer realm="runner-mcp"');
      assert.equal(answer.body.jsonrpc, '2.0');
      assert.match(answer.body.error.message, /^Unauthorized/);
    }
  });

  test('a foreign Origin or Host is 403, even with the token', async () => {
    const origin = await post(mcp.url, { ...bearer, origin: 'http://evil.example' });
    assert.equal(origin.status, 403);
    assert.equal(origin.body.jsonrpc, '2.0');
    assert.match(origin.body.error.message, /Origin 'http:\/\/evil\.example' is not allowed/);
    const rebound = await post(mcp.url, { ...bearer, host: `evil.example:${port(mcp.url)}` });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body.error.message, /Host 'evil\.example:\d+' is not allowed/);
    const otherPort = await post(mcp.url, { ...bearer, origin: 'http://127.0.0.1:1' });
    assert.equal(otherPort.status, 403, 'another port on loopback is another origin');
  });
});

describe("the sandbox's /mcp", () => {
  const basic = (email: string, token: string) => ({ authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` });

  test('without credentials it is 401 with Basic and Bearer challenges', async () => {
    const answer = await post(sandbox.mcpUrl);
    assert.equal(answer.status, 401);
    assert.match(String(answer.headers['www-authenticate']), /Basic realm="sandbox"/);
    assert.match(String(answer.headers['www-authenticate']), /Bearer realm="sandbox"/);
    assert.equal(answer.body.error.code, -32000);
  });

  test('the REST login over Basic works, and so does Bearer with the token', async () => {
    assert.deepEqual(sandbox.mcpHeaders, basic(sandbox.email, sandbox.apiToken));
    assert.equal(await toolCount(sandbox.mcpUrl, sandbox.mcpHeaders), 57);
    assert.equal(await toolCount(sandbox.mcpUrl, { authorization: `Bearer ${sandbox.apiToken}` }), 57);
  });

  test('a wrong token is 401, over Basic and Bearer', async () => {
    for (const headers of [basic(sandbox.email, 'nope'), basic('someone@example.com', sandbox.apiToken), { authorization: 'Bearer nope' }]) {
      assert.equal((await post(sandbox.mcpUrl, headers)).status, 401, JSON.stringify(headers));
    }
  });

  test('a foreign Origin or Host is 403; a name given in allowHosts is accepted', async () => {
    const origin = await post(sandbox.mcpUrl, { ...sandbox.mcpHeaders, origin: 'https://attacker.example' });
    assert.equal(origin.status, 403);
    assert.match(origin.body.error.message, /Origin/);
    const host = await post(sandbox.mcpUrl, { ...sandbox.mcpHeaders, host: `attacker.example:${port(sandbox.mcpUrl)}` });
    assert.equal(host.status, 403);
    assert.match(host.body.error.message, /Host/);
    const named = await post(sandbox.mcpUrl, { ...sandbox.mcpHeaders, host: `sandbox:${port(sandbox.mcpUrl)}` });
    assert.equal(named.status, 200, JSON.stringify(named.body));
  });

  test('the REST API and the tool router keep their own auth', async () => {
    const rest = await fetch(`${sandbox.url}/wiki/api/v2/spaces`, { headers: sandbox.mcpHeaders });
    assert.equal(rest.status, 200);
    await rest.body?.cancel();
    const router = await fetch(`${sandbox.url}/api/v3.1/tool_router/session`, { method: 'POST', headers: sandbox.mcpHeaders });
    assert.equal(router.status, 401, 'the tool router wants x-api-key, not the sandbox login');
    await router.body?.cancel();
  });
});
