import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, workflowStats } from '../../../src/dashboard/stats.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import type { RunStatus } from '../../../src/runs/types.ts';

test('nearest-rank percentiles', () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(xs, 50), 5);
  assert.equal(percentile(xs, 95), 10);
  assert.equal(percentile([7], 95), 7);
});

test('outcomes oldest first, success rate over decided runs, durations of runs that ran', () => {
  const run = (i: number, status: RunStatus, seconds: number, tokens = 100) =>
    sampleRun({
      id: `run-${i}`,
      status,
      createdAt: new Date(Date.UTC(2026, 10, i)).toISOString(),
      ...(status === 'missed'
        ? { startedAt: undefined, endedAt: undefined }
        : { startedAt: new Date(Date.UTC(2026, 10, i)).toISOString(), endedAt: new Date(Date.UTC(2026, 10, i) + seconds * 1000).toISOString() }),
      usage: { requests: 1, inputTokens: tokens, outputTokens: 0 },
    });
  const stats = workflowStats([run(3, 'failed', 30), run(1, 'succeeded', 10), run(2, 'succeeded', 20), run(4, 'missed', 0), run(5, 'cancelled', 5)]);
  assert.deepEqual(
    stats.outcomes.map((o) => o.status),
    ['succeeded', 'succeeded', 'failed', 'missed', 'cancelled'],
  );
  assert.equal(stats.successRate, 2 / 3);
  assert.deepEqual(
    stats.series.map((s) => s.durationMs),
    [10_000, 20_000, 30_000, 5_000],
  );
  assert.equal(stats.p50Ms, 10_000);
  assert.equal(stats.p95Ms, 30_000);
  assert.deepEqual(workflowStats([]), { outcomes: [], series: [] });
});
