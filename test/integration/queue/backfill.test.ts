/**
 * `runner schedule backfill`: the slots of a time range that never ran (no record, or recorded missed or skipped)
 * are run, oldest first; slots whose run exists are not run again. With RUNNER_STORE=redis each goes to the workers
 * as a job named by its slot run id, so a second backfill adds nothing; otherwise the CLI runs them itself, into
 * RUNNER_DB, with the engine of `runner run`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, RunStore } from '../../../src/runs/types.ts';
import type { Workflow } from '../../../src/workflow/types.ts';
import { loadFixture, queueFixture, bedsWithSite, until } from './helpers.ts';

const beds = bedsWithSite('backfill');

/** Four hourly slots, in the past. */
const SLOTS = ['2026-01-05T00:00:00.000Z', '2026-01-05T01:00:00.000Z', '2026-01-05T02:00:00.000Z', '2026-01-05T03:00:00.000Z'];
const FILE = queueFixture('hourly-label.yaml');
const idOf = (slot: string) => slotRunId('hourly-label', slot);

interface Report {
  mode: string;
  dryRun: boolean;
  cut: boolean;
  slots: Array<{ slot: string; runId: string; action: string; was?: string; status?: string }>;
}

/** Records `slot` as missed or skipped, as a scheduler that did not run it would. */
async function recordNotRun(store: RunStore, workflow: Workflow, slot: string, status: 'missed' | 'skipped'): Promise<void> {
  const lifecycle = new RunLifecycle(store, { secrets: loadConfig({ env: {} }).secrets });
  const fields = {
    id: idOf(slot),
    trigger: { type: 'schedule' as const, slot },
    inputs: {},
    mode: workflow.mode,
    backend: 'sandbox',
    model: '',
    notes: [`nothing ran this slot (${status})`],
  };
  await (status === 'missed' ? lifecycle.missed(workflow, fields) : lifecycle.skipped(workflow, fields));
}

test('queue mode: the slots that never ran are queued once under their slot run ids; the workers run them; slots that ran are left', {
  timeout: 60_000,
}, async () => {
  const bed = beds.add('backfill-queue');
  const env = { RUNNER_STORE: 'redis', RUNNER_SANDBOX_URL: beds.site.url };
  const workflow = await loadFixture('hourly-label.yaml');
  // The first slot ran; the second was recorded missed; the last two have no record.
  const config = loadConfig({ env: bed.env(env), cwd: bed.ws.dir });
  const done = await runWorkflow(workflow, { runId: idOf(SLOTS[0]!), trigger: { type: 'schedule', slot: SLOTS[0]! } }, { config, store: bed.store });
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  await recordNotRun(bed.store, workflow, SLOTS[1]!, 'missed');
  const backfill = (...extra: string[]) => bed.cli(['schedule', 'backfill', FILE, '--from', SLOTS[0]!, '--to', SLOTS[3]!, '--json', ...extra], env);

  const dry = await backfill('--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(
    (JSON.parse(dry.stdout) as Report).slots.map((s) => [s.slot, s.action, s.was]),
    [
      [SLOTS[0], 'ran', 'succeeded'],
      [SLOTS[1], 'run', 'missed'],
      [SLOTS[2], 'run', undefined],
      [SLOTS[3], 'run', undefined],
    ],
  );
  assert.equal((await bed.queue.getJobCounts('waiting')).waiting, 0, 'a dry run queues nothing');
  assert.equal(await bed.store.get(idOf(SLOTS[2]!)), undefined, 'and records nothing');

  const first = await backfill();
  assert.equal(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout) as Report;
  assert.deepEqual([report.mode, report.dryRun, report.cut], ['queue', false, false]);
  assert.deepEqual(
    report.slots.map((s) => [s.slot, s.runId, s.action, s.status]),
    [
      [SLOTS[0], idOf(SLOTS[0]!), 'ran', undefined],
      [SLOTS[1], idOf(SLOTS[1]!), 'run', 'queued'],
      [SLOTS[2], idOf(SLOTS[2]!), 'run', 'queued'],
      [SLOTS[3], idOf(SLOTS[3]!), 'run', 'queued'],
    ],
  );
  for (const slot of SLOTS.slice(1)) {
    const job = await bed.queue.getJob(idOf(slot));
    assert.deepEqual([job?.name, job?.data.slot, job?.data.origin], ['hourly-label', slot, 'backfill']);
  }
  const queued = (await bed.store.get(idOf(SLOTS[2]!)))!;
  assert.equal(queued.status, 'queued');
  assert.deepEqual(queued.trigger, { type: 'schedule', slot: SLOTS[2] });
  assert.match(queued.notes.join('\n'), /^backfilled by .+ at \S+ \(runner schedule backfill\)$/);
  assert.equal((await bed.store.get(idOf(SLOTS[1]!)))?.status, 'missed', 'a missed slot keeps its record until it runs');

  // Backfilled again before any worker ran: every slot is queued already; nothing is added.
  const second = await backfill();
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    (JSON.parse(second.stdout) as Report).slots.map((s) => s.action),
    ['ran', 'queued', 'queued', 'queued'],
  );
  assert.equal((await bed.queue.getJobCounts('waiting')).waiting, 3);

  await bed.worker(env);
  const runs = await until('the three backfilled slots to finish', async () => {
    const records = await Promise.all(SLOTS.slice(1).map((slot) => bed.store.get(idOf(slot))));
    return records.every((r) => r?.status === 'succeeded' || r?.status === 'failed') ? (records as RunRecord[]) : undefined;
  });
  for (const run of runs) {
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.attempts.length, 1);
  }
  assert.deepEqual(runs[0]!.notes, ['nothing ran this slot (missed)'], 'the once-missed slot ran, its record kept');
  assert.equal((await bed.store.get(idOf(SLOTS[0]!)))?.attempts.length, 1, 'the slot that had run was not run again');

  const third = await backfill();
  assert.deepEqual(
    (JSON.parse(third.stdout) as Report).slots.map((s) => [s.action, s.was]),
    SLOTS.map(() => ['ran', 'succeeded']),
  );
  assert.equal((await bed.queue.getJobCounts('waiting', 'delayed', 'active')).waiting, 0);
});

