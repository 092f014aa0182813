/**
 * e2e: runs that fail for the model's reasons (a final answer off its schema, an outage, a rate limit) or hit
 * their limits, each on the child's own in-process sandbox. Exit codes, records and model traffic are checked.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { endlessSearchScript, summaryWithoutPagesScript, weeklySummaryScript } from '../../fixtures/model-scripts.ts';
import { AT, WORKFLOWS, fixture, runIdOf, startModel, stepsOf, workspace } from './helpers.ts';

const ws = workspace('failures');
after(() => ws.remove());

test('a final answer that breaks output.schema fails the run as a model failure; later steps do not run', async (t) => {
  const model = await startModel(t, summaryWithoutPagesScript);
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: model.url });
  assert.equal(res.code, 1, res.stderr);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.kind, 'model');
  assert.equal(run.error?.step, 'gather');
  assert.match(run.error!.message, /does not match output\.schema: .*required property 'pages'/);
  assert.deepEqual(
    stepsOf(run).map((s) => [s.id, s.status]),
    [['gather', 'failed']],
  );
  assert.deepEqual(stepsOf(run)[0]!.error, run.error);
  assert.ok(
    model.requests.every((r) => r.userText.includes('Find the meeting-notes pages')),
    'publish asked the model',
  );
  assert.match(res.stdout, /✗ failed .*: model in step gather/);
});

test('a model outage fails the run after RUNNER_MODEL_RETRIES retries', { timeout: 60_000 }, async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  model.setOutage({ status: 503, retryAfterSeconds: 0, message: 'The server is overloaded.' });
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: model.url, RUNNER_MODEL_RETRIES: '2' });
  assert.equal(res.code, 1, res.stderr);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.kind, 'model');
  assert.equal(run.error?.step, 'gather');
  assert.equal(run.error?.retryable, true);
  assert.match(run.error!.message, /503/);
  const [gather, ...rest] = stepsOf(run);
  assert.deepEqual(rest, []);
  assert.equal(gather!.status, 'failed');
  assert.equal(gather!.modelRetries, 2);
  assert.deepEqual(
    model.requests.map((r) => r.status),
    [503, 503, 503],
  );
  assert.match(res.stderr, /model request failed \(HTTP 503\); retry 1/);
});

test('a 429 with Retry-After 0 is retried once and the run succeeds', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  model.failNext(1, { status: 429, retryAfterSeconds: 0, message: 'Rate limit reached.' });
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: model.url, RUNNER_MODEL_RETRIES: '2' });
  assert.equal(res.code, 0, res.stderr);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'succeeded');
  const [gather, publish] = stepsOf(run);
  assert.equal(gather!.modelRetries, 1);
  assert.equal(publish!.modelRetries, undefined);
  assert.equal(model.requests[0]!.status, 429);
  assert.deepEqual(
    model.requests.slice(1).map((r) => r.status),
    new Array(model.requests.length - 1).fill(200),
  );
  // The retried request is the same request again.
  assert.deepEqual(model.requests[1]!.body, model.requests[0]!.body);
});

test('a model that never stops calling tools runs into limits.max_turns', async (t) => {
  const model = await startModel(t, endlessSearchScript);
  const res = await ws.cli(['run', fixture('endless-search.yaml')], { OPENAI_BASE_URL: model.url });
  assert.equal(res.code, 1, res.stderr);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.kind, 'limit');
  assert.match(run.error!.message, /limits\.max_turns/);
  assert.equal(model.requests.length, 3);
  const [step] = stepsOf(run);
  assert.equal(step!.status, 'failed');
  assert.equal(step!.toolCalls.length, 3);
  assert.ok(step!.toolCalls.every((c) => c.tool === 'CONFLUENCE_SEARCH_CONTENT' && c.status === 'ok'));
});

test('a run over limits.max_tokens is stopped as a limit failure', async (t) => {
  const model = await startModel(t, endlessSearchScript);
  const res = await ws.cli(['run', fixture('token-budget.yaml')], { OPENAI_BASE_URL: model.url });
  assert.equal(res.code, 1, res.stderr);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.kind, 'limit');
  assert.match(run.error!.message, /^the run used \d+ tokens, more than limits\.max_tokens \(200\)$/);
  assert.equal(model.requests.length, 1, 'the run went on after its budget was spent');
  assert.ok(run.usage.inputTokens + run.usage.outputTokens > 200);
});
