import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunEvent } from '../../../src/engine/events.ts';
import { RunRecorder, addUsage } from '../../../src/engine/recorder.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { AttemptRecord, RunRecord, RunStore, ToolCallRecord } from '../../../src/runs/types.ts';

let dir: string;
let store: RunStore;
let counter = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'recorder-'));
  store = openSqliteRunStore(join(dir, 'runs.db'));
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh running run with one attempt, and a recorder over the SQLite store collecting events. */
function recorder(listener?: (event: RunEvent) => void) {
  const attempt: AttemptRecord = { number: 1, status: 'running', startedAt: '2025-03-07T15:00:00.000Z', steps: [] };
  const run: RunRecord = {
    id: `run-${++counter}-${Date.now()}`,
    workflow: 'weekly-summary',
    workflowHash: 'h',
    workflowFile: 'w.yaml',
    trigger: { type: 'manual' },
    inputs: {},
    status: 'running',
    mode: 'live',
    backend: 'sandbox',
    model: 'gpt-5',
    notes: [],
    attempts: [attempt],
    outputs: {},
    links: [],
    usage: { requests: 1, inputTokens: 10, outputTokens: 1 },
    createdAt: '2025-03-07T15:00:00.000Z',
    startedAt: '2025-03-07T15:00:00.000Z',
  };
  const events: RunEvent[] = [];
  let tick = 0;
  const now = () => new Date(Date.UTC(2025, 2, 7, 15, 0, ++tick));
  return { rec: new RunRecorder(run, attempt, store, now, listener ?? ((e) => events.push(e))), run, attempt, events };
}

const call = (over: Partial<ToolCallRecord>): ToolCallRecord => ({
  tool: 'CONFLUENCE_CREATE_PAGE',
  effect: 'write',
  args: {},
  status: 'ok',
  startedAt: '2025-03-07T15:00:00.000Z',
  durationMs: 1,
  ...over,
});