test('single-process mode: the CLI runs the slots itself, oldest first, into RUNNER_DB; a skipped slot runs, a slot that ran does not', {
  timeout: 60_000,
}, async () => {
  const bed = beds.add('backfill-local');
  const env = { RUNNER_STORE: 'sqlite', RUNNER_SANDBOX_URL: beds.site.url };

  const first = await bed.cli(['schedule', 'backfill', FILE, '--from', SLOTS[0]!, '--to', SLOTS[2]!], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^backfill hourly-label: 3 slot\\(s\\) from ${SLOTS[0]} to ${SLOTS[2]} \\(0 \\* \\* \\* \\*, UTC\\)$`, 'm'));
  for (const slot of SLOTS.slice(0, 3)) assert.match(first.stdout, new RegExp(`^  ${slot}  succeeded  run ${idOf(slot).slice(0, 8)}$`, 'm'));
  assert.match(first.stdout, /^ran 3 slot\(s\); 0 left alone \(ran or queued already\)$/m);
  const ran = (await bed.ws.runs()).sort((a, b) => Date.parse(a.attempts[0]!.startedAt) - Date.parse(b.attempts[0]!.startedAt));
  assert.deepEqual(
    ran.map((r) => [r.id, r.status, r.trigger]),
    SLOTS.slice(0, 3).map((slot) => [idOf(slot), 'succeeded', { type: 'schedule', slot }]),
    'each slot under its slot run id, oldest first',
  );
  for (const run of ran) assert.match(run.notes.join('\n'), /^backfilled by .+ \(runner schedule backfill\)$/);

  // The fourth slot was skipped meanwhile (a paused schedule): a wider backfill runs only that one.
  const store = openSqliteRunStore(bed.ws.dbPath);
  try {
    await recordNotRun(store, await loadFixture('hourly-label.yaml'), SLOTS[3]!, 'skipped');
  } finally {
    await store.close();
  }
  const dry = await bed.cli(['schedule', 'backfill', FILE, '--from', SLOTS[0]!, '--to', SLOTS[3]!, '--dry-run'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`^  ${SLOTS[3]}  would run \\(was skipped\\)`, 'm'));
  assert.match(dry.stdout, new RegExp(`^  ${SLOTS[0]}  ran already \\(succeeded\\); not run again`, 'm'));
  assert.equal((await bed.ws.run(idOf(SLOTS[3]!)))?.status, 'skipped', 'a dry run changes nothing');

  const second = await bed.cli(['schedule', 'backfill', FILE, '--from', SLOTS[0]!, '--to', SLOTS[3]!, '--json'], env);
  assert.equal(second.code, 0, second.stderr);
  const report = JSON.parse(second.stdout) as Report;
  assert.equal(report.mode, 'local');
  assert.deepEqual(
    report.slots.map((s) => [s.action, s.was, s.status]),
    [
      ['ran', 'succeeded', undefined],
      ['ran', 'succeeded', undefined],
      ['ran', 'succeeded', undefined],
      ['run', 'skipped', 'succeeded'],
    ],
  );
  const last = (await bed.ws.run(idOf(SLOTS[3]!)))!;
  assert.equal(last.status, 'succeeded');
  assert.equal(last.attempts.length, 1);
  for (const slot of SLOTS.slice(0, 3)) assert.equal((await bed.ws.run(idOf(slot)))?.attempts.length, 1, `${slot} ran once`);

  const many = await bed.cli(
    ['schedule', 'backfill', queueFixture('every-second-label.yaml'), '--from', SLOTS[0]!, '--to', SLOTS[1]!, '--dry-run', '--json'],
    env,
  );
  assert.equal(many.code, 0, many.stderr);
  const cut = JSON.parse(many.stdout) as Report;
  assert.deepEqual([cut.cut, cut.slots.length, cut.slots.at(-1)?.slot], [true, 1000, '2026-01-05T00:16:39.000Z']);
  assert.match(many.stderr, /note: only the first 1000 slots were taken \(up to 2026-01-05T00:16:39.000Z\); backfill again from there for the rest/);

  const future = await bed.cli(['schedule', 'backfill', FILE, '--from', '2099-01-01T00:00:00Z', '--to', '2099-01-02T00:00:00Z'], env);
  assert.equal(future.code, 0, future.stderr);
  assert.match(future.stderr, /note: slots after now \(\S+\) are left to the schedule/);
  const unscheduled = await bed.cli(['schedule', 'backfill', queueFixture('two-prompts.yaml'), '--from', SLOTS[0]!, '--to', SLOTS[3]!], env);
  assert.equal(unscheduled.code, 2);
  assert.match(unscheduled.stderr, /two-prompts has no schedule, so it has no slots to backfill/);
});
