/**
 * Approvals in the engine, with real parts: the sandbox, the scripted model through the real Agents SDK, SQLite.
 * A held write is not executed; the run waits (nothing open); a decision resumes it from the saved SDK state;
 * an approved call runs exactly once, a rejected one is reported to the model as refused by a person; a tool step
 * waits before its call; an expired wait fails the run with kind `approval`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { EXPIRED_BY, RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunStore } from '../../../src/runs/types.ts';
import { type SandboxWithMcp, startSandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import type { ModelRequestView, ScriptedTurn } from '../../../src/testing/scripted-model-server.ts';
import { startScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';
import { type SiteClient, siteClient } from '../e2e/helpers.ts';

let dir: string;
let site: SandboxWithMcp;
let rest: SiteClient;
let store: RunStore;
let teamId: string;
let n = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'approval-'));
  site = await startSandboxWithMcp({ dbPath: join(dir, 'site.db'), port: 0, seed: true });
  rest = siteClient(site);
  store = openSqliteRunStore(join(dir, 'runs.db'));
  teamId = await rest.spaceId('TEAM');
});
after(async () => {
  await store?.close();
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

function workflowOf(yaml: string): Workflow {
  const loaded = loadWorkflowText('approval.yaml', yaml, { tools: confluenceCatalogue() });
  assert.deepEqual(loaded.diagnostics, []);
  return loaded.workflow!;
}

/** The model posts one blog post, then reports what the tool answered (so the test can see what it was told). */
function poster(title: string): (request: ModelRequestView) => ScriptedTurn {
  return (request) => {
    if (request.turn === 0) {
      const args = {
        spaceId: teamId,
        title,
        status: 'current',
        body: { representation: 'storage', value: '<h1>Week 48</h1><p>We shipped <b>v2</b>.</p><ul><li>Ana: docs</li></ul>' },
      };
      return { toolCalls: [{ name: 'CONFLUENCE_CREATE_BLOGPOST', arguments: args }] };
    }
    return { text: `tool said: ${request.toolResults.at(-1)?.output ?? 'nothing'}` };
  };
}

async function world(t: TestContext, title: string) {
  const model = await startScriptedModelServer({ script: poster(title) });
  t.after(() => model.close());
  const config = loadConfig({ env: { RUNNER_SANDBOX_URL: site.url, OPENAI_BASE_URL: model.url, RUNNER_MODEL_RETRIES: '0' }, cwd: dir });
  const workflow = workflowOf(`version: 1
name: post-with-approval
inputs:
  audience: { type: string, default: everyone }
tools:
  allow: [CONFLUENCE_CREATE_BLOGPOST]
approval:
  required_for: writes
  timeout: 2h
  approvers_note: This goes to {{ inputs.audience }}.
prompt: Publish the weekly post.
`);
  return { model, config, workflow, lifecycle: new RunLifecycle(store, { secrets: config.secrets }) };
}

const posts = async (title: string) => (await rest.blogposts('TEAM')).filter((p) => p.title === title);

