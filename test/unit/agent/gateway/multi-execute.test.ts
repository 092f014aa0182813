/**
 * COMPOSIO_MULTI_EXECUTE_TOOL through the gateway, against the sandbox's real Tool Router face reached with the
 * composio backend (the real @composio/core client and the Agents SDK's MCP client), as a meta-tools session.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GatewayJournal, ToolGateway } from '../../../../src/agent/gateway/index.ts';
import { journalKey } from '../../../../src/agent/journal-key.ts';
import { writeIdentity } from '../../../../src/toolkit/writes.ts';
import { SIMULATED_NOTE } from '../../../../src/agent/simulate.ts';
import { openComposioBackend } from '../../../../src/backends/composio.ts';
import type { ToolBackend } from '../../../../src/backends/types.ts';
import { loadConfig } from '../../../../src/config/config.ts';
import { RunEvents } from '../../../../src/runs/events.ts';
import type { JournalEntry, ToolCallRecord } from '../../../../src/runs/types.ts';
import { type SandboxWithMcp, startSandboxWithMcp } from '../../../../src/sandbox/with-mcp.ts';
import { createToolAccess } from '../../../../src/toolkit/access.ts';
import { confluenceCatalogue } from '../../../../src/toolkit/catalogue.ts';
import { MULTI_EXECUTE } from '../../../../src/toolkit/router.ts';

const catalogue = confluenceCatalogue();
const ALLOW = [
  'CONFLUENCE_GET_SPACES',
  'CONFLUENCE_GET_CURRENT_USER',
  'CONFLUENCE_GET_PAGE_BY_ID',
  'CONFLUENCE_CREATE_PAGE',
  'CONFLUENCE_CREATE_BLOGPOST',
  'CONFLUENCE_DELETE_PAGE',
];

let dir: string;
let sandbox: SandboxWithMcp;
let router: ToolBackend;
let spaceId: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'multi-execute-'));
  sandbox = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
  const config = loadConfig({
    env: { COMPOSIO_API_KEY: sandbox.toolRouterApiKey, COMPOSIO_BASE_URL: sandbox.url, COMPOSIO_SESSION_PRESET: 'meta_tools' },
    cwd: dir,
  });
  // The session is scoped as the engine scopes it: to the catalogue tools the run's access allows.
  const allowed = createToolAccess({ allow: ALLOW, catalogue })
    .allowedTools()
    .map((t) => t.slug);
  assert.equal(allowed.includes('CONFLUENCE_DELETE_PAGE'), false, 'destructive without allow_destructive');
  router = await openComposioBackend(config, { allowed });
  const spaces = await router.call(MULTI_EXECUTE, {
    sync_response_to_workbench: false,
    tools: [{ tool_slug: 'CONFLUENCE_GET_SPACES', arguments: { limit: 5 } }],
  });
  spaceId = (spaces.data as any).results[0].response.data.results.find((s: { key: string }) => s.key === 'TEAM').id;
});
after(async () => {
  await router?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The router backend, with every batch it is sent remembered. */
function watched(): { backend: ToolBackend; batches: Array<{ tool: string; slugs: string[] }> } {
  const batches: Array<{ tool: string; slugs: string[] }> = [];
  const backend: ToolBackend = {
    name: router.name,
    router: router.router,
    tools: router.tools,
    call(tool, args, options) {
      batches.push({ tool, slugs: ((args.tools ?? []) as Array<{ tool_slug: string }>).map((t) => t.tool_slug) });
      return router.call(tool, args, options);
    },
    close: async () => {},
  };
  return { backend, batches };
}

function memoryJournal(): GatewayJournal & { entries: JournalEntry[] } {
  const entries: JournalEntry[] = [];
  return {
    entries,
    find: (key) => entries.find((e) => e.key === key),
    // As the stores do: an entry with the same key replaces the older one (an intent, then its outcome).
    add: async (entry) => {
      const at = entries.findIndex((e) => e.key === entry.key);
      if (at >= 0) entries.splice(at, 1);
      entries.push(entry);
    },
  };
}

