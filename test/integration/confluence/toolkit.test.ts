/**
 * The toolkit against the embedded sandbox: a realistic sequence that calls all 57 tools directly and checks each
 * successful result's `data` against the tool's output schema.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { createConfluenceToolkit } from '../../../src/confluence/toolkit.ts';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox/server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import type { ToolEnvelope, ToolExecutor } from '../../../src/toolkit/types.ts';

type Data = Record<string, any>;

describe('Confluence toolkit against the sandbox', () => {
  let dir: string;
  let sandbox: SandboxHandle;
  let toolkit: ToolExecutor;
  const called = new Set<string>();
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const outputValidators = new Map<string, ValidateFunction>();

  /** Runs a tool, expects success, validates `data` against the output schema. */
  async function ok(slug: string, args: Record<string, unknown>): Promise<Data> {
    const r = await toolkit.execute(slug, args);
    called.add(slug);
    assert.equal(r.successful, true, `${slug} failed: ${r.error}`);
    assert.equal(r.error, null);
    let validate = outputValidators.get(slug);
    if (!validate) {
      validate = ajv.compile(confluenceCatalogue().get(slug)!.output);
      outputValidators.set(slug, validate);
    }
    assert.ok(validate(r.data), `${slug} data does not match its output schema: ${ajv.errorsText(validate.errors)}`);
    return r.data as Data;
  }

  /** Runs a tool and expects a failure envelope. */
  async function fails(slug: string, args: Record<string, unknown>): Promise<ToolEnvelope> {
    const r = await toolkit.execute(slug, args);
    assert.equal(r.successful, false, `${slug} unexpectedly succeeded`);
    assert.equal(r.data, null);
    assert.equal(typeof r.error, 'string');
    return r;
  }

  const s: Data = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'confluence-toolkit-'));
    sandbox = await startSandbox({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
    toolkit = createConfluenceToolkit({ baseUrl: sandbox.url, email: sandbox.email, apiToken: sandbox.apiToken, sleep: async () => {} });
  });
  after(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('identifies the caller and finds users', async () => {
    const me = await ok('CONFLUENCE_GET_CURRENT_USER', {});
    assert.equal(me.email, sandbox.email);
    s.accountId = me.accountId;
    await ok('CONFLUENCE_GET_USER_ANONYMOUS', {});
    const found = await ok('CONFLUENCE_SEARCH_USERS', { accountId: me.accountId });
    assert.ok(found.response_data.results.length >= 1);
    const all = await ok('CONFLUENCE_SEARCH_USERS', { limit: 3 });
    assert.ok(all.response_data.results.length > 0);
  });

  it('resolves the TEAM space and its labels', async () => {
    const spaces = await ok('CONFLUENCE_GET_SPACES', { spaceKey: ['TEAM'] });
    assert.equal(spaces.results.length, 1);
    s.teamId = spaces.results[0].id;
    const all = await ok('CONFLUENCE_GET_SPACES', { limit: 2 });
    assert.equal(all.results.length, 2);
    assert.ok(all._links.next);
    const team = await ok('CONFLUENCE_GET_SPACE_BY_ID', { id: s.teamId });
    assert.equal(team.key, 'TEAM');
    const twin = await ok('CONFLUENCE_CONFLUENCE_GET_SPACE_BY_ID', { id: s.teamId });
    assert.equal(twin.id, team.id);
    const labels = await ok('CONFLUENCE_GET_LABELS_FOR_SPACE', { id: s.teamId });
    assert.deepEqual(labels.results.map((l: Data) => l.name).sort(), ['engineering', 'team']);
    const contentLabels = await ok('CONFLUENCE_GET_LABELS_FOR_SPACE_CONTENT', { id: 'TEAM' });
    assert.ok(contentLabels.results.some((l: Data) => l.name === 'meeting-notes'));
  });

  it('lists meeting-notes pages with offset paging', async () => {
    const first = await ok('CONFLUENCE_GET_PAGES', { spaceId: s.teamId, label: ['meeting-notes'], limit: 10 });
    assert.equal(first.results.length, 10);
    assert.ok(first.results.every((p: Data) => p.space.key === 'TEAM'));
    const tail = await ok('CONFLUENCE_GET_PAGES', { spaceId: s.teamId, label: ['meeting-notes'], start: 50, limit: 10 });
    assert.equal(tail.results.length, 3, 'the index page plus 52 weekly notes carry the label');
    const contents = await ok('CONFLUENCE_GET_SPACE_CONTENTS', { spaceKey: 'TEAM', type: 'page', limit: 5 });
    assert.equal(contents.results.length, 5);
    const index =
      contents.results.find((p: Data) => p.title === 'Meeting notes') ??
      (await ok('CONFLUENCE_SEARCH_CONTENT', { query: 'Meeting notes', spaceKey: 'TEAM', limit: 1 })).response_data.results[0].content;
    s.indexId = String(index.id);
  });

  it('walks a page: children, ancestors, body, labels, versions, likes', async () => {
    const children = await ok('CONFLUENCE_GET_CHILD_PAGES', { id: s.indexId, limit: 5 });
    assert.equal(children.results.length, 5);
    s.noteId = children.results[0].id;
    const ancestors = await ok('CONFLUENCE_GET_PAGE_ANCESTORS', { id: s.noteId });
    assert.ok(ancestors.results.some((a: Data) => a.id === s.indexId));
    const page = await ok('CONFLUENCE_GET_PAGE_BY_ID', { id: s.noteId });
    assert.match(page.body.storage.value, /\S/);
    const labels = await ok('CONFLUENCE_GET_LABELS_FOR_PAGE', { id: s.noteId });
    assert.ok(labels.results.some((l: Data) => l.name === 'meeting-notes'));
    const versions = await ok('CONFLUENCE_GET_PAGE_VERSIONS', { id: s.noteId });
    assert.ok(versions.results.length >= 1);
    const likes = await ok('CONFLUENCE_GET_PAGE_LIKE_COUNT', { id: s.noteId });
    assert.equal(typeof likes.value, 'number');
  });

  it('creates and updates a page, and reports conflicts and duplicates', async () => {
    const created = await ok('CONFLUENCE_CREATE_PAGE', { spaceId: s.teamId, title: 'Integration runbook', body: '<p>first</p>' });
    assert.equal(created.version.number, 1);
    s.pageId = created.id;
    const updated = await ok('CONFLUENCE_UPDATE_PAGE', {
      id: s.pageId,
      spaceId: s.teamId,
      title: 'Integration runbook',
      body: { storage: { value: '<p>second</p>' } },
      version: { number: 2, message: 'edit' },
    });
    assert.equal(updated.version.number, 2);
    const conflict = await fails('CONFLUENCE_UPDATE_PAGE', {
      id: s.pageId,
      spaceId: s.teamId,
      title: 'Integration runbook',
      body: { storage: { value: '<p>x</p>' } },
      version: { number: 2 },
    });
    assert.equal(conflict.error, 'version conflict: current version is 2, send 3');
    const dup = await fails('CONFLUENCE_CREATE_PAGE', { spaceId: 'TEAM', title: 'Integration runbook', body: { storage: { value: '<p/>' } } });
    assert.equal(dup.error, "a page titled 'Integration runbook' already exists in this space; choose another title or update the existing page");
    const missing = await fails('CONFLUENCE_GET_PAGE_BY_ID', { id: '99999999' });
    assert.equal(missing.error, 'not found: page 99999999 does not exist or you lack permission');
  });

  it('creates, updates and deletes page properties', async () => {
    const prop = await ok('CONFLUENCE_CREATE_PAGE_PROPERTY', { page_id: s.pageId, key: 'review', value: { state: 'draft' } });
    const list = await ok('CONFLUENCE_GET_CONTENT_PROPERTIES_FOR_PAGE', { page_id: s.pageId });
    assert.ok(list.results.some((p: Data) => p.key === 'review'));
    const up = await ok('CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_PAGE_BY_ID', { pageId: s.pageId, propertyId: prop.id, value: { state: 'done' } });
    assert.deepEqual(up.value, { state: 'done' });
    assert.equal(up.version.number, 2);
    await ok('CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_PAGE_BY_ID', { pageId: s.pageId, propertyId: prop.id });
  });

  it('publishes a labelled blog post and reads it back', async () => {
    const post = await ok('CONFLUENCE_CREATE_BLOGPOST', {
      spaceId: s.teamId,
      status: 'current',
      title: 'Integration week',
      labels: [{ name: 'integration' }],
      body: { representation: 'storage', value: '<p>We shipped.</p>' },
    });
    s.postId = post.id;
    assert.ok(post.labels.some((l: Data) => l.name === 'integration'));
    const added = await ok('CONFLUENCE_ADD_CONTENT_LABEL', { id: s.postId, labels: [{ prefix: 'global', name: 'release' }] });
    assert.ok(added.some((l: Data) => l.name === 'release'));
    const labels = await ok('CONFLUENCE_GET_BLOGPOST_LABELS', { id: s.postId });
    assert.deepEqual(labels.results.map((l: Data) => l.name).sort(), ['integration', 'release']);
    const got = await ok('CONFLUENCE_GET_BLOGPOST_BY_ID', { id: s.postId });
    assert.equal(got.title, 'Integration week');
    const upd = await ok('CONFLUENCE_UPDATE_BLOGPOST', {
      id: s.postId,
      spaceId: s.teamId,
      title: 'Integration week (updated)',
      body: { representation: 'storage', value: '<p>We shipped twice.</p>' },
      version: { number: 2 },
    });
    assert.equal(upd.version.number, 2);
    const versions = await ok('CONFLUENCE_GET_BLOGPOST_VERSIONS', { blogpostId: s.postId });
    assert.equal(versions.results.length, 2);
    const v1 = await ok('CONFLUENCE_GET_BLOGPOST_VERSION_DETAILS', { blogpostId: s.postId, versionNumber: 1 });
    assert.equal(v1.title, 'Integration week');
    await ok('CONFLUENCE_GET_BLOGPOST_LIKE_COUNT', { id: s.postId });
    const ops = await ok('CONFLUENCE_GET_BLOGPOST_OPERATIONS', { id: s.postId });
    assert.ok(ops.results.some((o: Data) => o.operation === 'read'));
  });

  it('lists blog posts, by cursor and by label, and their inline comments', async () => {
    const first = await ok('CONFLUENCE_GET_BLOGPOSTS', { limit: 2 });
    assert.equal(first.results.length, 2);
    assert.ok(first.next, 'more than two blog posts exist');
    const second = await ok('CONFLUENCE_GET_BLOGPOSTS', { limit: 2, cursor: first.next });
    assert.notDeepEqual(
      second.results.map((b: Data) => b.id),
      first.results.map((b: Data) => b.id),
    );
    const history = await ok('CONFLUENCE_GET_BLOG_POSTS', {});
    assert.ok(history.results.length >= 5);
    const announce = history.results.find((b: Data) => b.title === 'Announcing Search v2');
    const comments = await ok('CONFLUENCE_GET_INLINE_COMMENTS_FOR_BLOG_POST', { id: announce.id });
    assert.equal(comments.results.length, 1);
    const labels = await ok('CONFLUENCE_GET_LABELS', { limit: 250 });
    const integration = labels.results.find((l: Data) => l.name === 'integration');
    assert.ok(integration);
    const tagged = await ok('CONFLUENCE_GET_BLOG_POSTS_FOR_LABEL', { id: integration.id });
    assert.deepEqual(
      tagged.results.map((b: Data) => b.id),
      [s.postId],
    );
  });

  it('creates, updates and deletes blog post properties by key', async () => {
    await ok('CONFLUENCE_CREATE_BLOGPOST_PROPERTY', { id: s.postId, key: 'audience', value: { team: 'platform' } });
    const list = await ok('CONFLUENCE_GET_CONTENT_PROPERTIES_FOR_BLOG_POST', { blogpost_id: s.postId });
    assert.equal(list.results.length, 1);
    const up = await ok('CONFLUENCE_UPDATE_BLOGPOST_PROPERTY', { id: s.postId, propertyKey: 'audience', value: { team: 'all' } });
    assert.deepEqual(up.value, { team: 'all' });
    await ok('CONFLUENCE_DELETE_BLOGPOST_PROPERTY', { id: s.postId, propertyKey: 'audience' });
    const gone = await fails('CONFLUENCE_DELETE_BLOGPOST_PROPERTY', { id: s.postId, propertyKey: 'audience' });
    assert.equal(gone.error, `not found: blog post ${s.postId} has no property with key 'audience'`);
  });

  it('creates, updates and deletes space properties', async () => {
    await ok('CONFLUENCE_CREATE_SPACE_PROPERTY', { spaceId: s.teamId, key: 'integration-flag', value: { on: true } });
    const list = await ok('CONFLUENCE_GET_SPACE_PROPERTIES', { id: s.teamId, key: ['integration-flag', 'team-settings'] });
    assert.deepEqual(list.results.map((p: Data) => p.key).sort(), ['integration-flag', 'team-settings']);
    const up = await ok('CONFLUENCE_UPDATE_SPACE_PROPERTY', { spaceKey: 'TEAM', propertyKey: 'integration-flag', value: { on: false } });
    assert.deepEqual(up.value, { on: false });
    await ok('CONFLUENCE_DELETE_SPACE_PROPERTY', { spaceIdOrKey: 'TEAM', propertyKey: 'integration-flag' });
  });

  it('creates a whiteboard and manages its properties', async () => {
    const wb = await ok('CONFLUENCE_CREATE_WHITEBOARD', { spaceId: s.teamId, title: 'Retro board' });
    const prop = await ok('CONFLUENCE_CREATE_CONTENT_PROPERTY_FOR_WHITEBOARD', { whiteboard_id: wb.id, key: 'theme', value: { colour: 'blue' } });
    const up = await ok('CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID', { whiteboardId: wb.id, propertyId: prop.id, value: { colour: 'green' } });
    assert.equal(up.version, 2);
    await ok('CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID', { whiteboardId: wb.id, propertyId: prop.id });
  });

  it('searches content and reads attachments, restrictions and audit records', async () => {
    const hits = await ok('CONFLUENCE_SEARCH_CONTENT', { query: 'Q3 Planning', spaceKey: 'PROD' });
    const q3 = hits.response_data.results.find((r: Data) => r.title === 'Q3 Planning' || r.content?.title === 'Q3 Planning');
    assert.ok(q3, 'search finds Q3 Planning');
    const q3Id = String(q3.content?.id ?? q3.id);
    const files = await ok('CONFLUENCE_GET_ATTACHMENTS', { pageId: q3Id });
    assert.equal(files.results[0].title, 'q3-roadmap.pdf');
    const fileLabels = await ok('CONFLUENCE_GET_ATTACHMENT_LABELS', { id: files.results[0].id });
    assert.deepEqual(
      fileLabels.results.map((l: Data) => l.name),
      ['slides'],
    );
    const restrictions = await ok('CONFLUENCE_GET_CONTENT_RESTRICTIONS', { id: q3Id });
    assert.ok(restrictions.restrictions.update);
    const audit = await ok('CONFLUENCE_GET_AUDIT_LOGS', {});
    assert.ok(audit.results.length >= 1);
  });

  it('creates and deletes spaces', async () => {
    const space = await ok('CONFLUENCE_CREATE_SPACE', { key: 'INTG', name: 'Integration', description: { plain: { representation: 'plain', value: 'tmp' } } });
    assert.equal(space.key, 'INTG');
    const priv = await ok('CONFLUENCE_CREATE_PRIVATE_SPACE', { key: 'PRIVX', name: 'Private scratch' });
    assert.equal(priv.key, 'PRIVX');
    const deleted = await ok('CONFLUENCE_DELETE_SPACE', { space_key: 'INTG' });
    assert.equal(deleted.success, true);
  });

  it('deletes the page it created', async () => {
    const trashed = await ok('CONFLUENCE_DELETE_PAGE', { id: s.pageId });
    assert.equal(trashed.status, 'trashed');
    const list = await ok('CONFLUENCE_GET_PAGES', { spaceId: s.teamId, limit: 250 });
    assert.ok(!list.results.some((p: Data) => p.id === s.pageId), 'trashed pages drop out of lists');
  });

  it('called every one of the 57 tools', () => {
    const missing = confluenceCatalogue()
      .tools.map((t) => t.slug)
      .filter((slug) => !called.has(slug));
    assert.deepEqual(missing, []);
  });
});
