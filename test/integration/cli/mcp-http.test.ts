/**
 * `runner mcp --http` and `runner sandbox serve` as child processes: the bearer token (RUNNER_MCP_TOKEN, or one
 * generated and printed once), `--no-auth` on loopback only, Host/Origin checks, and what a non-loopback --host
 * prints.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { looksClean, runCli, spawnCli } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'runner-mcp-http-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A clean environment: no real site, an embedded sandbox in the temp folder, no token unless a test sets one. */
const env = (extra: Record<string, string> = {}) => ({
  CONFLUENCE_BASE_URL: '',
  CONFLUENCE_EMAIL: '',
  CONFLUENCE_API_TOKEN: '',
  RUNNER_SANDBOX_URL: '',
  RUNNER_SANDBOX_EMAIL: '',
  RUNNER_SANDBOX_TOKEN: '',
  RUNNER_MCP_TOKEN: '',
  RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'),
  ...extra,
});

/** The banner is complete once its auth line is out. */
const READY =
  /MCP over streamable HTTP at (http:\/\/[^ ]+\/mcp)(?: \(all interfaces; from this machine (http:\/\/127\.0\.0\.1:\d+\/mcp)\))?:.*\n {2}auth: .*\n/;

async function toolCount(url: string, headers: Record<string, string> = {}): Promise<number> {
  const client = new Client({ name: 'cli-mcp-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  try {
    return (await client.listTools()).tools.length;
  } finally {
    await client.close();
  }
}

/** A raw MCP initialize POST; answers its status. */
async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
  await res.body?.cancel();
  return res.status;
}

test('without RUNNER_MCP_TOKEN a token is generated, printed once, and required', async () => {
  const server = await spawnCli(['mcp', '--http', '--port', '0'], { cwd: dir, env: env(), ready: READY });
  try {
    const url = server.match[1]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const token = /Authorization: Bearer ([A-Za-z0-9_-]{20,})"/.exec(server.stderr())?.[1];
    assert.ok(token, server.stderr());
    assert.match(server.stderr(), /set RUNNER_MCP_TOKEN/);
    assert.equal((server.stdout() + server.stderr()).split(token).length - 1, 1, 'the token is printed exactly once');
    assert.equal(server.stdout(), '', 'nothing on stdout');
    assert.equal(await status(url), 401);
    assert.equal(await status(url, { authorization: 'Bearer not-it' }), 401);
    assert.equal(await toolCount(url, { authorization: `Bearer ${token}` }), 57);
    assert.equal(await status(url, { authorization: `Bearer ${token}`, origin: 'http://evil.example' }), 403, 'a foreign Origin is refused');
    assert.doesNotMatch(server.stderr(), /warning/, 'loopback: no warning');
  } finally {
    assert.equal(await server.stop(), 0);
  }
  assert.ok(looksClean(server.stderr()), server.stderr());
});

test('RUNNER_MCP_TOKEN is the token clients must send, and it is never printed', async () => {
  const token = 'cli-mcp-token-8d2e41';
  const server = await spawnCli(['mcp', '--http', '--port', '0'], { cwd: dir, env: env({ RUNNER_MCP_TOKEN: token }), ready: READY });
  try {
    const url = server.match[1]!;
    assert.match(server.stderr(), /auth: send "Authorization: Bearer <RUNNER_MCP_TOKEN>"/);
    assert.doesNotMatch(server.stderr(), new RegExp(token));
    assert.equal(await status(url), 401);
    assert.equal(await toolCount(url, { authorization: `Bearer ${token}` }), 57);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('--no-auth is refused unless the host is loopback', async () => {
  const refused = await runCli(['mcp', '--http', '--no-auth', '--host', '0.0.0.0', '--port', '0'], { cwd: dir, env: env() });
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /--no-auth is refused with --host 0\.0\.0\.0: only a loopback address/);
  assert.ok(looksClean(refused.stderr), refused.stderr);
  const stdio = await runCli(['mcp', '--stdio', '--no-auth'], { cwd: dir, env: env() });
  assert.equal(stdio.code, 2);
  assert.match(stdio.stderr, /--no-auth applies to --http only/);
});

test('--no-auth on loopback serves without a token (Host and Origin still checked)', async () => {
  const server = await spawnCli(['mcp', '--http', '--no-auth', '--port', '0'], { cwd: dir, env: env(), ready: READY });
  try {
    const url = server.match[1]!;
    assert.match(server.stderr(), /auth: none \(--no-auth; loopback only\)/);
    assert.equal(await toolCount(url), 57);
    assert.equal(await status(url, { origin: 'http://rebound.example' }), 403);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('--host 0.0.0.0 warns and the banner names the address really bound', async () => {
  const server = await spawnCli(['mcp', '--http', '--host', '0.0.0.0', '--port', '0'], {
    cwd: dir,
    env: env({ RUNNER_MCP_TOKEN: 'wide-open-token' }),
    ready: READY,
  });
  try {
    assert.match(server.match[1]!, /^http:\/\/0\.0\.0\.0:\d+\/mcp$/);
    assert.match(server.stderr(), /warning: --host 0\.0\.0\.0: the MCP endpoint .* listens on every interface \(0\.0\.0\.0\)/);
    const local = server.match[2]!;
    assert.equal(new URL(local).port, new URL(server.match[1]!).port);
    assert.equal(await toolCount(local, { authorization: 'Bearer wide-open-token' }), 57);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('sandbox serve --host 0.0.0.0 warns on stderr and prints the bound address; its /mcp wants the login', async () => {
  const server = await spawnCli(['sandbox', 'serve', '--host', '0.0.0.0', '--port', '0', '--db', join(dir, 'wide.db')], {
    cwd: dir,
    env: env(),
    ready: /Press Ctrl-C to stop\./,
  });
  try {
    const m = /listening on http:\/\/0\.0\.0\.0:(\d+) \(all interfaces; from this machine (http:\/\/127\.0\.0\.1:(\d+))\)/.exec(server.stdout());
    assert.ok(m, server.stdout());
    assert.equal(m[1], m[3]);
    assert.match(server.stderr(), /warning: --host 0\.0\.0\.0: the sandbox .* listens on every interface/);
    assert.equal(await status(`${m[2]}/mcp`), 401);
    const login = `Basic ${Buffer.from('sandbox@example.com:sandbox-token').toString('base64')}`;
    assert.equal(await toolCount(`${m[2]}/mcp`, { authorization: login }), 57);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
