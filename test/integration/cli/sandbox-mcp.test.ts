import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { looksClean, ROOT, runCli } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'runner-sandbox-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('sandbox seed fills the database, reset empties it, both exit 0', async () => {
  const db = join(dir, 'seed.db');
  const seeded = await runCli(['sandbox', 'seed', '--db', db]);
  assert.equal(seeded.code, 0, seeded.stderr);
  assert.match(seeded.stdout, /seeded .*: 3 spaces, \d+ pages, \d+ blog posts/);
  const again = await runCli(['sandbox', 'seed', '--db', db]);
  assert.equal(again.stdout.replace(db, ''), seeded.stdout.replace(db, ''), 'seeding twice gives the same content');
  const reset = await runCli(['sandbox', 'reset', '--db', db]);
  assert.equal(reset.code, 0);
  assert.match(reset.stdout, /emptied/);
});

test('sandbox serve prints its URL and login, answers REST and MCP, and stops on SIGINT', async () => {
  const child = spawn(process.execPath, [`${ROOT}src/cli/main.ts`, 'sandbox', 'serve', '--port', '0', '--db', join(dir, 'serve.db'), '--token', 'tok-123'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      stdout += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m && stdout.includes('Press Ctrl-C')) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  try {
    assert.match(stdout, /login: +sandbox@example\.com \/ tok-123/);
    const auth = `Basic ${Buffer.from('sandbox@example.com:tok-123').toString('base64')}`;
    const spaces = await fetch(`${url}/wiki/api/v2/spaces?keys=TEAM`, { headers: { authorization: auth } });
    assert.equal(spaces.status, 200);
    assert.equal(((await spaces.json()) as { results: Array<{ key: string }> }).results[0]?.key, 'TEAM');
    assert.equal((await fetch(`${url}/wiki/api/v2/spaces`)).status, 401);
    const anonymous = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    assert.equal(anonymous.status, 401, '/mcp wants the same login as REST');
    await anonymous.body?.cancel();
    const client = new Client({ name: 'cli-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: auth } } }));
    const { tools } = await client.listTools();
    assert.equal(tools.length, 57);
    const result = await client.callTool({ name: 'CONFLUENCE_GET_SPACES', arguments: { spaceKey: ['PROD'] } });
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    assert.match(JSON.stringify(result.content), /PROD/);
    await client.close();
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0);
  assert.ok(looksClean(stderr), stderr);
  assert.doesNotMatch(stderr, /warning/, 'a loopback sandbox warns about nothing');
});

test('mistakes in sandbox and mcp flags exit 2 with one clean line', async () => {
  const port = await runCli(['sandbox', 'serve', '--port', 'http']);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port must be a number from 0 to 65535, not 'http'/);
  const faults = await runCli(['sandbox', 'serve', '--port', '0', '--db', join(dir, 'f.db'), '--faults', '429=2']);
  assert.equal(faults.code, 2);
  assert.match(faults.stderr, /--faults: /);
  const mcp = await runCli(['mcp']);
  assert.equal(mcp.code, 2);
  assert.match(mcp.stderr, /give exactly one of --stdio or --http/);
  for (const r of [port, faults, mcp]) assert.ok(looksClean(r.stderr), r.stderr);
});
