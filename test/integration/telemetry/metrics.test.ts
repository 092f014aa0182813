/**
 * `--metrics-port` end to end: the real CLI (`runner worker` on the real Redis under a prefix of its own, and
 * `runner serve`) runs workflows against the scripted model and a sandbox; /metrics is scraped over HTTP, its
 * numbers checked against the run records, and the whole scrape passed through Debian's `promtool check metrics`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { RunRecord } from '../../../src/runs/types.ts';
import { heldPostScript, weeklySummaryScript } from '../../fixtures/model-scripts.ts';
import { fixture, startModel, WORKFLOWS } from '../e2e/helpers.ts';
import { queueFixture, spawnRunner, testbedWithSite, until, type WorkerProcess } from '../queue/helpers.ts';

const parts = testbedWithSite('metrics');

/** One sample of the exposition: `name{labels} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of an exposition text (comments skipped). */
function samples(text: string): Sample[] {
  const found: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    found.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return found;
}

/** The value of the one sample with this name and (at least) these labels; 0 when there is none. */
function valueIn(all: Sample[], name: string, labels: Record<string, string>): number {
  const hits = all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(hits.length <= 1, `one sample of ${name} ${JSON.stringify(labels)}, not ${hits.length}`);
  return hits[0]?.value ?? 0;
}

async function scrape(url: string): Promise<{ text: string; contentType: string }> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return { text: await response.text(), contentType: response.headers.get('content-type') ?? '' };
}

/** `promtool check metrics` on the text: its exit code and everything it printed; undefined without promtool. */
function promtool(text: string): { code: number | null; said: string } | undefined {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  return { code: result.status, said: `${result.stdout}${result.stderr}`.trim() };
}

/** Checks the scrape with promtool: a valid exposition with no lint problem (skipped, said why, without promtool). */
function assertPromtoolClean(t: TestContext, text: string): void {
  const checked = promtool(text);
  if (!checked) {
    t.skip('promtool is not installed (Debian package prometheus; .ci/run installs it): the exposition was not linted');
    return;
  }
  assert.deepEqual(checked, { code: 0, said: '' }, 'promtool check metrics finds nothing');
}

/** The metrics URL the ready line names. */
async function metricsUrl(process: WorkerProcess, ready: RegExp): Promise<string> {
  const line = await process.waitFor(ready);
  const url = /metrics on (http:\/\/\S+\/metrics)/.exec(line)?.[1];
  assert.ok(url, `the ready line names the metrics URL: ${line}`);
  return url;
}

