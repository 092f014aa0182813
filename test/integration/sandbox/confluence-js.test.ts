/** The real confluence.js v3 client, in strict schema-audit mode, driving the sandbox end to end. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestSandbox } from './helpers.ts';
import { startTestSandbox } from './helpers.ts';

const DRIFT = Symbol.for('apis-code-gen.schemaAudit');

describe('confluence.js against the sandbox', () => {
  let sb: TestSandbox;
  let v2: any;
  let v1: any;
  let isApiError: (e: unknown) => boolean;
  before(async () => {
    // The library reads this switch at import time and then validates every response with strict objects.
    process.env.AUDIT_SCHEMAS = 'true';
    const lib = await import('confluence.js');
    sb = await startTestSandbox({ seed: true });
    const config = { host: sb.handle.url, auth: { type: 'basic' as const, email: sb.handle.email, apiToken: sb.handle.apiToken } };
    v2 = lib.createV2Client(config);
    v1 = lib.createV1Client(config);
    isApiError = lib.isApiError;
    (globalThis as Record<symbol, unknown>)[DRIFT] = [];
  });
  after(async () => {
    await sb?.cleanup();
  });

  it('creates, reads, updates, conflicts, labels, stores properties, searches and trashes without schema drift', async () => {
    const spaces = await v2.space.getSpaces({ keys: ['TEAM'] });
    assert.equal(spaces.results.length, 1);
    const spaceId = spaces.results[0].id;

    const created = await v2.page.createPage({
      body: { spaceId, status: 'current', title: 'Client page', body: { representation: 'storage', value: '<p>From the client</p>' } },
    });
    assert.equal(created.version.number, 1);
    assert.equal(created.parentId, spaces.results[0].homepageId);

    const read = await v2.page.getPageById({ id: Number(created.id), bodyFormat: 'storage' });
    assert.equal(read.body.storage.value, '<p>From the client</p>');

    const updated = await v2.page.updatePage({
      id: Number(created.id),
      body: {
        id: created.id,
        status: 'current',
        title: 'Client page',
        body: { representation: 'storage', value: '<p>Edited</p>' },
        version: { number: 2, message: 'edit' },
      },
    });
    assert.equal(updated.version.number, 2);

    await assert.rejects(
      v2.page.updatePage({
        id: Number(created.id),
        body: { id: created.id, status: 'current', title: 'Client page', body: { representation: 'storage', value: '<p>Stale</p>' }, version: { number: 2 } },
      }),
      (err: any) => isApiError(err) && err.status === 409 && JSON.stringify(err.detail ?? err.message).includes('Current version is: 2'),
    );

    const labels = await v1.contentLabels.addLabelsToContent({ id: created.id, body: [{ prefix: 'global', name: 'client-made' }] });
    assert.deepEqual(
      labels.results.map((l: { name: string }) => l.name),
      ['client-made'],
    );
    const pageLabels = await v2.label.getPageLabels({ id: Number(created.id) });
    assert.deepEqual(
      pageLabels.results.map((l: { name: string }) => l.name),
      ['client-made'],
    );

    const prop = await v2.contentProperties.createPageProperty({ pageId: Number(created.id), key: 'state', value: { ready: false } });
    const prop2 = await v2.contentProperties.updatePagePropertyById({
      pageId: Number(created.id),
      propertyId: Number(prop.id),
      key: 'state',
      value: { ready: true },
      version: { number: 2 },
    });
    assert.deepEqual(prop2.value, { ready: true });
    const props = await v2.contentProperties.getPageContentProperties({ pageId: Number(created.id) });
    assert.equal(props.results.length, 1);

    const found = await v1.search.searchByCQL({ cql: 'label = "client-made" AND space = TEAM' });
    assert.deepEqual(
      found.results.map((r: { content: { id: string } }) => r.content.id),
      [created.id],
    );
    const notes = await v1.search.searchByCQL({ cql: 'type = page AND label = "meeting-notes" ORDER BY created DESC', limit: 5 });
    assert.equal(notes.size, 5);
    const users = await v1.search.searchUser({ cql: 'user.fullname ~ "priya"' });
    assert.equal(users.results.length, 1);

    await v2.page.deletePage({ id: Number(created.id) });
    const list = await v2.page.getPages({ spaceId: [Number(spaceId)], limit: 250 });
    assert.ok(!list.results.some((p: { id: string }) => p.id === created.id));
    const trashed = await v2.page.getPages({ spaceId: [Number(spaceId)], status: ['trashed'] });
    assert.deepEqual(
      trashed.results.map((p: { id: string }) => p.id),
      [created.id],
    );

    const drift = (globalThis as Record<symbol, unknown>)[DRIFT] as unknown[];
    assert.deepEqual(drift, [], 'no undocumented fields or values');
  });
});