/** A gateway in meta-tool mode whose `tool_start` and `tool_end` events are collected. */
function gatewayOf(backend: ToolBackend, journal: GatewayJournal, preview: boolean) {
  const records: ToolCallRecord[] = [];
  const started: Array<{ tool: string; via?: string; turn?: number }> = [];
  const events = new RunEvents();
  events.on('tool_start', ({ tool, via, turn }) => started.push({ tool, via, turn }));
  events.on('tool_end', ({ call }) => records.push(call));
  const gateway = new ToolGateway({
    backend,
    access: createToolAccess({ allow: ALLOW, catalogue }),
    catalogue,
    preview,
    timeoutMs: 10_000,
    recordResultChars: 4_000,
    journal,
    attempt: 2,
    events,
  });
  return { gateway, records, started };
}

const page = (title: string) => ({ spaceId, title, body: { storage: { value: `<p>${title}</p>` } } });
const batch = (...tools: Array<[string, Record<string, unknown>]>) => ({
  sync_response_to_workbench: false,
  tools: tools.map(([tool_slug, args]) => ({ tool_slug, arguments: args })),
});

describe('multi-execute through the gateway', () => {
  test('a mixed batch: only allowed, unanswered calls reach the router, in one batch; results keep request order', async () => {
    const { backend, batches } = watched();
    const journal = memoryJournal();
    const { gateway, records, started } = gatewayOf(backend, journal, false);
    const done = await gateway.call(MULTI_EXECUTE, batch(['CONFLUENCE_CREATE_PAGE', page('Journaled page')]), { step: 'work', turn: 1 });
    assert.equal(done.successful, true, JSON.stringify(done));
    assert.equal(journal.entries.length, 1);
    assert.equal(journal.entries[0]!.key, journalKey('CONFLUENCE_CREATE_PAGE', writeIdentity('CONFLUENCE_CREATE_PAGE', page('Journaled page'))));
    batches.length = 0;
    records.length = 0;

    const envelope = await gateway.call(
      MULTI_EXECUTE,
      batch(
        ['CONFLUENCE_GET_SPACES', { limit: 1 }],
        ['CONFLUENCE_DELETE_PAGE', { id: '1' }],
        ['CONFLUENCE_CREATE_PAGE', page('Journaled page')],
        ['confluence_create_blogpost', { spaceId, title: 'Batch post', status: 'current', body: { representation: 'storage', value: '<p>b</p>' } }],
        ['CONFLUENCE_GET_PAGE_BY_ID', { id: '999999999' }],
        ['CONFLUENCE_GET_CURRENT_USER', {}],
      ),
      { step: 'work', turn: 2 },
    );

    assert.deepEqual(batches, [
      { tool: MULTI_EXECUTE, slugs: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_CREATE_BLOGPOST', 'CONFLUENCE_GET_PAGE_BY_ID', 'CONFLUENCE_GET_CURRENT_USER'] },
    ]);
    const data = envelope.data as {
      results: Array<{ tool_slug: string; index: number; response: any; error: string | null }>;
      total_count: number;
      success_count: number;
      error_count: number;
    };
    assert.deepEqual(
      data.results.map((r) => [r.index, r.tool_slug]),
      [
        [0, 'CONFLUENCE_GET_SPACES'],
        [1, 'CONFLUENCE_DELETE_PAGE'],
        [2, 'CONFLUENCE_CREATE_PAGE'],
        [3, 'CONFLUENCE_CREATE_BLOGPOST'],
        [4, 'CONFLUENCE_GET_PAGE_BY_ID'],
        [5, 'CONFLUENCE_GET_CURRENT_USER'],
      ],
    );
    assert.deepEqual([data.total_count, data.success_count, data.error_count], [6, 4, 2]);
    assert.equal(envelope.error, '2 out of 6 tools failed');
    assert.equal(envelope.successful, false);

    const [spaces, refused, journaled, post, missing, me] = data.results;
    assert.equal(spaces!.response.data.results.length, 1);
    assert.equal(refused!.response, null);
    assert.equal(
      refused!.error,
      'Refused by the runner: CONFLUENCE_DELETE_PAGE is destructive and this workflow does not set tools.allow_destructive; ' +
        'allowed tools: CONFLUENCE_CREATE_BLOGPOST, CONFLUENCE_CREATE_PAGE, CONFLUENCE_GET_CURRENT_USER, CONFLUENCE_GET_PAGE_BY_ID, CONFLUENCE_GET_SPACES. ' +
        'The call was not executed.',
      'in meta-tool mode the allowlist still names the app tools the router runs',
    );
    assert.deepEqual(journaled!.response, journal.entries[0]!.result, "the journal's envelope");
    assert.equal(journaled!.error, null);
    assert.equal(post!.response.successful, true, JSON.stringify(post));
    assert.equal(post!.response.data.title, 'Batch post');
    assert.equal(missing!.response?.successful ?? false, false);
    assert.ok(missing!.error, 'the router says why the page could not be read');
    assert.ok(me!.response.data.accountId ?? me!.response.data.email, JSON.stringify(me!.response.data));

    assert.deepEqual(
      records.map((r) => [r.tool, r.status, r.effect, r.via, r.turn]),
      [
        ['CONFLUENCE_DELETE_PAGE', 'refused', 'destructive', MULTI_EXECUTE, 2],
        ['CONFLUENCE_CREATE_PAGE', 'journaled', 'write', MULTI_EXECUTE, 2],
        ['CONFLUENCE_GET_SPACES', 'ok', 'read', MULTI_EXECUTE, 2],
        ['CONFLUENCE_CREATE_BLOGPOST', 'ok', 'write', MULTI_EXECUTE, 2],
        ['CONFLUENCE_GET_PAGE_BY_ID', 'error', 'read', MULTI_EXECUTE, 2],
        ['CONFLUENCE_GET_CURRENT_USER', 'ok', 'read', MULTI_EXECUTE, 2],
      ],
    );
    assert.equal(records[1]!.note, 'already done in attempt 2');
    assert.equal(records[4]!.error, missing!.error);
    assert.deepEqual(records[3]!.result, post!.response.data);
    assert.deepEqual(
      journal.entries.map((e) => [e.tool, e.step, e.attempt]),
      [
        ['CONFLUENCE_CREATE_PAGE', 'work', 2],
        ['CONFLUENCE_CREATE_BLOGPOST', 'work', 2],
      ],
    );
    assert.deepEqual(journal.entries[1]!.result, { data: post!.response.data, error: null, successful: true });
    assert.deepEqual(
      started,
      [
        { tool: MULTI_EXECUTE, via: undefined, turn: 1 },
        { tool: MULTI_EXECUTE, via: undefined, turn: 2 },
      ],
      'one start per meta-tool call',
    );
    assert.equal(envelope.failure, undefined, 'a batch with failed inner calls is not itself a failure of a kind');
  });

  test('preview: writes are simulated or journaled, refusals answered, and only the read goes to the router', async () => {
    const { backend, batches } = watched();
    const journal = memoryJournal();
    journal.entries.push({
      key: journalKey('CONFLUENCE_CREATE_PAGE', writeIdentity('CONFLUENCE_CREATE_PAGE', page('Done before'))),
      tool: 'CONFLUENCE_CREATE_PAGE',
      args: page('Done before'),
      result: { data: { id: '777', title: 'Done before' }, error: null, successful: true },
      attempt: 1,
      step: 'work',
      at: '2025-01-01T00:00:00.000Z',
    });
    const { gateway, records } = gatewayOf(backend, journal, true);
    const direct = await gateway.call('CONFLUENCE_CREATE_PAGE', page('Direct'), { step: 'work' });
    const envelope = await gateway.call(
      MULTI_EXECUTE,
      batch(
        ['CONFLUENCE_CREATE_BLOGPOST', { spaceId, title: 'Preview post', status: 'current', body: { representation: 'storage', value: '<p/>' } }],
        ['CONFLUENCE_DELETE_PAGE', { id: '1' }],
        ['CONFLUENCE_CREATE_PAGE', page('Done before')],
        ['CONFLUENCE_GET_SPACES', { limit: 1 }],
      ),
      { step: 'work', turn: 1 },
    );

    // Besides the model's read, only the preview checks' reads (each simulated create's space) reach the backend.
    assert.deepEqual(batches, [
      { tool: 'CONFLUENCE_GET_SPACE_BY_ID', slugs: [] },
      { tool: 'CONFLUENCE_GET_SPACE_BY_ID', slugs: [] },
      { tool: MULTI_EXECUTE, slugs: ['CONFLUENCE_GET_SPACES'] },
    ]);
    const data = envelope.data as { results: Array<{ tool_slug: string; response: any; error: string | null }>; error_count: number };
    assert.deepEqual(
      data.results.map((r) => r.tool_slug),
      ['CONFLUENCE_CREATE_BLOGPOST', 'CONFLUENCE_DELETE_PAGE', 'CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_GET_SPACES'],
    );
    const [post, refused, journaled, spaces] = data.results;
    assert.equal(post!.response.simulated, true);
    assert.equal(post!.response.note, `${SIMULATED_NOTE} (CONFLUENCE_CREATE_BLOGPOST)`);
    assert.equal(post!.response.data.title, 'Preview post');
    assert.equal((direct.data as { id: string }).id, 'preview-1');
    assert.equal(post!.response.data.id, 'preview-2', 'simulated ids stay unique within the run');
    assert.match(refused!.error!, /CONFLUENCE_DELETE_PAGE is destructive/);
    assert.deepEqual(journaled!.response.data, { id: '777', title: 'Done before' });
    assert.equal(spaces!.response.successful, true);
    assert.equal(data.error_count, 1);
    assert.equal(envelope.error, '1 out of 4 tools failed');
    assert.deepEqual(
      records.map((r) => [r.tool, r.status, r.via ?? null]),
      [
        ['CONFLUENCE_CREATE_PAGE', 'simulated', null],
        ['CONFLUENCE_CREATE_BLOGPOST', 'simulated', MULTI_EXECUTE],
        ['CONFLUENCE_DELETE_PAGE', 'refused', MULTI_EXECUTE],
        ['CONFLUENCE_CREATE_PAGE', 'journaled', MULTI_EXECUTE],
        ['CONFLUENCE_GET_SPACES', 'ok', MULTI_EXECUTE],
      ],
    );
    assert.equal(journal.entries.length, 1, 'nothing new journaled in preview');
  });

  test('a batch answered entirely by the gateway never reaches the router (the preview check only reads)', async () => {
    const { backend, batches } = watched();
    const { gateway } = gatewayOf(backend, memoryJournal(), true);
    const envelope = await gateway.call(MULTI_EXECUTE, batch(['CONFLUENCE_DELETE_PAGE', { id: '1' }], ['CONFLUENCE_CREATE_PAGE', page('Only simulated')]), {
      step: 'work',
    });
    assert.deepEqual(batches, [{ tool: 'CONFLUENCE_GET_SPACE_BY_ID', slugs: [] }], 'only the preview check of the create reads the site');
    assert.equal(envelope.error, '1 out of 2 tools failed');
  });

  test('invalid inner arguments are refused one by one with the catalogue schema', async () => {
    const { backend, batches } = watched();
    const { gateway, records } = gatewayOf(backend, memoryJournal(), false);
    const envelope = await gateway.call(MULTI_EXECUTE, batch(['CONFLUENCE_GET_PAGE_BY_ID', { id: 5 }], ['CONFLUENCE_GET_SPACES', { limit: 1 }]), {
      step: 'work',
    });
    assert.deepEqual(
      batches.map((b) => b.slugs),
      [['CONFLUENCE_GET_SPACES']],
    );
    const data = envelope.data as { results: Array<{ error: string | null }> };
    assert.equal(
      data.results[0]!.error,
      'Refused by the runner: invalid arguments for CONFLUENCE_GET_PAGE_BY_ID: /id must be string. The call was not executed.',
    );
    assert.deepEqual(
      records.map((r) => r.status),
      ['refused', 'ok'],
    );
  });

  test('a multi-execute call whose own arguments break its schema is refused whole', async () => {
    const { backend, batches } = watched();
    const { gateway, records } = gatewayOf(backend, memoryJournal(), false);
    const envelope = await gateway.call(MULTI_EXECUTE, { tools: [] }, { step: 'work' });
    assert.equal(envelope.successful, false);
    assert.match(envelope.error!, /^Refused by the runner: invalid arguments for COMPOSIO_MULTI_EXECUTE_TOOL: .*sync_response_to_workbench/);
    assert.match(envelope.error!, /\/tools must NOT have fewer than 1 items/);
    assert.deepEqual(envelope.failure, { kind: 'validation', retryable: false });
    assert.deepEqual(batches, []);
    assert.deepEqual(
      records.map((r) => [r.tool, r.status]),
      [[MULTI_EXECUTE, 'refused']],
    );
  });
  test('the model is offered the meta-tools; an app tool called directly or a foreign meta-tool is refused', async () => {
    const { backend, batches } = watched();
    const { gateway, records } = gatewayOf(backend, memoryJournal(), false);
    const offered = gateway.access.offered().map((t) => t.name);
    assert.ok(offered.includes(MULTI_EXECUTE), offered.join());
    assert.ok(
      offered.every((name) => name.startsWith('COMPOSIO_')),
      offered.join(),
    );
    const allowed =
      'allowed tools: CONFLUENCE_CREATE_BLOGPOST, CONFLUENCE_CREATE_PAGE, CONFLUENCE_GET_CURRENT_USER, CONFLUENCE_GET_PAGE_BY_ID, CONFLUENCE_GET_SPACES';
    const direct = gateway.refuseUnavailable('CONFLUENCE_GET_SPACES', { limit: 1 }, { step: 'work', turn: 1 });
    assert.deepEqual(direct, {
      data: null,
      error: `Refused by the runner: CONFLUENCE_GET_SPACES is not offered by the ${router.name} backend; ${allowed}. The call was not executed.`,
      successful: false,
      failure: { kind: 'validation', retryable: false },
    });
    const workbench = await gateway.call('COMPOSIO_REMOTE_WORKBENCH', { code: 'print(1)' }, { step: 'work', turn: 1 });
    assert.equal(
      workbench.error,
      `Refused by the runner: COMPOSIO_REMOTE_WORKBENCH is a Tool Router tool the runner does not allow; ${allowed}. The call was not executed.`,
    );
    assert.deepEqual(workbench.failure, { kind: 'validation', retryable: false });
    assert.deepEqual(batches, []);
    assert.deepEqual(
      records.map((r) => [r.tool, r.status, r.via ?? null]),
      [
        ['CONFLUENCE_GET_SPACES', 'refused', null],
        ['COMPOSIO_REMOTE_WORKBENCH', 'refused', null],
      ],
    );
  });
});

test('body_format markdown: the Markdown body of an inner call is converted before the batch; the record keeps both', async () => {
  const sent: Array<Record<string, unknown>> = [];
  const backend: ToolBackend = {
    ...watched().backend,
    call(tool, args, options) {
      sent.push(args);
      return router.call(tool, args, options);
    },
  };
  const records: ToolCallRecord[] = [];
  const events = new RunEvents();
  events.on('tool_end', ({ call }) => records.push(call));
  const access = createToolAccess({ allow: ALLOW, catalogue });
  const gateway = new ToolGateway({ backend, access, catalogue, timeoutMs: 10_000, recordResultChars: 4_000, events, bodyFormat: 'markdown' });
  const markdown = '## Batch\n\n- [ ] from a batch';
  const done = await gateway.call(
    MULTI_EXECUTE,
    batch(['CONFLUENCE_CREATE_PAGE', { spaceId, title: 'Markdown in a batch', body: { storage: { value: markdown } } }]),
    {
      step: 'work',
      turn: 1,
    },
  );
  assert.equal(done.successful, true, JSON.stringify(done));
  const storage =
    '<h2>Batch</h2>\n<ac:task-list>\n<ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>from a batch</ac:task-body></ac:task>\n</ac:task-list>';
  assert.deepEqual((sent[0]!.tools as Array<{ arguments: { body: unknown } }>)[0]!.arguments.body, { storage: { value: storage } });
  const inner = records.find((r) => r.tool === 'CONFLUENCE_CREATE_PAGE')!;
  assert.equal(inner.markdown, markdown);
  assert.deepEqual((inner.args as { body: unknown }).body, { storage: { value: storage } });
});
