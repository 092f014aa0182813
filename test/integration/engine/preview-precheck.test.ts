/**
 * --preview checks what it can without writing: writes the site would refuse (a taken title, a missing space or
 * parent, a stale version, a label on missing content) fail in the record with the site's error, and nothing is
 * written; a write that would pass is simulated as before. Real parts: the embedded sandbox over MCP, the SQLite
 * run store, the scripted model server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PRECHECK_NOTE } from '../../../src/agent/gateway/precheck.ts';
import { createConfluenceToolkit } from '../../../src/confluence/toolkit.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { startSandbox } from '../../../src/sandbox/server.ts';
import { startScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';

const body = { storage: { value: '<p>x</p>' } };
/** Seeded ids: the TEAM space and its home page (version 1). */
const TEAM = '98307';
const HOME = { id: '98308', title: 'Platform Team Home' };

const cases = [
  {
    args: { spaceId: TEAM, title: HOME.title, body },
    tool: 'CONFLUENCE_CREATE_PAGE',
    status: 400,
    error: `a page titled '${HOME.title}' already exists in this space; choose another title or update the existing page`,
  },
  {
    args: { spaceId: TEAM, title: 'Orphan', parentId: '999999', body },
    tool: 'CONFLUENCE_CREATE_PAGE',
    status: 400,
    error: 'invalid request: The parent 999999 does not exist',
  },
  {
    args: { spaceId: '999999', title: 'Nowhere', body },
    tool: 'CONFLUENCE_CREATE_PAGE',
    status: 404,
    error: 'not found: space 999999 does not exist or you lack permission',
  },
  {
    args: { id: HOME.id, spaceId: TEAM, title: HOME.title, body, version: { number: 1 } },
    tool: 'CONFLUENCE_UPDATE_PAGE',
    status: 409,
    error: 'version conflict: current version is 1, send 2',
  },
  {
    args: { id: '999999', labels: [{ prefix: 'global', name: 'x' }] },
    tool: 'CONFLUENCE_ADD_CONTENT_LABEL',
    status: 404,
    error: 'not found: content 999999 does not exist or you lack permission',
  },
];

test('preview fails the writes the site would refuse, with its error, and writes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'preview-precheck-'));
  const model = await startScriptedModelServer({
    script: [
      {
        toolCalls: [
          ...cases.map((c) => ({ name: c.tool, arguments: c.args })),
          { name: 'CONFLUENCE_CREATE_PAGE', arguments: { spaceId: TEAM, title: 'A fine new page', body } },
        ],
      },
      { text: 'done' },
    ],
  });
  const store = openSqliteRunStore(join(dir, 'runs.db'));
  t.after(async () => {
    await store.close();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = loadConfig({ cwd: dir, env: { RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'), RUNNER_MODEL_RETRIES: '0', OPENAI_BASE_URL: model.url } });
  const { workflow, diagnostics } = loadWorkflowText(
    'test.yaml',
    `
version: 1
name: preview-checks
tools:
  allow: [CONFLUENCE_CREATE_PAGE, CONFLUENCE_UPDATE_PAGE, CONFLUENCE_ADD_CONTENT_LABEL]
prompt: Make the changes.
`,
    { tools: confluenceCatalogue() },
  );
  assert.deepEqual(diagnostics, []);
  const record = await runWorkflow(workflow!, { preview: true }, { config, store });
  assert.equal(record.mode, 'preview');
  const calls = record.attempts.flatMap((a) => a.steps.flatMap((s) => s.toolCalls));
  assert.equal(calls.length, cases.length + 1);
  for (const c of cases) {
    const call = calls.find((r) => r.tool === c.tool && JSON.stringify(r.args) === JSON.stringify(c.args));
    assert.ok(call, `${c.tool} ${JSON.stringify(c.args)} recorded`);
    assert.deepEqual(
      { status: call.status, error: call.error, failure: call.failure, note: call.note },
      { status: 'error', error: c.error, failure: { kind: 'tool', retryable: false, status: c.status }, note: PRECHECK_NOTE },
    );
  }
  assert.equal(calls.at(-1)!.status, 'simulated', 'a write the site would take is simulated');
  // The model heard the same errors.
  const heard = model.requests.at(-1)!.toolResults.map((r) => String(r.output));
  for (const c of cases)
    assert.ok(
      heard.some((o) => o.includes(c.error)),
      `the model was told: ${c.error}`,
    );

  const sandbox = await startSandbox({ dbPath: join(dir, 'sandbox.db'), port: 0 });
  t.after(() => sandbox.close());
  const toolkit = createConfluenceToolkit({ baseUrl: sandbox.url, email: sandbox.email, apiToken: sandbox.apiToken, sleep: async () => {} });
  const home = await toolkit.execute('CONFLUENCE_GET_PAGE_BY_ID', { id: HOME.id });
  assert.equal((home.data as { version: { number: number } }).version.number, 1, 'the page was not updated');
  for (const title of ['Orphan', 'Nowhere', 'A fine new page']) {
    const found = await toolkit.execute('CONFLUENCE_SEARCH_CONTENT', { query: `title = "${title}"` });
    assert.deepEqual((found.data as { response_data: { results: unknown[] } }).response_data.results, [], `no page "${title}"`);
  }
});
