import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { planRerun, scheduledAtOf } from '../../../src/runs/rerun.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, RunStore } from '../../../src/runs/types.ts';
import { UserError } from '../../../src/shared/errors.ts';
import { SecretRegistry } from '../../../src/shared/secrets.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';

const TEXT = [
  'version: 1',
  'name: weekly-summary',
  'inputs:',
  '  space: {type: string, default: ENG}',
  '  days: {type: number, default: 7}',
  'prompt: Summarise {{ inputs.days }} days of {{ inputs.space }}.',
  '',
].join('\n');
const options = { tools: confluenceCatalogue() };

let dir: string;
let file: string;
let store: RunStore;
let lifecycle: RunLifecycle;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rerun-'));
  file = join(dir, 'weekly.yaml');
  writeFileSync(file, TEXT);
  store = openSqliteRunStore(join(dir, 'runs.db'));
  let tick = 0;
  lifecycle = new RunLifecycle(store, { secrets: new SecretRegistry(), now: () => new Date(Date.UTC(2026, 10, 27, 15, 0, ++tick)) });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A failed run of {@link TEXT} from `file`, as the lifecycle records it. */
async function failedRun(id: string, over: Partial<RunRecord> = {}): Promise<RunRecord> {
  const { workflow } = loadWorkflowText(file, TEXT, options);
  const attempt = await lifecycle.begin(workflow!, {
    id,
    trigger: { type: 'manual' },
    inputs: { space: 'OPS', days: 3 },
    mode: 'live',
    backend: 'sandbox',
    model: 'gpt-5',
    ...over,
  });
  return attempt.finish({ kind: 'tool', message: 'the backend said no', retryable: false });
}

test('a re-run runs the recorded text with the recorded inputs, overrides on top, and links to the original', async () => {
  const original = await failedRun('run-1');
  const plan = await planRerun(original, { days: '14' }, options);
  assert.equal(plan.workflow.source, TEXT);
  assert.equal(plan.workflow.hash, original.workflowHash);
  assert.deepEqual(plan.inputs, { space: 'OPS', days: '14' });
  assert.deepEqual(plan.resolved, { space: 'OPS', days: 14 });
  assert.deepEqual(plan.trigger, { type: 'rerun', of: 'run-1' });
  assert.equal(plan.scheduledAt.toISOString(), original.startedAt);
  assert.equal(plan.notice, undefined, 'the file still holds the text');
});

test('a changed or missing file is said in one line; the recorded text still runs', async () => {
  const original = await failedRun('run-1');
  writeFileSync(file, TEXT.replace('ENG', 'MKT'));
  const changed = await planRerun(original, {}, options);
  assert.equal(changed.workflow.source, TEXT);
  assert.equal(changed.notice, `${file} changed since run run-1; running the recorded text`);
  rmSync(file);
  const missing = await planRerun(original, {}, options);
  assert.equal(missing.workflow.hash, original.workflowHash);
  assert.equal(missing.notice, `${file} became unreadable (no such file) since run run-1; running the recorded text`);
});

test('without a usable recorded text, only the very text recorded is taken from the file', async () => {
  const original = await failedRun('run-1');
  // Records from before the text was kept, and a recorded text that is not what ran (its hash differs).
  for (const record of [
    { ...original, workflowSource: undefined },
    { ...original, workflowSource: `${TEXT}# redacted\n` },
  ]) {
    assert.equal((await planRerun(record, {}, options)).workflow.source, TEXT);
  }
  writeFileSync(file, `${TEXT}# edited\n`);
  await assert.rejects(
    planRerun({ ...original, workflowSource: undefined }, {}, options),
    (e) => e instanceof UserError && e.message === `run run-1 cannot be re-run: the workflow text it ran is not recorded, and ${file} changed since`,
  );
});

test('runs still open are refused, and so are overrides that do not fit the workflow', async () => {
  const original = await failedRun('run-1');
  for (const status of ['queued', 'running', 'waiting'] as const) {
    await assert.rejects(planRerun({ ...original, status }, {}, options), (e) => e instanceof UserError && e.message.startsWith(`run run-1 is ${status};`));
  }
  await assert.rejects(
    planRerun(original, { dayz: '3' }, options),
    (e) => e instanceof UserError && /unknown input 'dayz'; did you mean 'days'/.test(e.message),
  );
});

test('run.scheduled_at of a run: the one it was given, else its schedule slot, else its start, else its creation', () => {
  const base = { createdAt: '2026-11-27T14:00:00.000Z', trigger: { type: 'manual' } as const };
  assert.equal(scheduledAtOf(base), base.createdAt);
  assert.equal(scheduledAtOf({ ...base, startedAt: '2026-11-27T14:00:01.000Z' }), '2026-11-27T14:00:01.000Z');
  const slot = { ...base, trigger: { type: 'schedule', slot: '2026-11-27T13:00:00.000Z' } as const, startedAt: '2026-11-27T14:00:01.000Z' };
  assert.equal(scheduledAtOf(slot), '2026-11-27T13:00:00.000Z');
  assert.equal(scheduledAtOf({ ...slot, scheduledAt: '2026-01-01T00:00:00.000Z' }), '2026-01-01T00:00:00.000Z');
});

test('noteRerun lists each re-run once, in order, and leaves the rest of the original as it was', async () => {
  const original = await failedRun('run-1');
  assert.equal(await lifecycle.noteRerun('run-1', 'run-2'), true);
  assert.equal(await lifecycle.noteRerun('run-1', 'run-3'), true);
  assert.equal(await lifecycle.noteRerun('run-1', 'run-2'), true);
  const noted = await store.get('run-1');
  assert.deepEqual(noted?.reruns, ['run-2', 'run-3']);
  assert.deepEqual({ ...noted, reruns: undefined }, { ...original, reruns: undefined });
  assert.equal(await lifecycle.noteRerun('no-such-run', 'run-2'), false);
});

test('the scheduled_at a run was given is recorded with it', async () => {
  const run = await failedRun('run-1', { scheduledAt: '2026-11-27T15:00:00.000Z' });
  assert.equal(run.scheduledAt, '2026-11-27T15:00:00.000Z');
  assert.equal((await planRerun(run, {}, options)).scheduledAt.toISOString(), '2026-11-27T15:00:00.000Z');
});