describe('RunRecorder', () => {
  test('addUsage sums requests and tokens', () => {
    const into = { requests: 1, inputTokens: 10, outputTokens: 2 };
    addUsage(into, { requests: 2, inputTokens: 5, outputTokens: 7 });
    assert.deepEqual(into, { requests: 3, inputTokens: 15, outputTokens: 9 });
  });

  test('collects links from webUrl and from _links base + webui of successful writes, once each', () => {
    const { rec, run } = recorder();
    const step = rec.startStep({ id: 'publish', kind: 'prompt' }, 0, 1);
    rec.addToolCall(step, call({}), { id: '1', webUrl: 'https://site/wiki/spaces/TEAM/pages/1' });
    rec.addToolCall(step, call({}), { id: '1', webUrl: 'https://site/wiki/spaces/TEAM/pages/1' });
    rec.addToolCall(step, call({ tool: 'CONFLUENCE_ADD_CONTENT_LABEL' }), [
      { id: 'l1', _links: { base: 'https://site/wiki', webui: '/label/global/weekly' } },
      { id: 'l2', _links: { webui: '/label/global/digest' } },
      'not an object',
    ]);
    rec.addToolCall(step, call({ effect: 'destructive', tool: 'CONFLUENCE_DELETE_PAGE' }), { data: { webUrl: 'https://site/deleted' } });
    rec.addToolCall(step, call({ effect: 'read', tool: 'CONFLUENCE_GET_PAGE_BY_ID' }), { webUrl: 'https://site/read-only' });
    rec.addToolCall(step, call({ status: 'simulated' }), { webUrl: 'https://site/simulated' });
    rec.addToolCall(step, call({ status: 'error' }), { webUrl: 'https://site/failed' });
    rec.addToolCall(step, call({ status: 'journaled' }), { webUrl: 'https://site/journaled' });
    rec.addToolCall(step, call({}), undefined);
    assert.deepEqual(run.links, [
      'https://site/wiki/spaces/TEAM/pages/1',
      'https://site/wiki/label/global/weekly',
      '/label/global/digest',
      'https://site/deleted',
    ]);
    assert.equal(step.toolCalls.length, 9, 'every call is recorded, links or not');
  });

  test('steps: start and end are stamped and told; outputs and usage reach the run', async () => {
    const { rec, run, attempt, events } = recorder();
    const step = rec.startStep({ id: 'gather', kind: 'prompt', title: 'Gather' }, 0, 2);
    assert.equal(step.status, 'running');
    assert.deepEqual(attempt.steps, [step]);
    step.usage = { requests: 2, inputTokens: 100, outputTokens: 20 };
    await rec.endStep(step, { output: { pages: [] } });
    assert.equal(step.status, 'succeeded');
    assert.deepEqual(run.outputs, { gather: { pages: [] } });
    assert.deepEqual(run.usage, { requests: 3, inputTokens: 110, outputTokens: 21 });
    assert.equal(step.startedAt, '2025-03-07T15:00:01.000Z');
    assert.equal(step.endedAt, '2025-03-07T15:00:02.000Z');

    const failed = rec.startStep({ id: 'publish', kind: 'tool' }, 1, 2);
    await rec.endStep(failed, { error: { kind: 'tool', message: 'boom', retryable: true } });
    assert.deepEqual([failed.status, failed.error?.message, 'publish' in run.outputs], ['failed', 'boom', false]);
    const cancelled = rec.startStep({ id: 'late', kind: 'tool' }, 1, 2);
    await rec.endStep(cancelled, { error: { kind: 'cancelled', message: 'stop' }, cancelled: true });
    assert.equal(cancelled.status, 'cancelled');

    assert.deepEqual(
      events.map((e) => e.type),
      ['step_start', 'step_end', 'step_start', 'step_end', 'step_start', 'step_end'],
    );
    assert.deepEqual(events[0], { type: 'step_start', step, index: 0, total: 2 });
    const saved = await store.get(run.id);
    assert.deepEqual(
      saved?.attempts[0]?.steps.map((s) => s.status),
      ['succeeded', 'failed', 'cancelled'],
      'each step end is saved',
    );
  });

  test('finish: status from the failure kind, error set or cleared, saved before run_end is told', async () => {
    const seen: Array<string | undefined> = [];
    const ok = recorder((event) => {
      if (event.type === 'run_end') void store.get(event.run.id).then((r) => seen.push(r?.status));
    });
    ok.run.error = { kind: 'model', message: 'from an earlier attempt' };
    const done = await ok.rec.finish();
    assert.equal(done, ok.run);
    assert.deepEqual([done.status, ok.attempt.status, 'error' in done], ['succeeded', 'succeeded', false]);
    assert.equal(done.endedAt, '2025-03-07T15:00:01.000Z');
    assert.equal(ok.attempt.endedAt, done.endedAt);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ['succeeded']);

    const failed = recorder();
    await failed.rec.finish({ kind: 'limit', message: 'too long', retryable: false });
    assert.deepEqual([failed.run.status, failed.attempt.status, failed.run.error?.kind, failed.attempt.error?.kind], ['failed', 'failed', 'limit', 'limit']);
    assert.deepEqual(
      failed.events.map((e) => e.type),
      ['run_end'],
    );

    const cancelled = recorder();
    await cancelled.rec.finish({ kind: 'cancelled', message: 'the run was cancelled' });
    assert.equal(cancelled.run.status, 'cancelled');
    assert.equal((await store.get(cancelled.run.id))?.status, 'cancelled');
  });

  test('saves are serialised: the stored record is the latest snapshot, and later changes need another save', async () => {
    const { rec, run } = recorder();
    const saves: Array<Promise<void>> = [];
    for (const note of ['one', 'two', 'three']) {
      run.notes.push(note);
      saves.push(rec.save());
    }
    run.notes.push('unsaved');
    await Promise.all(saves);
    assert.deepEqual((await store.get(run.id))?.notes, ['one', 'two', 'three']);
    await rec.save();
    assert.deepEqual((await store.get(run.id))?.notes, ['one', 'two', 'three', 'unsaved']);
  });

  test("a listener's error never reaches the run", async () => {
    const { rec, run } = recorder(() => {
      throw new Error('progress output broke');
    });
    const step = rec.startStep({ id: 's', kind: 'tool' }, 0, 1);
    rec.addToolCall(step, call({}), { webUrl: 'https://x' });
    await rec.endStep(step, { output: 1 });
    await rec.finish();
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.links, ['https://x']);
  });
});
