/**
 * e2e (in-process engine): a run whose first attempt made a write and then failed gets a second attempt with
 * the same run id. The write is answered from the journal, not made again, and the model is told about it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { createConfluenceToolkit } from '../../../src/confluence/toolkit.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunStore } from '../../../src/runs/types.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflow } from '../../../src/workflow/load.ts';
import { approvedPageScript } from '../../fixtures/model-scripts.ts';
import { fixture, siteClient, startModel, startSite, workspace } from './helpers.ts';

const ws = workspace('journal');
let site: SandboxWithMcp;
let store: RunStore;

before(async () => {
  site = await startSite(ws.dir);
  store = openSqliteRunStore(ws.dbPath);
});
after(async () => {
  await store?.close();
  await site?.close();
  ws.remove();
});

test('a second attempt of the same run reuses the journaled write instead of repeating it', async (t) => {
  const model = await startModel(t, approvedPageScript);
  const config = loadConfig({
    env: { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url, RUNNER_DB: ws.dbPath, RUNNER_MODEL_RETRIES: '0' },
    cwd: ws.dir,
  });
  const workflow = await loadWorkflow(fixture('approved-page.yaml'), { tools: confluenceCatalogue() });
  const rest = siteClient(site);
  assert.deepEqual(await rest.pagesTitled('MKT', 'Go-live checklist'), []);

  const first = await runWorkflow(workflow, {}, { config, store });
  assert.equal(first.status, 'failed');
  assert.equal(first.error?.kind, 'assertion');
  assert.equal(first.error?.step, 'approved');
  assert.match(first.error!.message, /^assertion failed: .*approved/);
  const pages = await rest.pagesTitled('MKT', 'Go-live checklist');
  assert.equal(pages.length, 1);
  const pageId = pages[0]!.id;
  assert.deepEqual(first.outputs.create, { id: pageId });

  // A reviewer approves the page; the run is tried again.
  const reviewer = createConfluenceToolkit({ baseUrl: site.url, email: site.email, apiToken: site.apiToken });
  const labelled = await reviewer.execute('CONFLUENCE_ADD_CONTENT_LABEL', { id: pageId, labels: [{ prefix: 'global', name: 'approved' }] });
  assert.equal(labelled.successful, true, labelled.error ?? '');
  const requestsBefore = model.requests.length;

  const second = await runWorkflow(workflow, { runId: first.id }, { config, store });
  assert.equal(second.id, first.id);
  assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
  assert.deepEqual(
    second.attempts.map((a) => [a.number, a.status]),
    [
      [1, 'failed'],
      [2, 'succeeded'],
    ],
  );
  assert.deepEqual(second.outputs.create, { id: pageId });

  // Only one such page exists: the second create was answered from the journal.
  assert.deepEqual(
    (await rest.pagesTitled('MKT', 'Go-live checklist')).map((p) => p.id),
    [pageId],
  );
  const calls = (n: number) => second.attempts[n]!.steps[0]!.toolCalls.map((c) => [c.tool, c.status]);
  assert.deepEqual(calls(0), [
    ['CONFLUENCE_GET_SPACES', 'ok'],
    ['CONFLUENCE_CREATE_PAGE', 'ok'],
  ]);
  assert.deepEqual(calls(1), [
    ['CONFLUENCE_GET_SPACES', 'ok'],
    ['CONFLUENCE_CREATE_PAGE', 'journaled'],
  ]);
  const journaled = second.attempts[1]!.steps[0]!.toolCalls[1]!;
  assert.equal(journaled.note, 'already done in attempt 1');
  assert.deepEqual(journaled.args, second.attempts[0]!.steps[0]!.toolCalls[1]!.args);
  assert.equal((await store.journal(first.id)).length, 1);

  // The second attempt's instructions tell the model what the first one already did, and the model got them.
  const instructions = second.attempts[1]!.steps[0]!.instructions!;
  assert.match(instructions, /This is attempt 2 of this run\. Earlier attempts already made these changes/);
  assert.match(instructions, new RegExp(`- CONFLUENCE_CREATE_PAGE .*"title":"Go-live checklist".* -> .*"id":"${pageId}"`));
  assert.doesNotMatch(second.attempts[0]!.steps[0]!.instructions!, /Earlier attempts/);
  const secondAttemptRequests = model.requests.slice(requestsBefore);
  assert.ok(secondAttemptRequests.length > 0 && secondAttemptRequests.every((r) => r.instructions === instructions));
});
