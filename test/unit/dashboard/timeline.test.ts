import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutAttempt } from '../../../src/dashboard/timeline.ts';
import type { AttemptRecord } from '../../../src/runs/types.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 27, 15, 0, 0) + ms).toISOString();

test('steps and calls are placed on the attempt axis in percent', () => {
  const attempt: AttemptRecord = {
    number: 1,
    status: 'succeeded',
    startedAt: at(0),
    endedAt: at(10_000),
    steps: [
      {
        id: 'gather',
        kind: 'prompt',
        status: 'succeeded',
        startedAt: at(0),
        endedAt: at(5_000),
        toolCalls: [
          { tool: 'CONFLUENCE_SEARCH_CONTENT', effect: 'read', args: {}, status: 'ok', startedAt: at(1_000), durationMs: 2_000 },
          { tool: 'CONFLUENCE_GET_PAGE_BY_ID', effect: 'read', args: {}, status: 'ok', startedAt: at(4_000), durationMs: 0 },
        ],
      },
      { id: 'publish', kind: 'tool', status: 'succeeded', startedAt: at(5_000), endedAt: at(10_000), toolCalls: [] },
    ],
  };
  const tl = layoutAttempt(attempt, Date.parse(at(60_000)));
  assert.equal(tl.spanMs, 10_000);
  assert.deepEqual(
    tl.rows.map((r) => [r.kind, r.bar.left, r.bar.width, r.bar.durationMs]),
    [
      ['step', 0, 50, 5_000],
      ['call', 10, 20, 2_000],
      ['call', 40, 0.4, 0],
      ['step', 50, 50, 5_000],
    ],
  );
});

test('a running attempt runs to now, and a call past the recorded end widens the axis', () => {
  const attempt: AttemptRecord = {
    number: 2,
    status: 'running',
    startedAt: at(0),
    steps: [
      {
        id: 'main',
        kind: 'prompt',
        status: 'running',
        startedAt: at(0),
        toolCalls: [{ tool: 'X', effect: 'write', args: {}, status: 'ok', startedAt: at(1_000), durationMs: 7_000 }],
      },
    ],
  };
  const tl = layoutAttempt(attempt, Date.parse(at(4_000)));
  assert.equal(tl.spanMs, 8_000, 'the call ends after "now": the axis covers it');
  assert.deepEqual(tl.rows[0]!.bar, { left: 0, width: 50, durationMs: 4_000 }, 'the running step runs to now');
  assert.deepEqual(tl.rows[1]!.bar, { left: 12.5, width: 87.5, durationMs: 7_000 });
});