describe('a held write', () => {
  test('waits without writing, and once approved runs exactly once from where it stopped', async (t) => {
    const title = `Held post ${++n}`;
    const w = await world(t, title);
    const waiting = await runWorkflow(w.workflow, {}, { config: w.config, store });
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    assert.deepEqual(await posts(title), [], 'nothing written while it waits');
    const wait = waiting.approvals!.at(-1)!;
    assert.equal(wait.note, 'This goes to everyone.');
    assert.equal(wait.calls.length, 1);
    const [call] = wait.calls;
    assert.deepEqual([call!.n, call!.tool, call!.effect, call!.step], [1, 'CONFLUENCE_CREATE_BLOGPOST', 'write', 'main']);
    assert.equal(call!.preview, '# Week 48\nWe shipped v2.\n\n- Ana: docs');
    assert.equal(Date.parse(wait.expiresAt) - Date.parse(wait.since), 2 * 3600_000);
    assert.ok(wait.resume.state, 'the SDK state is saved');
    assert.equal(waiting.attempts.at(-1)!.status, 'waiting');
    assert.equal(waiting.attempts.at(-1)!.steps[0]!.status, 'waiting');

    await assert.rejects(
      runWorkflow(w.workflow, { runId: waiting.id }, { config: w.config, store }),
      /cannot go from waiting to running/,
      'only a resume continues it',
    );
    await assert.rejects(runWorkflow(w.workflow, { runId: waiting.id, resume: true }, { config: w.config, store }), /still waits for decisions/);

    const decided = await w.lifecycle.decide(waiting.id, 'all', { approved: true, by: 'ana' });
    assert.equal(decided.undecided, 0);
    const done = await runWorkflow(w.workflow, { runId: waiting.id, resume: true }, { config: w.config, store });
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal((await posts(title)).length, 1, 'exactly one post');
    assert.equal(done.attempts.length, 1, 'the same attempt went on');
    assert.match(String(done.outputs.main), /^tool said: \{"data":\{.*"title":"Held post/);
    const calls = done.attempts[0]!.steps[0]!.toolCalls;
    assert.deepEqual(
      calls.map((c) => [c.tool, c.status]),
      [['CONFLUENCE_CREATE_BLOGPOST', 'ok']],
    );
    const closed = done.approvals!.at(-1)!;
    assert.equal(closed.calls[0]!.decision?.by, 'ana');
    assert.ok(closed.closedAt);
    assert.equal(closed.resume.state, undefined, 'the saved state is dropped once used');
    assert.equal(w.model.requests.length, 2, 'one request before the wait, one after');
  });

  test("the resumer died after taking the run: the queue's retry starts over, the approved call is not held again, one post", async (t) => {
    const title = `Resumer died ${++n}`;
    const w = await world(t, title);
    const waiting = await runWorkflow(w.workflow, {}, { config: w.config, store });
    await w.lifecycle.decide(waiting.id, 'all', { approved: true, by: 'ana' });
    // A worker takes the resume (the saved SDK state goes with it) and dies before it calls anything.
    await w.lifecycle.begin(w.workflow, { ...waiting, id: waiting.id }, { resume: true, worker: 'dead-host:1' });
    await assert.rejects(runWorkflow(w.workflow, { runId: waiting.id, resume: true }, { config: w.config, store }), /already resumed by dead-host:1/);
    // The job comes back to a worker that holds its lock: a new attempt, from the start.
    const done = await runWorkflow(w.workflow, { runId: waiting.id, resume: true }, { config: w.config, store, exclusive: true });
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(
      done.attempts.map((a) => [a.status, a.error?.kind]),
      [
        ['failed', 'infrastructure'],
        ['succeeded', undefined],
      ],
    );
    assert.equal(done.approvals!.length, 1, 'nobody was asked twice');
    assert.equal((await posts(title)).length, 1, 'exactly one post');
  });

  test('rejected with a reason: the model is told a person refused, finishes without writing, and the record says who', async (t) => {
    const title = `Rejected post ${++n}`;
    const w = await world(t, title);
    const waiting = await runWorkflow(w.workflow, {}, { config: w.config, store });
    await w.lifecycle.decide(waiting.id, [1], { approved: false, by: 'bo', reason: 'not before the release' });
    const done = await runWorkflow(w.workflow, { runId: waiting.id, resume: true }, { config: w.config, store });
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(await posts(title), []);
    assert.match(String(done.outputs.main), /Refused by a person \(bo refused it: not before the release\)/);
    assert.deepEqual(done.approvals!.at(-1)!.calls[0]!.decision?.reason, 'not before the release');
  });

  test('a wait nobody decides on expires: the calls are rejected and the run fails with kind approval, once', async (t) => {
    const title = `Expired post ${++n}`;
    const w = await world(t, title);
    const waiting = await runWorkflow(w.workflow, {}, { config: w.config, store });
    assert.equal(await w.lifecycle.expire(waiting.id), undefined, 'not due yet');
    const later = new RunLifecycle(store, { secrets: w.config.secrets, now: () => new Date(Date.parse(waiting.approvals!.at(-1)!.expiresAt) + 1) });
    await assert.rejects(later.decide(waiting.id, 'all', { approved: true, by: 'late' }), /waited past .* \(approval\.timeout\)/);
    const ended = (await later.expireDue()).find((r) => r.id === waiting.id);
    assert.equal(ended?.status, 'failed');
    assert.equal(ended?.error?.kind, 'approval');
    assert.equal(ended?.approvals?.at(-1)?.calls[0]?.decision?.by, EXPIRED_BY);
    assert.equal(ended?.attempts.at(-1)?.status, 'failed');
    assert.equal(
      (await later.expireDue()).find((r) => r.id === waiting.id),
      undefined,
      'expired once',
    );
    assert.deepEqual(await posts(title), []);
  });
});

describe('a held tool step', () => {
  const workflow = (title: string) =>
    workflowOf(`version: 1
name: tool-step-approval
tools:
  allow: [CONFLUENCE_GET_SPACES, CONFLUENCE_CREATE_BLOGPOST]
approval:
  required_for: [CONFLUENCE_CREATE_BLOGPOST]
steps:
  - id: look
    tool: CONFLUENCE_GET_SPACES
  - id: post
    tool: CONFLUENCE_CREATE_BLOGPOST
    with:
      spaceId: "${teamId}"
      title: "${title}"
      status: current
      body: { representation: storage, value: "<p>from a tool step</p>" }
`);
  const config = () => loadConfig({ env: { RUNNER_SANDBOX_URL: site.url }, cwd: dir });

  test('waits before its call; approved, the earlier step is not run again and the post is made once', async () => {
    const title = `Tool step post ${++n}`;
    const wf = workflow(title);
    const lifecycle = new RunLifecycle(store, { secrets: config().secrets });
    const waiting = await runWorkflow(wf, {}, { config: config(), store });
    assert.equal(waiting.status, 'waiting');
    assert.equal(waiting.approvals!.at(-1)!.resume.index, 1);
    assert.equal(waiting.approvals!.at(-1)!.calls[0]!.preview, 'from a tool step');
    await lifecycle.decide(waiting.id, 'all', { approved: true, by: 'cy' });
    const done = await runWorkflow(wf, { runId: waiting.id, resume: true }, { config: config(), store });
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(
      done.attempts[0]!.steps.map((s) => [s.id, s.status, s.toolCalls.length]),
      [
        ['look', 'succeeded', 1],
        ['post', 'succeeded', 1],
      ],
    );
    assert.equal((await posts(title)).length, 1);
  });

  test('rejected: the step fails with kind approval and nothing is written', async () => {
    const title = `Rejected tool step ${++n}`;
    const wf = workflow(title);
    const lifecycle = new RunLifecycle(store, { secrets: config().secrets });
    const waiting = await runWorkflow(wf, {}, { config: config(), store });
    await lifecycle.decide(waiting.id, 'all', { approved: false, by: 'dee', reason: 'wrong space' });
    const done = await runWorkflow(wf, { runId: waiting.id, resume: true }, { config: config(), store });
    assert.equal(done.status, 'failed');
    assert.deepEqual([done.error?.kind, done.error?.step, done.error?.message], ['approval', 'post', 'dee rejected CONFLUENCE_CREATE_BLOGPOST: wrong space']);
    assert.deepEqual(await posts(title), []);
  });
});
