/**
 * The metrics module fed by real runs: runWorkflow on the embedded sandbox with the scripted model server speaking
 * to the real Agents SDK, the lifecycle's run ends (with and without an attempt) and real webhook deliveries. Every
 * number is checked against what the run record says.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test, type TestContext } from 'node:test';
import type { Registry } from 'prom-client';
import { loadConfig } from '../../../src/config/config.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { deliverOnce } from '../../../src/notify/deliver.ts';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { observeAttempt } from '../../../src/runs/observer.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { createRedactor } from '../../../src/shared/redact.ts';
import { createRunMetrics } from '../../../src/telemetry/metrics.ts';
import { createStateMetrics } from '../../../src/telemetry/metrics-state.ts';
import { startScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflow } from '../../../src/workflow/load.ts';
import { weeklySummaryScript } from '../../fixtures/model-scripts.ts';

const WEEKLY = fileURLToPath(new URL('../../../workflows/weekly-summary.yaml', import.meta.url));
const catalogue = confluenceCatalogue();

let root: string;
let counter = 0;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'metrics-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The value of one series (0 when it does not exist). */
async function seriesValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  const { values } = await metric.get();
  const found = values.find(
    (v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want) && (v as { metricName?: string }).metricName !== `${name}_bucket`,
  );
  return found?.value ?? 0;
}

