import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSandboxWithMcp, type SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';

/** Every one of the 57 tools over the sandbox's /mcp endpoint, each successful result checked against its output schema. */

type Data = Record<string, any>;
const catalogue = confluenceCatalogue();
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();
const called = new Set<string>();

let dir: string;
let sandbox: SandboxWithMcp;
let client: Client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-all-tools-'));
  sandbox = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
  client = new Client({ name: 'all-tools-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(sandbox.mcpUrl), { requestInit: { headers: sandbox.mcpHeaders } }));
});
after(async () => {
  await client?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Calls a tool that must succeed; checks `data` against the tool's output schema and returns it. */
async function ok(slug: string, args: Record<string, unknown> = {}): Promise<Data> {
  called.add(slug);
  const result = await client.callTool({ name: slug, arguments: args });
  const envelope = result.structuredContent as { data: Data; error: string | null; successful: boolean };
  assert.equal(result.isError, false, `${slug}(${JSON.stringify(args)}) failed: ${envelope?.error}`);
  assert.equal(envelope.successful, true);
  let validate = validators.get(slug);
  if (!validate) {
    validate = ajv.compile(catalogue.get(slug)?.output ?? {});
    validators.set(slug, validate);
  }
  assert.ok(validate(envelope.data), `${slug} data breaks its output schema: ${ajv.errorsText(validate.errors)}`);
  return envelope.data;
}

/** Calls a tool that must fail; returns the error text the client sees. */
async function fails(slug: string, args: Record<string, unknown>): Promise<string> {
  called.add(slug);
  const result = await client.callTool({ name: slug, arguments: args });
  assert.equal(result.isError, true, `${slug}(${JSON.stringify(args)}) should fail`);
  const text = (result.content as Array<{ type: string; text: string }>)[0]?.text ?? '';
  const envelope = JSON.parse(text) as { error: string; successful: boolean };
  assert.equal(envelope.successful, false);
  assert.ok(envelope.error.length > 10, 'the error says what went wrong');
  return envelope.error;
}

test('lists all 57 tools with annotations matching their effect', async () => {
  const { tools } = await client.listTools();
  assert.equal(tools.length, 57);
  for (const tool of tools) {
    const def = catalogue.get(tool.name);
    assert.ok(def, `${tool.name} is in the catalogue`);
    assert.equal(tool.annotations?.title, def.name);
    assert.equal(tool.annotations?.readOnlyHint, def.effect === 'read', `${tool.name} readOnlyHint`);
    assert.equal(tool.annotations?.destructiveHint, def.effect === 'destructive', `${tool.name} destructiveHint`);
    assert.equal(tool.inputSchema.type, 'object');
  }
});

test('calls every tool against the seeded sandbox', async () => {
  const stamp = Date.now().toString(36).toUpperCase();

  // People and the site.
  const me = await ok('CONFLUENCE_GET_CURRENT_USER');
  await ok('CONFLUENCE_GET_USER_ANONYMOUS');
  await ok('CONFLUENCE_SEARCH_USERS', { accountId: me.accountId });
  await ok('CONFLUENCE_GET_AUDIT_LOGS', { limit: 10 });

  // Spaces and what is in them.
  const spaces = await ok('CONFLUENCE_GET_SPACES', { limit: 10 });
  const space = spaces.results[0] as Data;
  assert.ok(space, 'the seed has a space');
  await ok('CONFLUENCE_GET_SPACE_BY_ID', { id: space.id });
  await ok('CONFLUENCE_CONFLUENCE_GET_SPACE_BY_ID', { id: space.id });
  await ok('CONFLUENCE_GET_SPACE_CONTENTS', { spaceKey: space.key });
  await ok('CONFLUENCE_GET_LABELS', { limit: 50 });
  await ok('CONFLUENCE_GET_LABELS_FOR_SPACE', { id: space.id });
  await ok('CONFLUENCE_GET_LABELS_FOR_SPACE_CONTENT', { id: space.id });
  await ok('CONFLUENCE_GET_SPACE_PROPERTIES', { id: space.id });

  // An existing page, read every way.
  const pages = await ok('CONFLUENCE_GET_PAGES', { spaceId: space.id, limit: 25 });
  const seeded = pages.results[0] as Data;
  assert.ok(seeded, 'the seed has a page');
  await ok('CONFLUENCE_GET_PAGE_BY_ID', { id: seeded.id });
  await ok('CONFLUENCE_GET_PAGE_ANCESTORS', { id: seeded.id });
  await ok('CONFLUENCE_GET_CHILD_PAGES', { id: space.homepageId ?? seeded.id });
  await ok('CONFLUENCE_GET_PAGE_LIKE_COUNT', { id: seeded.id });
  await ok('CONFLUENCE_GET_PAGE_VERSIONS', { id: seeded.id });
  await ok('CONFLUENCE_GET_LABELS_FOR_PAGE', { id: seeded.id });
  await ok('CONFLUENCE_GET_CONTENT_RESTRICTIONS', { id: seeded.id });
  await ok('CONFLUENCE_GET_CONTENT_PROPERTIES_FOR_PAGE', { page_id: seeded.id });
  const word =
    String(seeded.title)
      .split(/\s+/)
      .find((w) => w.length > 3) ?? String(seeded.title);
  await ok('CONFLUENCE_SEARCH_CONTENT', { query: word, spaceKey: space.key });

  // Attachments: the seed has one somewhere; find it across every page of the site.
  const everyPage = await ok('CONFLUENCE_GET_PAGES', { limit: 100 });
  let attachmentId: string | undefined;
  for (const candidate of everyPage.results as Data[]) {
    const attachments = await ok('CONFLUENCE_GET_ATTACHMENTS', { pageId: candidate.id });
    attachmentId ??= (attachments.results as Data[])[0]?.id;
  }
  assert.ok(attachmentId, 'the seed has an attachment');
  await ok('CONFLUENCE_GET_ATTACHMENT_LABELS', { id: attachmentId });

  // A page's life: create, update, label, properties, delete.
  const body = { storage: { value: '<p>Written over MCP.</p>' } };
  const page = await ok('CONFLUENCE_CREATE_PAGE', { spaceId: space.id, title: `MCP page ${stamp}`, body });
  const updated = await ok('CONFLUENCE_UPDATE_PAGE', {
    id: page.id,
    spaceId: space.id,
    title: `MCP page ${stamp} v2`,
    body,
    version: { number: page.version.number + 1 },
  });
  assert.equal(updated.version.number, page.version.number + 1);
  await ok('CONFLUENCE_ADD_CONTENT_LABEL', { id: page.id, labels: [{ prefix: 'global', name: 'mcp-test' }] });
  const pageProp = await ok('CONFLUENCE_CREATE_PAGE_PROPERTY', { page_id: page.id, key: 'mcp-state', value: { step: 1 } });
  await ok('CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_PAGE_BY_ID', { pageId: page.id, propertyId: pageProp.id, value: { step: 2 } });
  await ok('CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_PAGE_BY_ID', { pageId: page.id, propertyId: pageProp.id });
  const trashed = await ok('CONFLUENCE_DELETE_PAGE', { id: page.id });
  assert.equal(trashed.status, 'trashed');

  // Blog posts.
  await ok('CONFLUENCE_GET_BLOGPOSTS', { limit: 10 });
  await ok('CONFLUENCE_GET_BLOG_POSTS', { limit: 10 });
  const post = await ok('CONFLUENCE_CREATE_BLOGPOST', {
    spaceId: space.id,
    status: 'current',
    title: `MCP post ${stamp}`,
    body: { representation: 'storage', value: '<p>News.</p>' },
    labels: [{ name: 'mcp-news' }],
  });
  await ok('CONFLUENCE_GET_BLOGPOST_BY_ID', { id: post.id });
  const postLabels = await ok('CONFLUENCE_GET_BLOGPOST_LABELS', { id: post.id });
  const label = (postLabels.results as Data[]).find((l) => l.name === 'mcp-news');
  assert.ok(label, 'the label given at creation is on the post');
  await ok('CONFLUENCE_GET_BLOG_POSTS_FOR_LABEL', { id: label.id });
  await ok('CONFLUENCE_GET_BLOGPOST_LIKE_COUNT', { id: post.id });
  await ok('CONFLUENCE_GET_BLOGPOST_OPERATIONS', { id: post.id });
  await ok('CONFLUENCE_GET_INLINE_COMMENTS_FOR_BLOG_POST', { id: post.id });
  await ok('CONFLUENCE_UPDATE_BLOGPOST', {
    id: post.id,
    spaceId: space.id,
    title: `MCP post ${stamp} v2`,
    body: { representation: 'storage', value: '<p>More news.</p>' },
    version: { number: 2 },
  });
  await ok('CONFLUENCE_GET_BLOGPOST_VERSIONS', { blogpostId: post.id });
  await ok('CONFLUENCE_GET_BLOGPOST_VERSION_DETAILS', { blogpostId: post.id, versionNumber: 1 });
  await ok('CONFLUENCE_CREATE_BLOGPOST_PROPERTY', { id: post.id, key: 'mcp-flag', value: { on: true } });
  await ok('CONFLUENCE_GET_CONTENT_PROPERTIES_FOR_BLOG_POST', { blogpost_id: post.id });
  await ok('CONFLUENCE_UPDATE_BLOGPOST_PROPERTY', { id: post.id, propertyKey: 'mcp-flag', value: { on: false } });
  await ok('CONFLUENCE_DELETE_BLOGPOST_PROPERTY', { id: post.id, propertyKey: 'mcp-flag' });

  // Whiteboards.
  const board = await ok('CONFLUENCE_CREATE_WHITEBOARD', { spaceId: space.id, title: `MCP board ${stamp}` });
  const boardProp = await ok('CONFLUENCE_CREATE_CONTENT_PROPERTY_FOR_WHITEBOARD', { whiteboard_id: board.id, key: 'mcp-board', value: { n: 1 } });
  await ok('CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID', { whiteboardId: board.id, propertyId: boardProp.id, value: { n: 2 } });
  await ok('CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID', { whiteboardId: board.id, propertyId: boardProp.id });

  // Spaces: create, properties, delete.
  const key = `MCP${stamp.slice(-4)}`.replace(/[^A-Z0-9]/g, 'X');
  const created = await ok('CONFLUENCE_CREATE_SPACE', { key, name: `MCP space ${stamp}` });
  await ok('CONFLUENCE_CREATE_SPACE_PROPERTY', { spaceId: created.id, key: 'mcp-space', value: { a: 1 } });
  await ok('CONFLUENCE_UPDATE_SPACE_PROPERTY', { spaceKey: key, propertyKey: 'mcp-space', value: { a: 2 } });
  await ok('CONFLUENCE_DELETE_SPACE_PROPERTY', { spaceIdOrKey: key, propertyKey: 'mcp-space' });
  await ok('CONFLUENCE_CREATE_PRIVATE_SPACE', { key: `P${key}`, name: `MCP private ${stamp}` });
  await ok('CONFLUENCE_DELETE_SPACE', { space_key: `P${key}` });

  const missing = catalogue.tools.map((t) => t.slug).filter((slug) => !called.has(slug));
  assert.deepEqual(missing, [], 'every tool was called');
});

test('failures come back as isError with an actionable message', async () => {
  assert.match(await fails('CONFLUENCE_GET_PAGE_BY_ID', { id: '987654321' }), /not found|404/i);
  assert.match(await fails('CONFLUENCE_CREATE_PAGE', { title: 'No space given', body: { storage: { value: '<p/>' } } }), /spaceId/);
  const unknown = await client.callTool({ name: 'CONFLUENCE_MAKE_COFFEE', arguments: {} });
  assert.equal(unknown.isError, true);
  assert.match(JSON.stringify(unknown.content), /Unknown tool/);
});
