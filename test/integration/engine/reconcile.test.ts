/**
 * No duplicate writes when the outcome is uncertain: the engine against a real sandbox whose blog-post route is
 * held in the states that made the runner post twice before (3 of 3 trials each): cancelled after the site
 * committed but before it answered (what a killed worker leaves behind), a journal write that failed after the site
 * answered, and a client timeout followed by a late commit. Each case counts the posts by title on the site.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, RunStore } from '../../../src/runs/types.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { startSandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';
import { writeHook } from '../../fixtures/write-hooks.ts';
import { type SiteClient, siteClient } from '../e2e/helpers.ts';

const hook = writeHook('POST', /^\/wiki\/api\/v2\/blogposts$/);
let dir: string;
let site: SandboxWithMcp;
let rest: SiteClient;
let store: RunStore;
let teamId: string;
let counter = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
  site = await startSandboxWithMcp({ dbPath: join(dir, 'site.db'), port: 0, seed: true, handlers: [hook.handler] });
  rest = siteClient(site);
  store = openSqliteRunStore(join(dir, 'runs.db'));
  teamId = await rest.spaceId('TEAM');
});
after(async () => {
  await store?.close();
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (env: Record<string, string> = {}) =>
  loadConfig({ env: { RUNNER_SANDBOX_URL: site.url, RUNNER_WRITE_SETTLE: '400ms', RUNNER_TOOL_TIMEOUT: '5s', ...env }, cwd: dir });

/** A workflow that posts one blog post with a title no other test uses. */
function postOnce(): { workflow: Workflow; title: string } {
  const title = `Posted once ${++counter} ${Date.now()}`;
  const yaml = `version: 1
name: post-once
tools:
  allow: [CONFLUENCE_CREATE_BLOGPOST]
steps:
  - id: post
    tool: CONFLUENCE_CREATE_BLOGPOST
    with:
      spaceId: "${teamId}"
      title: "${title}"
      status: current
      body: { representation: storage, value: "<p>once</p>" }
`;
  const loaded = loadWorkflowText('post-once.yaml', yaml, { tools: confluenceCatalogue() });
  assert.deepEqual(loaded.diagnostics, []);
  return { workflow: loaded.workflow!, title };
}

const postsTitled = async (title: string) => (await rest.blogposts('TEAM')).filter((p) => p.title === title);
const postCall = (run: RunRecord, attempt: number) => run.attempts[attempt - 1]!.steps[0]!.toolCalls[0]!;

describe('a write whose outcome was uncertain is reconciled, never repeated blindly', () => {
  test('cancelled after the site committed, before it answered (as a killed worker): the next attempt finds the post', async () => {
    const { workflow, title } = postOnce();
    hook.mode = { kind: 'hold-answer', ms: 3_000 };
    const controller = new AbortController();
    const committed = hook.nextCommit().then(() => controller.abort());
    const first = await runWorkflow(workflow, { runId: `cancelled-${counter}`, signal: controller.signal }, { config: config(), store });
    await committed;
    assert.equal(first.status, 'cancelled');
    assert.equal((await postsTitled(title)).length, 1, 'the post landed');
    assert.deepEqual(
      (await store.journal(first.id)).map((e) => e.state),
      ['pending'],
      'the intent stays: nobody knows the outcome yet',
    );

    hook.mode = { kind: 'pass' };
    const second = await runWorkflow(workflow, { runId: first.id }, { config: config(), store });
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.equal((await postsTitled(title)).length, 1, 'no second post');
    assert.equal(postCall(second, 2).status, 'journaled');
    assert.match(second.notes.join('\n'), /write of attempt 1 settled as landed: CONFLUENCE_CREATE_BLOGPOST: found blogpost \d+/);
    assert.deepEqual(
      (await store.journal(first.id)).map((e) => e.state),
      ['done'],
    );
  });

  test('the journal write after the answer failed (a crash at that moment): the next attempt finds the post', async () => {
    const { workflow, title } = postOnce();
    hook.mode = { kind: 'pass' };
    // A store that loses every journal write after the intent: the process "died" right after the site answered.
    const crashing: RunStore = {
      ...bind(store),
      addJournal: async (runId, entry) => {
        if (entry.state !== 'pending') throw new Error('the worker died while journaling the outcome');
        await store.addJournal(runId, entry);
      },
    };
    const first = await runWorkflow(workflow, { runId: `journal-crash-${counter}` }, { config: config(), store: crashing });
    assert.equal(first.status, 'failed');
    assert.equal((await postsTitled(title)).length, 1);

    const second = await runWorkflow(workflow, { runId: first.id }, { config: config(), store });
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.equal((await postsTitled(title)).length, 1, 'no second post');
    assert.equal(postCall(second, 2).status, 'journaled');
  });

  test('a client timeout followed by a late commit: the same call waits, finds the post, and answers with it', async () => {
    const { workflow, title } = postOnce();
    hook.mode = { kind: 'late-commit', ms: 700 };
    const run = await runWorkflow(workflow, {}, { config: config({ RUNNER_TOOL_TIMEOUT: '200ms', RUNNER_WRITE_SETTLE: '1500ms' }), store });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal((await postsTitled(title)).length, 1);
    const call = postCall(run, 1);
    assert.equal(call.status, 'ok');
    assert.match(call.note ?? '', /failed on the way back, but it landed: found blogpost \d+/);
    assert.equal((run.outputs.post as { data: { title: string } }).data.title, title, 'the step output is the post that landed');
  });

  test('a timeout where nothing landed: the step fails saying so, without a repeat; a retry then posts once', async () => {
    const { workflow, title } = postOnce();
    hook.mode = { kind: 'drop', ms: 600 };
    const first = await runWorkflow(workflow, {}, { config: config({ RUNNER_TOOL_TIMEOUT: '200ms' }), store });
    assert.equal(first.status, 'failed');
    assert.match(first.error!.message, /timed out after 200ms; checked: it did not land .*it was not repeated/);
    assert.equal(hook.seen > 0, true);
    assert.equal((await postsTitled(title)).length, 0);
    assert.deepEqual(
      (await store.journal(first.id)).map((e) => e.state),
      ['failed'],
    );

    hook.mode = { kind: 'pass' };
    const second = await runWorkflow(workflow, { runId: first.id }, { config: config(), store });
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.equal(postCall(second, 2).status, 'ok', 'proven absent, so it is made');
    assert.equal((await postsTitled(title)).length, 1);
  });
});

/** The store's methods bound to it, to build a variant with one method replaced. */
function bind(s: RunStore): RunStore {
  return {
    save: (r) => s.save(r),
    get: (id) => s.get(id),
    list: (f) => s.list(f),
    update: (id, change) => s.update(id, change),
    journal: (id) => s.journal(id),
    addJournal: (id, e) => s.addJournal(id, e),
    close: async () => {},
  };
}