/** Every series of a metric, as `labels → value`. */
async function seriesOf(registry: Registry, name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  return (await registry.getSingleMetric(name)!.get()).values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

/** A folder, a run store and a config for one test; closed after it. */
function world(t: TestContext, env: Record<string, string> = {}) {
  const dir = join(root, `t${++counter}`);
  const store = openSqliteRunStore(join(dir, 'runs.db'));
  const config = loadConfig({ env: { RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'), ...env }, cwd: dir });
  t.after(() => store.close());
  return { dir, store, config };
}

test('a real run feeds runs, duration, tokens, requests, tool calls and a 429 retry, each equal to the record', { timeout: 60_000 }, async (t) => {
  const model = await startScriptedModelServer({ script: weeklySummaryScript });
  t.after(() => model.close());
  const { store, config } = world(t, { OPENAI_BASE_URL: model.url, RUNNER_MODEL_RETRIES: '2' });
  const metrics = createRunMetrics({ processMetrics: false });
  t.after(() => metrics.close());
  const workflow = await loadWorkflow(WEEKLY, { tools: catalogue });
  // The first model request is rate limited once, then answered.
  model.failNext(1, { status: 429, retryAfterSeconds: 0, message: 'Rate limit reached.' });

  const record = await observeAttempt(metrics.observe, { source: 'cli' }, (onEvent) =>
    runWorkflow(workflow, { scheduledAt: new Date('2026-11-27T15:00:00Z') }, { config, store, onEvent }),
  );
  assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
  const { registry } = metrics;

  assert.deepEqual(await seriesOf(registry, 'runner_runs_total'), [{ labels: { workflow: 'weekly-summary', status: 'succeeded' }, value: 1 }]);
  const durations = (await seriesOf(registry, 'runner_run_duration_seconds')).filter((s) => s.labels.le === '+Inf');
  assert.deepEqual(durations, [{ labels: { workflow: 'weekly-summary', status: 'succeeded', le: '+Inf' }, value: 1 }]);

  const labels = { workflow: 'weekly-summary', model: record.model };
  assert.ok(record.usage.inputTokens > 0 && record.usage.outputTokens > 0, 'the scripted model reports usage');
  assert.equal(await seriesValue(registry, 'runner_model_tokens_total', { ...labels, type: 'input' }), record.usage.inputTokens);
  assert.equal(await seriesValue(registry, 'runner_model_tokens_total', { ...labels, type: 'output' }), record.usage.outputTokens);
  assert.equal(await seriesValue(registry, 'runner_model_requests_total', labels), record.usage.requests);

  const steps = record.attempts.flatMap((a) => a.steps);
  const retried = steps.reduce((n, s) => n + (s.modelRetries ?? 0), 0);
  assert.equal(retried, 1, 'the record counts the retry');
  assert.deepEqual(await seriesOf(registry, 'runner_model_retries_total'), [{ labels: { ...labels, status: '429' }, value: 1 }]);

  const calls = steps.flatMap((s) => s.toolCalls);
  assert.ok(calls.length >= 3, 'the run called tools');
  const expected = new Map<string, number>();
  for (const call of calls) expected.set(`${call.tool} ${call.status}`, (expected.get(`${call.tool} ${call.status}`) ?? 0) + 1);
  const counted = new Map((await seriesOf(registry, 'runner_tool_calls_total')).map((s) => [`${s.labels.tool} ${s.labels.status}`, s.value]));
  assert.deepEqual(counted, expected);
});

test('runs that end without an attempt are counted: missed and skipped slots, an expired wait, an abandoned run', async (t) => {
  const { store, config } = world(t);
  let now = new Date('2026-11-30T09:00:00Z');
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets, now: () => now });
  const metrics = createRunMetrics({ processMetrics: false });
  t.after(() => metrics.close());
  const state = createStateMetrics({ store: lifecycle.store, now: () => now });
  const workflow = await loadWorkflow(WEEKLY, { tools: catalogue });
  const fields = (id: string) => ({ id, trigger: { type: 'manual' as const }, inputs: {}, mode: 'live' as const, backend: 'sandbox', model: 'gpt-test' });

  assert.equal(await lifecycle.missed(workflow, fields('slot-missed')), true);
  assert.equal(await lifecycle.missed(workflow, fields('slot-missed')), false, 'a second record of the same slot writes nothing');
  assert.equal(await lifecycle.skipped(workflow, fields('slot-skipped')), true);
  await lifecycle.queue(workflow, fields('queued-then-lost'));
  assert.ok(await lifecycle.abandon('queued-then-lost', { kind: 'infrastructure', message: 'its job is gone', retryable: false }));

  // A run that waits for a person for more than a day, then expires.
  const attempt = await lifecycle.begin(workflow, fields('waits'));
  const step = attempt.startStep({ id: 'publish', kind: 'prompt' }, 1, 2);
  await attempt.wait(step, {
    calls: [{ tool: 'CONFLUENCE_CREATE_BLOGPOST', effect: 'write', args: { title: 'Weekly' }, step: 'publish' }],
    resume: { step: 'publish', index: 1 },
    timeoutMs: 48 * 3600_000,
  });
  now = new Date(now.getTime() + 25 * 3600_000);
  assert.equal(await seriesValue(state.registry, 'runner_approvals_waiting', { workflow: 'weekly-summary' }), 1);
  assert.equal(await seriesValue(state.registry, 'runner_approvals_oldest_wait_seconds', { workflow: 'weekly-summary' }), 25 * 3600);
  now = new Date(now.getTime() + 24 * 3600_000);
  assert.equal((await lifecycle.expireDue()).length, 1);

  const runs = new Map((await seriesOf(metrics.registry, 'runner_runs_total')).map((s) => [s.labels.status, s.value]));
  assert.deepEqual(Object.fromEntries(runs), { missed: 1, skipped: 1, failed: 2 });
  assert.deepEqual(await seriesOf(state.registry, 'runner_approvals_waiting'), [], 'nothing waits any more');
  assert.deepEqual(await seriesOf(state.registry, 'runner_approvals_oldest_wait_seconds'), []);
  assert.deepEqual(await seriesOf(metrics.registry, 'runner_run_duration_seconds'), [], 'no attempt was observed');
});

test('notification deliveries are counted by channel kind and outcome', async (t) => {
  const { store, config } = world(t);
  // A real record to tell about: a missed slot.
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
  const workflow = await loadWorkflow(WEEKLY, { tools: catalogue });
  await lifecycle.missed(workflow, {
    id: 'r1',
    trigger: { type: 'schedule', slot: '2026-11-27T15:00:00.000Z' },
    inputs: {},
    mode: 'live',
    backend: 'sandbox',
    model: 'm',
  });
  const run = (await store.get('r1'))!;
  const metrics = createRunMetrics({ processMetrics: false });
  t.after(() => metrics.close());
  const answers = [204, 503];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(answers.shift() ?? 500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const options = { config, redact: createRedactor(config.secrets) };

  const first = await deliverOnce({ event: 'missed', run }, { kind: 'webhook', url }, options);
  const second = await deliverOnce({ event: 'missed', run }, { kind: 'webhook', url }, options);
  // No SMTP server is configured: a failed attempt that never left the process.
  const third = await deliverOnce({ event: 'missed', run }, { kind: 'email', to: ['ops@example.com'] }, options);
  assert.deepEqual(
    [first, second, third].map((d) => d.attempt.ok),
    [true, false, false],
    JSON.stringify([first, second, third]),
  );
  const counted = (await seriesOf(metrics.registry, 'runner_notification_deliveries_total')).map((s) => `${s.labels.channel} ${s.labels.outcome} ${s.value}`);
  assert.deepEqual(counted.sort(), ['email failed 1', 'webhook delivered 1', 'webhook failed 1']);
});

test('a closed metrics module hears nothing more; a second close is harmless', async (t) => {
  const { store, config } = world(t);
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
  const workflow = await loadWorkflow(WEEKLY, { tools: catalogue });
  const metrics = createRunMetrics({ processMetrics: false });
  metrics.close();
  metrics.close();
  await lifecycle.missed(workflow, { id: 'after-close', trigger: { type: 'manual' }, inputs: {}, mode: 'live', backend: 'sandbox', model: 'm' });
  assert.deepEqual(await seriesOf(metrics.registry, 'runner_runs_total'), []);
});
