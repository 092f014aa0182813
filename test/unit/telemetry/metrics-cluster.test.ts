/**
 * Metrics of a node:cluster: real children (forked with node:cluster, as `runner worker --processes N` does) answer
 * the primary's scrape over IPC; the primary adds their run metrics up, appends the state it reads once, and the
 * whole text passes `promtool check metrics`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { clusterMetricsText } from '../../../src/telemetry/metrics-cluster.ts';
import { createStateMetrics } from '../../../src/telemetry/metrics-state.ts';

const CHILD = fileURLToPath(new URL('../../fixtures/telemetry/metrics-cluster-child.ts', import.meta.url));

test("the primary serves the children's run metrics added up and the state metrics once", { timeout: 30_000 }, async (t) => {
  cluster.setupPrimary({ exec: CHILD, silent: true });
  const children: Worker[] = [];
  t.after(async () => {
    await Promise.all(children.map((child) => (child.isDead() ? undefined : new Promise<void>((resolve) => child.once('exit', () => resolve()).kill()))));
  });
  for (let i = 0; i < 2; i++) children.push(cluster.fork());
  await Promise.all(children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve()))));
  const queue = { name: 'runs', getJobCounts: async () => ({ waiting: 3, active: 2 }) };
  const state = createStateMetrics({ queues: [queue] });

  const { text, contentType } = await clusterMetricsText(state.registry)();
  assert.match(contentType, /^text\/plain/);
  const lines = text.split('\n');
  assert.ok(lines.includes('runner_tool_calls_total{tool="CONFLUENCE_ADD_CONTENT_LABEL",status="ok"} 2'), text);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('runner_queue_jobs{')),
    ['runner_queue_jobs{queue="runs",state="waiting"} 3', 'runner_queue_jobs{queue="runs",state="active"} 2'],
    'the state is read once, by the primary',
  );
  assert.ok(
    lines.some((l) => l.startsWith('process_cpu_user_seconds_total ')),
    "the children's process metrics, added up",
  );
  const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if ((checked.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    t.skip('promtool is not installed (Debian package prometheus; .ci/run installs it): the exposition was not linted');
    return;
  }
  assert.deepEqual({ code: checked.status, said: `${checked.stdout}${checked.stderr}`.trim() }, { code: 0, said: '' });
});
