import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Composio } from '@composio/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSandboxWithMcp, type SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { metaTool } from '../../../src/sandbox/tool-router/meta-tools.ts';

const KEY = 'sandbox-composio-key';
const ajv = new Ajv({ allErrors: true, strict: false });

interface Envelope {
  data: Record<string, any>;
  error: string | null;
  successful: boolean;
}

describe('tool router with the real @composio/core client', () => {
  let dir: string;
  let sandbox: SandboxWithMcp;
  let composio: Composio;
  const clients: Client[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tool-router-'));
    sandbox = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
    composio = new Composio({ apiKey: KEY, baseURL: sandbox.url, allowTracking: false, disableVersionCheck: true });
  });
  after(async () => {
    for (const client of clients.reverse()) await client.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(url: string, headers: Record<string, string>): Promise<Client> {
    const client = new Client({ name: 'tool-router-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    clients.push(client);
    return client;
  }

  /** Calls a meta tool and checks its `data` against the meta tool's published output schema. */
  async function callMeta(client: Client, name: string, args: Record<string, unknown>): Promise<{ isError: boolean; envelope: Envelope }> {
    const result = await client.callTool({ name, arguments: args });
    const envelope = result.structuredContent as unknown as Envelope;
    const validate = ajv.compile(metaTool(name)?.output ?? {});
    assert.ok(validate(envelope.data), `${name} data breaks its schema: ${ajv.errorsText(validate.errors)}`);
    return { isError: result.isError === true, envelope };
  }

  test('a default session lists the meta tools and runs search, schemas, multi-execute and connections', async () => {
    const session = await composio.create('default', {
      mcp: true,
      toolkits: ['confluence'],
      tools: { confluence: { disable: ['CONFLUENCE_DELETE_SPACE'] } },
    });
    assert.match(session.sessionId, /^trs_/);
    assert.equal(session.mcp.type, 'http');
    assert.equal(session.mcp.url, `${sandbox.url}/tool_router/${session.sessionId}/mcp`);
    assert.deepEqual(session.mcp.headers, { 'x-api-key': KEY });

    const client = await connect(session.mcp.url, session.mcp.headers ?? {});
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['COMPOSIO_SEARCH_TOOLS', 'COMPOSIO_GET_TOOL_SCHEMAS', 'COMPOSIO_MULTI_EXECUTE_TOOL', 'COMPOSIO_MANAGE_CONNECTIONS'],
    );
    assert.equal(tools[0]?.annotations?.readOnlyHint, true);
    assert.equal(tools[2]?.annotations?.destructiveHint, true);

    const search = await callMeta(client, 'COMPOSIO_SEARCH_TOOLS', {
      queries: [{ use_case: 'create a new page in a space' }, { use_case: 'search content with a text query' }],
    });
    assert.equal(search.isError, false);
    assert.equal(search.envelope.data.results[0].primary_tool_slugs[0], 'CONFLUENCE_CREATE_PAGE');
    assert.ok(search.envelope.data.results[1].primary_tool_slugs.includes('CONFLUENCE_SEARCH_CONTENT'));
    assert.ok(search.envelope.data.tool_schemas.CONFLUENCE_CREATE_PAGE.input_schema);
    assert.equal(search.envelope.data.toolkit_connection_statuses[0].has_active_connection, true);

    const schemas = await callMeta(client, 'COMPOSIO_GET_TOOL_SCHEMAS', {
      tool_slugs: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_SPACEZ'],
      include: ['input_schema', 'output_schema'],
    });
    assert.equal(schemas.isError, true);
    assert.equal(schemas.envelope.data.success, false);
    assert.ok(schemas.envelope.data.tool_schemas.CONFLUENCE_GET_SPACES.output_schema);
    assert.deepEqual(schemas.envelope.data.not_found, ['CONFLUENCE_GET_SPACEZ']);
    assert.ok(schemas.envelope.data.suggestions.CONFLUENCE_GET_SPACEZ.includes('CONFLUENCE_GET_SPACES'));

    const spaces = await callMeta(client, 'COMPOSIO_MULTI_EXECUTE_TOOL', {
      sync_response_to_workbench: false,
      tools: [
        { tool_slug: 'CONFLUENCE_GET_SPACES', arguments: { limit: 5 } },
        { tool_slug: 'CONFLUENCE_GET_CURRENT_USER', arguments: {} },
      ],
    });
    assert.equal(spaces.isError, false, JSON.stringify(spaces.envelope));
    assert.equal(spaces.envelope.data.success_count, 2);
    const space = spaces.envelope.data.results[0].response.data.results[0];
    assert.ok(space.id, 'the seeded site has a space');

    const write = await callMeta(client, 'COMPOSIO_MULTI_EXECUTE_TOOL', {
      sync_response_to_workbench: false,
      tools: [
        {
          tool_slug: 'CONFLUENCE_CREATE_PAGE',
          arguments: { spaceId: space.id, title: 'Written through the tool router', body: { storage: { value: '<p>hello</p>' } } },
        },
        { tool_slug: 'CONFLUENCE_DELETE_SPACE', arguments: { space_key: space.key } },
      ],
    });
    assert.equal(write.isError, true);
    assert.equal(write.envelope.error, '1 out of 2 tools failed');
    const [created, refused] = write.envelope.data.results;
    assert.equal(created.response.successful, true, JSON.stringify(created));
    assert.equal(created.response.data.title, 'Written through the tool router');
    assert.equal(refused.response, null);
    assert.match(refused.error, /CONFLUENCE_DELETE_SPACE is not enabled in session/);
    const stored = await session.execute('CONFLUENCE_GET_PAGE_BY_ID', { id: created.response.data.id });
    assert.equal(stored.error, null);
    assert.equal(stored.data.title, 'Written through the tool router');

    const connections = await callMeta(client, 'COMPOSIO_MANAGE_CONNECTIONS', { toolkits: ['confluence'] });
    assert.equal(connections.isError, false);
    assert.equal(connections.envelope.data.results.confluence.status, 'active');
  });

  test('session.execute runs allowed tools and refuses disabled ones', async () => {
    const session = await composio.create('default', {
      mcp: true,
      toolkits: ['confluence'],
      tools: { confluence: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_CURRENT_USER'] },
    });
    const user = await session.execute('CONFLUENCE_GET_CURRENT_USER', {});
    assert.equal(user.error, null);
    assert.equal(typeof user.data.accountId, 'string');
    await assert.rejects(session.execute('CONFLUENCE_GET_PAGES', {}), (error: Error & { status?: number }) => {
      assert.equal(error.status, 403);
      assert.match(error.message, /CONFLUENCE_GET_PAGES is not enabled/);
      return true;
    });
  });

  test('a direct_tools session lists exactly the allowed app tools', async () => {
    const allowed = ['CONFLUENCE_GET_PAGES', 'CONFLUENCE_GET_SPACES', 'CONFLUENCE_CREATE_PAGE'];
    const session = await composio.create('default', {
      mcp: true,
      sessionPreset: 'direct_tools',
      toolkits: ['confluence'],
      tools: { confluence: allowed },
    });
    const client = await connect(session.mcp.url, session.mcp.headers ?? {});
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...allowed].sort());
    assert.equal(tools.find((t) => t.name === 'CONFLUENCE_CREATE_PAGE')?.annotations?.readOnlyHint, false);
    const spaces = await client.callTool({ name: 'CONFLUENCE_GET_SPACES', arguments: {} });
    assert.equal(spaces.isError, false);
    const search = await client.callTool({ name: 'COMPOSIO_SEARCH_TOOLS', arguments: { queries: [{ use_case: 'pages' }] } });
    assert.equal(search.isError, true);
    const text = (search.content as Array<{ text: string }>)[0]?.text ?? '';
    assert.match((JSON.parse(text) as Envelope).error ?? '', /Unknown tool "COMPOSIO_SEARCH_TOOLS"/);
  });

  test('execute_meta runs meta tools over REST, and use() reopens a session', async () => {
    const session = await composio.create('default', { mcp: true, toolkits: ['confluence'] });
    const again = await composio.use(session.sessionId, { mcp: true });
    assert.equal(again.mcp.url, session.mcp.url);
    const meta = (slug: string, args: unknown) =>
      fetch(`${sandbox.url}/api/v3.1/tool_router/session/${session.sessionId}/execute_meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ slug, arguments: args }),
      });
    const found = await meta('COMPOSIO_SEARCH_TOOLS', { queries: [{ use_case: 'list the labels of a page' }] });
    assert.equal(found.status, 200);
    const body = (await found.json()) as { data: Record<string, any>; error: string | null; log_id: string };
    assert.equal(body.error, null);
    assert.match(body.log_id, /^log_/);
    assert.equal(body.data.results[0].primary_tool_slugs[0], 'CONFLUENCE_GET_LABELS_FOR_PAGE');
    const waiting = await meta('COMPOSIO_WAIT_FOR_CONNECTIONS', { toolkits: ['confluence'] });
    assert.equal(waiting.status, 400);
    const invalid = await meta('COMPOSIO_MULTI_EXECUTE_TOOL', { tools: [] });
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { error: { message: string } }).error.message, /sync_response_to_workbench|fewer than 1/);
  });

  test('a wrong or missing key is answered 401 with the error body', async () => {
    const session = await composio.create('default', { mcp: true, toolkits: ['confluence'] });
    for (const headers of [{}, { 'x-api-key': 'wrong' }]) {
      const mcp = await fetch(session.mcp.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      assert.equal(mcp.status, 401);
      const body = (await mcp.json()) as { error: { status: number; message: string; code: number } };
      assert.equal(body.error.status, 401);
      assert.match(body.error.message, /API key/);
    }
    const wrong = new Composio({ apiKey: 'wrong', baseURL: sandbox.url, allowTracking: false, disableVersionCheck: true });
    await assert.rejects(wrong.create('default', { toolkits: ['confluence'] }), (error: Error & { status?: number }) => {
      assert.equal(error.status, 401);
      return true;
    });
    const v3 = await fetch(`${sandbox.url}/api/v3/tool_router/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'u' }),
    });
    assert.equal(v3.status, 401);
  });

  test('the v3 path creates sessions too and rejects past-tense keys', async () => {
    const post = (body: unknown) =>
      fetch(`${sandbox.url}/api/v3/tool_router/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify(body),
      });
    const ok = await post({ user_id: 'u', toolkits: { enable: ['confluence'] }, tools: { confluence: { tags: { enable: ['readOnlyHint'] } } } });
    assert.equal(ok.status, 201);
    const created = (await ok.json()) as Record<string, any>;
    assert.deepEqual(created.config.toolkits, { enabled: ['confluence'] });
    assert.deepEqual(created.tool_router_tools, [
      'COMPOSIO_SEARCH_TOOLS',
      'COMPOSIO_GET_TOOL_SCHEMAS',
      'COMPOSIO_MULTI_EXECUTE_TOOL',
      'COMPOSIO_MANAGE_CONNECTIONS',
    ]);
    const bad = await post({ user_id: 'u', toolkits: { enabled: ['confluence'] } });
    assert.equal(bad.status, 400);
    const error = (await bad.json()) as { error: { message: string; code: number } };
    assert.equal(error.error.code, 10400);
    assert.match(error.error.message, /toolkits\.enabled is not accepted in requests; use enable/);
  });
});