/** Counts of a run's tool calls by `tool status`. */
function callCounts(runs: RunRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of runs.flatMap((r) => r.attempts.flatMap((a) => a.steps.flatMap((s) => s.toolCalls)))) {
    const key = `${call.tool} ${call.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

test('runner worker --metrics-port 0: runs, tokens, tool calls, retries, waiting approvals and queue depth, clean for promtool', {
  timeout: 120_000,
}, async (t) => {
  const { bed, site } = parts;
  const model = await startModel(t, weeklySummaryScript);
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url, RUNNER_MODEL_RETRIES: '2' };
  const worker = spawnRunner(['worker', '--processes', '1', '--concurrency', '1', '--metrics-port', '0'], bed.env(env));
  t.after(async () => {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await worker.exited;
  });
  const url = await metricsUrl(worker, /worker ready/);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

  const enqueue = async (file: string, ...args: string[]) => {
    const result = await bed.cli(['enqueue', file, ...args, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout) as { runId: string }).runId;
  };
  const settled = (id: string) =>
    until(
      `run ${id} to stop`,
      async () => {
        const run = await bed.store.get(id);
        return run && run.status !== 'queued' && run.status !== 'running' ? run : undefined;
      },
      40_000,
    );

  // A run whose first model request is rate limited once, then one that waits for a person.
  model.failNext(1, { status: 429, retryAfterSeconds: 0, message: 'Rate limit reached.' });
  const summary = await settled(await enqueue(WORKFLOWS.weeklySummary));
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  model.setScript(heldPostScript);
  const held = await settled(await enqueue(fixture('held-post.yaml'), '--input', 'title=Metrics post'));
  assert.equal(held.status, 'waiting', JSON.stringify(held.error));
  await worker.waitFor(/finished held-post: waiting/);

  const { text, contentType } = await scrape(url);
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  const all = samples(text);
  assert.equal(valueIn(all, 'runner_runs_total', { workflow: 'weekly-summary', status: 'succeeded' }), 1);
  assert.equal(all.filter((s) => s.name === 'runner_runs_total').length, 1, 'a waiting run has not ended');
  assert.equal(valueIn(all, 'runner_run_duration_seconds_count', { workflow: 'weekly-summary', status: 'succeeded' }), 1);
  assert.equal(valueIn(all, 'runner_run_duration_seconds_count', { workflow: 'held-post', status: 'waiting' }), 1);
  for (const run of [summary, held]) {
    // Steps' usage: a waiting step's is not yet added to the run's.
    const steps = run.attempts.flatMap((a) => a.steps);
    const used = (key: 'inputTokens' | 'outputTokens') => steps.reduce((n, s) => n + (s.usage?.[key] ?? 0), 0);
    assert.ok(used('inputTokens') > 0, `${run.workflow} used tokens`);
    const labels = { workflow: run.workflow, model: run.model };
    assert.equal(valueIn(all, 'runner_model_tokens_total', { ...labels, type: 'input' }), used('inputTokens'), `${run.workflow} input tokens`);
    assert.equal(valueIn(all, 'runner_model_tokens_total', { ...labels, type: 'output' }), used('outputTokens'), `${run.workflow} output tokens`);
  }
  assert.equal(valueIn(all, 'runner_model_retries_total', { workflow: 'weekly-summary', status: '429' }), 1);
  const counted = new Map(all.filter((s) => s.name === 'runner_tool_calls_total').map((s) => [`${s.labels.tool} ${s.labels.status}`, s.value]));
  assert.deepEqual(counted, callCounts([summary, held]));
  assert.equal(valueIn(all, 'runner_approvals_waiting', { workflow: 'held-post' }), 1);
  assert.ok(valueIn(all, 'runner_approvals_oldest_wait_seconds', { workflow: 'held-post' }) >= 0);
  assert.ok(
    all.some((s) => s.name === 'runner_approvals_oldest_wait_seconds'),
    'the wait has an age',
  );
  for (const queue of ['runs', 'notifications']) {
    const states = all.filter((s) => s.name === 'runner_queue_jobs' && s.labels.queue === queue).map((s) => s.labels.state);
    assert.deepEqual(states.sort(), ['active', 'completed', 'delayed', 'failed', 'prioritized', 'waiting', 'waiting-children'], `${queue} by state`);
  }
  assert.equal(valueIn(all, 'runner_queue_jobs', { queue: 'runs', state: 'waiting' }), 0);
  assert.ok(
    all.some((s) => s.name === 'process_cpu_user_seconds_total'),
    "prom-client's process metrics",
  );
  assertPromtoolClean(t, text);

  const missing = await fetch(url.replace('/metrics', '/other'));
  assert.equal(missing.status, 404);
  await missing.text();

  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0, worker.lines.join('\n'));
});

test('runner worker --processes 2 --metrics-port 0: the supervisor serves the sum over its children, clean for promtool', {
  timeout: 120_000,
}, async (t) => {
  const { bed, site } = parts;
  const model = await startModel(t, weeklySummaryScript);
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url };
  const worker = spawnRunner(['worker', '--processes', '2', '--concurrency', '1', '--metrics-port', '0'], bed.env(env));
  t.after(async () => {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await worker.exited;
  });
  const url = await metricsUrl(worker, /metrics on/);
  await worker.waitFor(/supervisor: 2 processes .* ready/);
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const result = await bed.cli(['enqueue', WORKFLOWS.weeklySummary, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    ids.push((JSON.parse(result.stdout) as { runId: string }).runId);
  }
  const runs = await until(
    'the four runs to end',
    async () => {
      const all = await Promise.all(ids.map((id) => bed.store.get(id)));
      return all.every((r) => r?.status === 'succeeded') ? (all as RunRecord[]) : undefined;
    },
    60_000,
  );
  // Each child counts what it ran; the scrape adds them up, whoever ran what.
  const scraped = await until(
    'the scrape to count all four runs',
    async () => {
      const all = samples((await scrape(url)).text);
      return valueIn(all, 'runner_runs_total', { workflow: 'weekly-summary', status: 'succeeded' }) === 4 ? all : undefined;
    },
    20_000,
  );
  assert.deepEqual(
    new Map(scraped.filter((s) => s.name === 'runner_tool_calls_total').map((s) => [`${s.labels.tool} ${s.labels.status}`, s.value])),
    callCounts(runs),
  );
  assert.equal(
    scraped.filter((s) => s.name === 'runner_queue_jobs' && s.labels.queue === 'runs' && s.labels.state === 'waiting').length,
    1,
    'queue depth is reported once, not once per child',
  );
  assertPromtoolClean(t, (await scrape(url)).text);
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0, worker.lines.join('\n'));
});

test('a busy --metrics-port and a bad one are one-line errors (exit 2), before the worker connects', { timeout: 30_000 }, async () => {
  const { bed } = parts;
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  try {
    const taken = await bed.cli(['worker', '--processes', '1', '--metrics-port', String(port)]);
    assert.equal(taken.code, 2, taken.stderr);
    assert.equal(taken.stderr.trim(), `error: --metrics-port ${port} is in use; pick another port (0 picks a free one)`);
  } finally {
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  }
  const bad = await bed.cli(['worker', '--processes', '1', '--metrics-port', '70000']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.equal(bad.stderr.trim(), "error: --metrics-port must be a number from 0 to 65535 (0 picks a free port), not '70000'");
});

test('runner serve --metrics-port 0: scheduled runs and their tool calls are scraped, clean for promtool', { timeout: 60_000 }, async (t) => {
  const { bed, site } = parts;
  const dir = join(bed.ws.dir, 'serve-metrics');
  mkdirSync(dir, { recursive: true });
  copyFileSync(queueFixture('every-second-label.yaml'), join(dir, 'every-second-label.yaml'));
  const serve = spawnRunner(['serve', dir, '--metrics-port', '0'], bed.ws.env({ RUNNER_SANDBOX_URL: site.url }));
  t.after(async () => {
    if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
    await serve.exited;
  });
  const url = await metricsUrl(serve, /metrics on/);

  const all = await until('a scheduled run to be counted', async () => {
    const scraped = samples((await scrape(url)).text);
    return valueIn(scraped, 'runner_runs_total', { workflow: 'every-second-label', status: 'succeeded' }) >= 1 ? scraped : undefined;
  });
  assert.ok(valueIn(all, 'runner_tool_calls_total', { tool: 'CONFLUENCE_ADD_CONTENT_LABEL', status: 'ok' }) >= 1);
  assert.ok(valueIn(all, 'runner_run_duration_seconds_count', { workflow: 'every-second-label', status: 'succeeded' }) >= 1);
  assert.ok(!all.some((s) => s.name === 'runner_queue_jobs'), 'serve has no queue');
  assertPromtoolClean(t, (await scrape(url)).text);

  serve.child.kill('SIGTERM');
  assert.equal(await serve.exited, 0, serve.lines.join('\n'));
});
