/**
 * CONFLUENCE_SEARCH_CONTENT as the model is told about it: every field, date function and example its description
 * names runs against the sandbox's CQL engine, and "pages updated last week" finds what was just changed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createConfluenceToolkit } from '../../../src/confluence/toolkit.ts';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox/server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import type { ToolExecutor } from '../../../src/toolkit/types.ts';

const tool = confluenceCatalogue().get('CONFLUENCE_SEARCH_CONTENT')!;

describe('CONFLUENCE_SEARCH_CONTENT description against the sandbox', () => {
  let dir: string;
  let sandbox: SandboxHandle;
  let toolkit: ToolExecutor;

  async function search(query: string): Promise<Array<{ title: string; content?: { id: string } }>> {
    const r = await toolkit.execute('CONFLUENCE_SEARCH_CONTENT', { query, limit: 100 });
    assert.equal(r.successful, true, `${query}: ${r.error}`);
    return (r.data as { response_data: { results: Array<{ title: string; content?: { id: string } }> } }).response_data.results;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'search-cql-'));
    sandbox = await startSandbox({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
    toolkit = createConfluenceToolkit({ baseUrl: sandbox.url, email: sandbox.email, apiToken: sandbox.apiToken, sleep: async () => {} });
  });
  after(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the model it takes CQL, with date functions and examples', () => {
    assert.match(tool.description, /CQL/);
    assert.match(tool.description, /now\("-7d"\)/);
    assert.ok((tool.input.properties as Record<string, { description?: string }>).query?.description);
  });

  it('accepts every field the description names', async () => {
    const fields = /Fields: ([^;]+);/
      .exec(tool.description)![1]!
      .split(',')
      .map((f) => f.trim());
    assert.ok(fields.length >= 7);
    const probe: Record<string, string> = {
      type: 'type = blogpost',
      space: 'space = TEAM',
      'title ~': 'title ~ "notes"',
      'text ~': 'text ~ "meeting"',
      label: 'label = "meeting-notes"',
      ancestor: 'ancestor = 1',
      parent: 'parent = 1',
      creator: 'creator = currentUser()',
      created: 'created >= startOfWeek()',
      lastmodified: 'lastmodified >= now("-7d")',
    };
    for (const field of fields) {
      assert.ok(probe[field], `no probe for ${field}`);
      await search(probe[field]!);
    }
    await search('type = page AND NOT space = TEAM OR label = x ORDER BY created DESC');
    await search('created >= startOfMonth() AND lastmodified < now("+1d")');
  });

  it('runs each example of the description', async () => {
    const examples = tool.description
      .split('E.g. ')[1]!
      .split(';')
      .map((e) => e.trim());
    assert.ok(examples.length >= 2);
    for (const example of examples) await search(example);
  });

  it('finds pages updated in the last week, and not older ones', async () => {
    const spaces = await toolkit.execute('CONFLUENCE_GET_SPACES', { spaceKey: ['TEAM'] });
    const spaceId = (spaces.data as { results: Array<{ id: string }> }).results[0]!.id;
    const created = await toolkit.execute('CONFLUENCE_CREATE_PAGE', {
      spaceId,
      title: 'Fresh search page',
      body: { representation: 'storage', value: '<p>x</p>' },
    });
    assert.equal(created.successful, true, created.error ?? '');
    const recent = await search('type=page AND lastmodified >= now("-7d")');
    assert.ok(recent.some((r) => r.title === 'Fresh search page'));
    const thisWeek = await search('type = page AND created >= startOfWeek()');
    assert.ok(thisWeek.some((r) => r.title === 'Fresh search page'));
    const future = await search('type = page AND lastmodified >= now("+1d")');
    assert.equal(future.length, 0);
  });
});
