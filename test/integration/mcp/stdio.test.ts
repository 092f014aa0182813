import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startSandbox } from '../../../src/sandbox/server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';

const ENTRY = fileURLToPath(new URL('../../../src/mcp/stdio-main.ts', import.meta.url));

let dir: string;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let client: Client | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-stdio-'));
  sandbox = await startSandbox({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
});
after(async () => {
  await client?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the stdio entry serves the toolkit to a real MCP client', async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY, sandbox.url, sandbox.email, sandbox.apiToken],
    stderr: 'pipe',
  });
  client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);

  const { tools } = await client.listTools();
  assert.equal(tools.length, confluenceCatalogue().tools.length);
  assert.ok(tools.some((t) => t.name === 'CONFLUENCE_GET_SPACES'));

  const result = await client.callTool({ name: 'CONFLUENCE_GET_SPACES', arguments: {} });
  assert.equal(result.isError, false);
  const envelope = result.structuredContent as { data: { results: unknown[] }; successful: boolean };
  assert.equal(envelope.successful, true);
  assert.ok(envelope.data.results.length > 0, 'the seeded site has spaces');
});
