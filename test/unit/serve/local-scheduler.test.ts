/**
 * `runner serve`'s scheduler on a real SQLite run store, lifecycle and pause store, with cron tasks fired by the
 * test (or timers on a fake clock) and a run function whose runs end when the test says. The notifier is a double
 * that records its calls: it is the boundary here (the real one is tested in notify/).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { DateTime } from 'luxon';
import type { InvalidReport, Notifier } from '../../../src/notify/notifier.ts';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, RunStore } from '../../../src/runs/types.ts';
import { openSqlitePauseStore, type PauseStore } from '../../../src/schedules/pauses.ts';
import { type CronTask, MAX_TIMER_MS, type ScheduleFactory, type TimerHost, timerSchedule } from '../../../src/serve/cron-task.ts';
import { LocalScheduler, type LocalSchedulerOptions, type RunFunction } from '../../../src/serve/local-scheduler.ts';
import { UserError } from '../../../src/shared/errors.ts';
import { SecretRegistry } from '../../../src/shared/secrets.ts';
import type { Workflow } from '../../../src/workflow/types.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

/** A cron task that fires only when the test says so. */
interface FakeTask extends CronTask {
  spec: { name: string; cron: string; timezone: string };
  fire(slot: Date): void;
  destroyed: boolean;
}

/** A schedule factory that records every task it starts. */
function fakeCron() {
  const tasks: FakeTask[] = [];
  const factory: ScheduleFactory = (spec, onFire) => {
    const task: FakeTask = {
      spec,
      destroyed: false,
      fire: (slot) => onFire(slot),
      nextRun: () => new Date('2026-11-30T08:00:00Z'),
      destroy: () => void (task.destroyed = true),
    };
    tasks.push(task);
    return task;
  };
  const live = (name: string) => tasks.filter((t) => t.spec.name === name && !t.destroyed);
  return {
    tasks,
    factory,
    live,
    one: (name: string) => {
      const found = live(name);
      assert.equal(found.length, 1, `one live task for ${name}`);
      return found[0]!;
    },
  };
}

/** A run function whose runs finish when the test releases them (or end 'cancelled' when aborted). */
function fakeRuns() {
  const calls: { workflow: Workflow; options: Parameters<RunFunction>[1]; release: (overrides?: Partial<RunRecord>) => void }[] = [];
  const run: RunFunction = (workflow, options) =>
    new Promise((resolve) => {
      const release = (overrides: Partial<RunRecord> = {}) =>
        resolve(sampleRun({ id: options.runId, workflow: workflow.name, trigger: options.trigger, ...overrides }));
      options.signal.addEventListener('abort', () => release({ status: 'cancelled' }));
      calls.push({ workflow, options, release });
    });
  const slots = () => calls.map((c) => (c.options.trigger.type === 'schedule' ? c.options.trigger.slot : ''));
  return { calls, run, slots };
}

/** A notifier that records what it was told. */
function recordingNotifier() {
  const ended: { run: RunRecord; workflow: Workflow }[] = [];
  const invalid: InvalidReport[] = [];
  let drained = 0;
  const notifier: Notifier = {
    runEnded: async (run, workflow) => void ended.push({ run, workflow }),
    invalid: async (report) => void invalid.push(report),
    drain: async () => void drained++,
  };
  return { notifier, ended, invalid, drained: () => drained };
}

let root: string;
let dir: string;
let lines: string[];
let schedulers: LocalScheduler[];
let store: RunStore;
let lifecycle: RunLifecycle;
let pauses: PauseStore;
let told: ReturnType<typeof recordingNotifier>;
/** The scheduler's clock (a minute before SLOT unless a test moves it). */
let clock: Date;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'runner-serve-unit-'));
  dir = join(root, 'workflows');
  mkdirSync(dir);
  lines = [];
  schedulers = [];
  store = openSqliteRunStore(join(root, 'runs.db'));
  lifecycle = new RunLifecycle(store, { secrets: new SecretRegistry() });
  pauses = openSqlitePauseStore(join(root, 'runs.db'));
  told = recordingNotifier();
  clock = new Date('2026-11-30T07:59:00.000Z');
});

afterEach(async () => {
  for (const s of schedulers) await s.stop({ graceMs: 10 });
  await pauses.close();
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

/** Schedule policies written into a workflow file. */
interface Policy {
  overlap?: string;
  catchup?: string;
  catchup_window?: string;
}

function write(file: string, name: string, cron?: string, extra = '', policy: Policy = {}): void {
  const policies = Object.entries(policy)
    .map(([k, v]) => `  ${k}: ${v}\n`)
    .join('');
  const schedule = cron ? `schedule:\n  cron: "${cron}"\n  timezone: Europe/Berlin\n${policies}` : '';
  writeFileSync(join(dir, file), `version: 1\nname: ${name}\n${schedule}prompt: List the pages of space TEAM.${extra}\n`);
}

function scheduler(options: Partial<LocalSchedulerOptions> & Pick<LocalSchedulerOptions, 'run'>): LocalScheduler {
  const logger = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
  const s = new LocalScheduler({ dir, logger, lifecycle, notifier: told.notifier, now: () => clock, ...options });
  schedulers.push(s);
  return s;
}

/** Waits (bounded) until `check` holds; runs end in the background. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
}

/** The record of a workflow's slot, by its slot run id. */
const slotRecord = (name: string, slot: string) => store.get(slotRunId(name, slot));

/** What the notifier was told of runs: `workflow slot status`. */
const endedLines = () => told.ended.map(({ run }) => `${run.workflow} ${run.trigger.type === 'schedule' ? run.trigger.slot : '-'} ${run.status}`);

const SLOT = new Date('2026-11-30T08:00:00.000Z');
const S1 = SLOT.toISOString();
const S2 = '2026-12-07T08:00:00.000Z';
const S3 = '2026-12-14T08:00:00.000Z';

test('a firing runs the workflow once under its slot run id, logs fired and finished, and tells the notifier', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON');
  write('manual.yaml', 'manual');
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  const started = await s.start();
  assert.deepEqual(started.added.sort(), ['manual', 'weekly']);
  assert.deepEqual(
    cron.tasks.map((t) => t.spec),
    [{ name: 'weekly', cron: '0 9 * * MON', timezone: 'Europe/Berlin' }],
  );
  assert.ok(
    lines.some((l) => l === 'info   weekly: 0 9 * * MON (Europe/Berlin), next 2026-11-30T09:00:00+01:00'),
    lines.join('\n'),
  );
  assert.match(lines.find((l) => l.includes('started:'))!, /started: 1 workflow scheduled from .*, 1 on demand only/);

  cron.one('weekly').fire(SLOT);
  await s.idle();
  assert.equal(runs.calls.length, 1);
  const [call] = runs.calls;
  const runId = slotRunId('weekly', S1);
  assert.equal(call!.workflow.name, 'weekly');
  assert.deepEqual(call!.options.trigger, { type: 'schedule', slot: S1 });
  assert.equal(call!.options.runId, runId, 'the run id is the slot run id, as in queue mode');
  assert.equal(call!.options.signal.aborted, false);
  assert.deepEqual(s.inFlight(), new Map([[runId, 'weekly']]));
  call!.release({
    status: 'failed',
    error: { kind: 'tool', step: 'label', message: 'CONFLUENCE_ADD_CONTENT_LABEL failed: page 98310 not found (404)\nsecond line' },
  });
  await until(() => s.inFlight().size === 0, 'the run to finish');
  assert.ok(lines.includes(`info fired weekly slot ${S1} run ${runId}`), lines.join('\n'));
  assert.match(
    lines.find((l) => l.startsWith('info finished'))!,
    new RegExp(`^info finished weekly run ${runId}: failed in \\S+: tool in step label: CONFLUENCE_ADD_CONTENT_LABEL failed: page 98310 not found \\(404\\)$`),
  );
  await s.stop({ graceMs: 10 });
  assert.deepEqual(endedLines(), [`weekly ${S1} failed`]);
  assert.equal(told.ended[0]!.workflow.name, 'weekly');
  assert.equal(told.drained(), 1, 'stop drains the notifier');
});

test('a scheduled run that waits for a person is logged with the command that decides it, and told', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON');
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  cron.one('weekly').fire(SLOT);
  await s.idle();
  const [call] = runs.calls;
  call!.release({ status: 'waiting' });
  await until(() => s.inFlight().size === 0, 'the run to stop');
  assert.match(
    lines.find((l) => l.startsWith('info finished'))!,
    new RegExp(`^info finished weekly run ${call!.options.runId}: waiting in \\S+; it waits for a person: runner approve ${call!.options.runId.slice(0, 8)}$`),
  );
  await s.stop({ graceMs: 10 });
  assert.deepEqual(endedLines(), [`weekly ${S1} waiting`]);
});

test('overlap skip (the default): a slot that comes while the previous run goes on is recorded skipped, with why', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON');
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  cron.one('weekly').fire(SLOT);
  cron.one('weekly').fire(new Date(S2));
  await s.idle();
  assert.equal(runs.calls.length, 1, 'the second slot did not start a run');
  const first = runs.calls[0]!.options.runId;
  assert.deepEqual(
    lines.filter((l) => l.startsWith('warn skipped')),
    [`warn skipped weekly slot ${S2}: run ${first} (slot ${S1}) is still running (overlap: skip)`],
  );
  const skipped = await slotRecord('weekly', S2);
  assert.equal(skipped?.status, 'skipped');
  assert.deepEqual(skipped?.notes, [`run ${first} of slot ${S1} was still running (overlap: skip)`]);
  assert.deepEqual(skipped?.trigger, { type: 'schedule', slot: S2 });

  runs.calls[0]!.release();
  await until(() => s.inFlight().size === 0, 'the run to finish');
  assert.equal(runs.calls.length, 1, 'nothing was queued behind it');
  cron.one('weekly').fire(new Date(S3));
  await s.idle();
  assert.deepEqual(runs.slots(), [S1, S3], 'the next slot after it finished runs');
  runs.calls[1]!.release();
  await s.stop({ graceMs: 10 });
  assert.deepEqual(endedLines().sort(), [`weekly ${S1} succeeded`, `weekly ${S2} skipped`, `weekly ${S3} succeeded`]);
});

test('overlap queue: slots wait behind the run going on and run one after another, oldest first', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON', '', { overlap: 'queue' });
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  assert.ok(lines.includes('info   weekly: 0 9 * * MON (Europe/Berlin), next 2026-11-30T09:00:00+01:00; overlap: queue'), lines.join('\n'));
  for (const slot of [S1, S2, S3]) cron.one('weekly').fire(new Date(slot));
  await s.idle();
  assert.deepEqual(runs.slots(), [S1]);
  const first = slotRunId('weekly', S1);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('info queued')),
    [
      `info queued weekly slot ${S2} behind run ${first} (slot ${S1}); 1 slot waiting`,
      `info queued weekly slot ${S3} behind run ${first} (slot ${S1}); 2 slots waiting`,
    ],
  );
  runs.calls[0]!.release();
  await until(() => runs.calls.length === 2, 'the first queued slot to start');
  assert.deepEqual(runs.slots(), [S1, S2]);
  assert.equal(runs.calls[1]!.options.runId, slotRunId('weekly', S2));
  runs.calls[1]!.release();
  await until(() => runs.calls.length === 3, 'the second queued slot to start');
  assert.deepEqual(runs.slots(), [S1, S2, S3]);
  runs.calls[2]!.release();
  await until(() => s.inFlight().size === 0, 'the last run to finish');
  await s.stop({ graceMs: 10 });
  for (const slot of [S2, S3]) assert.equal(await slotRecord('weekly', slot), undefined, 'no skipped record: the runs recorded nothing here (fake runs)');
  assert.deepEqual(endedLines(), [`weekly ${S1} succeeded`, `weekly ${S2} succeeded`, `weekly ${S3} succeeded`]);
});

test('overlap queue: slots still waiting when serve stops are recorded as missed', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON', '', { overlap: 'queue' });
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  cron.one('weekly').fire(SLOT);
  cron.one('weekly').fire(new Date(S2));
  await s.idle();
  clock = new Date('2026-11-30T08:05:00.000Z');
  assert.deepEqual(await s.stop({ graceMs: 10 }), { finished: 0, cancelled: 1, abandoned: 0 });
  assert.deepEqual(runs.slots(), [S1], 'the queued slot did not start while stopping');
  const missed = await slotRecord('weekly', S2);
  assert.equal(missed?.status, 'missed');
  assert.deepEqual(missed?.notes, [
    'nothing ran this slot: runner serve stopped while the slot waited behind a run (overlap: queue) (noticed at 2026-11-30T08:05:00.000Z)',
  ]);
  assert.ok(lines.includes(`warn weekly: 1 queued slot will not run (stopping); recorded as missed: ${S2}`), lines.join('\n'));
  assert.deepEqual(endedLines(), [`weekly ${S2} missed`], 'the cancelled run is not told; the missed slot is');
});

test('overlap allow: runs of one workflow go on side by side, and shutdown cancels every one of them', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON', '', { overlap: 'allow' });
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  cron.one('weekly').fire(SLOT);
  cron.one('weekly').fire(new Date(S2));
  await s.idle();
  assert.deepEqual(runs.slots(), [S1, S2]);
  assert.deepEqual(
    s.inFlight(),
    new Map([
      [slotRunId('weekly', S1), 'weekly'],
      [slotRunId('weekly', S2), 'weekly'],
    ]),
  );
  runs.calls[1]!.release();
  await until(() => s.inFlight().size === 1, 'the second run to finish first');
  assert.deepEqual([...s.inFlight().keys()], [slotRunId('weekly', S1)], 'runs are tracked by run id, not by workflow');
  cron.one('weekly').fire(new Date(S3));
  await s.idle();
  assert.equal(s.inFlight().size, 2);
  assert.deepEqual(await s.stop({ graceMs: 10 }), { finished: 0, cancelled: 2, abandoned: 0 });
  assert.ok(
    runs.calls.filter((c) => c.options.trigger.type === 'schedule' && c.options.trigger.slot !== S2).every((c) => c.options.signal.aborted),
    'both runs still going were aborted',
  );
});

test('a run function that throws is logged and recorded failed under the slot run id, and does not block the next firing', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON');
  const cron = fakeCron();
  let calls = 0;
  const s = scheduler({
    schedule: cron.factory,
    run: async () => {
      calls++;
      throw new UserError('no model configured: set OPENAI_API_KEY');
    },
  });
  await s.start();
  cron.one('weekly').fire(SLOT);
  await s.idle();
  await until(() => s.inFlight().size === 0, 'the failed start to settle');
  const runId = slotRunId('weekly', S1);
  assert.ok(lines.includes(`error weekly run ${runId} could not run: no model configured: set OPENAI_API_KEY`), lines.join('\n'));
  const record = await store.get(runId);
  assert.equal(record?.status, 'failed');
  assert.deepEqual(record?.error && { kind: record.error.kind, message: record.error.message }, {
    kind: 'validation',
    message: 'no model configured: set OPENAI_API_KEY',
  });
  cron.one('weekly').fire(new Date(S2));
  await s.idle();
  assert.equal(calls, 2);
  await until(() => told.ended.length === 2, 'both failures to be told');
  assert.deepEqual(endedLines(), [`weekly ${S1} failed`, `weekly ${S2} failed`]);
});

test('a slot that already has a record is not run again', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON');
  await store.save(sampleRun({ id: slotRunId('weekly', S1), workflow: 'weekly', trigger: { type: 'schedule', slot: S1 } }));
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  cron.one('weekly').fire(SLOT);
  await s.idle();
  assert.equal(runs.calls.length, 0);
  assert.ok(lines.includes(`warn weekly slot ${S1} already has run ${slotRunId('weekly', S1)} (succeeded); not run again`), lines.join('\n'));
});

test('a paused schedule: its slots are recorded skipped with who paused it, when and why; resumed, it runs again', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON');
  await pauses.pause('weekly', { by: 'ana', at: '2026-11-29T10:00:00.000Z', reason: 'space TEAM is being migrated' });
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory, pauses });
  await s.start();
  cron.one('weekly').fire(SLOT);
  await s.idle();
  assert.equal(runs.calls.length, 0, 'a paused schedule runs nothing');
  const note = 'the schedule was paused by ana at 2026-11-29T10:00:00.000Z: space TEAM is being migrated';
  const skipped = await slotRecord('weekly', S1);
  assert.equal(skipped?.status, 'skipped');
  assert.deepEqual(skipped?.notes, [note]);
  assert.ok(lines.includes(`info skipped weekly slot ${S1}: ${note}`), lines.join('\n'));

  await pauses.resume('weekly');
  cron.one('weekly').fire(new Date(S2));
  await s.idle();
  assert.deepEqual(runs.slots(), [S2]);
  runs.calls[0]!.release();
  await s.stop({ graceMs: 10 });
  assert.deepEqual(endedLines(), [`weekly ${S1} skipped`, `weekly ${S2} succeeded`]);
});

test('reload schedules added and changed workflows, unschedules removed ones and keeps unchanged tasks', async () => {
  write('a.yaml', 'a', '0 9 * * MON');
  write('b.yaml', 'b', '0 10 * * TUE');
  write('c.yaml', 'c', '0 11 * * WED');
  const cron = fakeCron();
  const s = scheduler({ run: fakeRuns().run, schedule: cron.factory });
  await s.start();
  const [oldA, oldB, keptC] = [cron.one('a'), cron.one('b'), cron.one('c')];

  write('a.yaml', 'a', '30 9 * * MON');
  rmSync(join(dir, 'b.yaml'));
  write('d.yaml', 'd', '0 12 * * THU');
  assert.deepEqual(await s.reload(), { added: ['d'], changed: ['a'], removed: ['b'], invalid: [], kept: [] });
  assert.equal(oldA.destroyed, true);
  assert.equal(oldB.destroyed, true);
  assert.equal(keptC.destroyed, false);
  assert.equal(cron.one('c'), keptC, 'an unchanged workflow keeps its task');
  assert.equal(cron.one('a').spec.cron, '30 9 * * MON');
  assert.equal(cron.one('d').spec.cron, '0 12 * * THU');
  assert.deepEqual(cron.live('b'), []);
  assert.match(lines.at(-1)!, /^info reloaded: added d \(0 12 \* \* THU \(Europe\/Berlin\), next .*\); changed a \(30 9 \* \* MON .*\); removed b$/);

  const before = lines.length;
  assert.deepEqual(await s.reload(), { added: [], changed: [], removed: [], invalid: [], kept: [] });
  assert.equal(lines.length, before, 'a reload that changes nothing logs nothing');

  write('a.yaml', 'a');
  assert.deepEqual(await s.reload(), { added: [], changed: ['a'], removed: [], invalid: [], kept: [] });
  assert.deepEqual(cron.live('a'), [], 'a workflow whose schedule was removed has no task');
});

test('a file that turns invalid keeps its last valid schedule; invalid() is told once per change of its problems', async () => {
  write('a.yaml', 'a', '0 9 * * MON');
  write('b.yaml', 'b', '0 10 * * TUE');
  writeFileSync(join(dir, 'never.yaml'), 'version: 1\nname: never\n');
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  const started = await s.start();
  const neverFile = join(dir, 'never.yaml');
  assert.deepEqual(started.invalid, [neverFile]);
  assert.match(lines.find((l) => l.includes('started:'))!, /, 1 invalid file left out \(see above\)$/);
  assert.equal(told.invalid.length, 1);
  assert.equal(told.invalid[0]!.file, neverFile);
  assert.equal(told.invalid[0]!.workflow, undefined, 'a file never valid has no last valid version');
  const [taskA, taskB] = [cron.one('a'), cron.one('b')];
  const validA = runs.calls.length;

  const file = join(dir, 'a.yaml');
  write('a.yaml', 'a', '0 25 * * MON');
  assert.deepEqual(await s.reload(), { added: [], changed: [], removed: [], invalid: [file], kept: ['a'] });
  const problem = `${file}:4:9: invalid cron '0 25 * * MON': hour field '25' is out of range 0-23`;
  assert.ok(lines.includes(`error ${problem}`), lines.join('\n'));
  assert.match(lines.at(-1)!, /^info reloaded: invalid .*a\.yaml \(see above\); kept the last valid schedule of a$/);
  assert.equal(taskA.destroyed, false, 'the last valid schedule stays armed');
  assert.equal(cron.one('a'), taskA);
  assert.deepEqual(
    told.invalid.slice(1).map((r) => ({ file: r.file, workflow: r.workflow?.schedule?.cron, problems: r.problems })),
    [{ file, workflow: '0 9 * * MON', problems: [problem] }],
    'told with the last valid version, whose rules are the ones to use',
  );

  taskA.fire(SLOT);
  await s.idle();
  assert.deepEqual(
    runs.calls.slice(validA).map((c) => [c.workflow.name, c.workflow.schedule?.cron]),
    [['a', '0 9 * * MON']],
    'the kept schedule runs the last valid version',
  );
  runs.calls.at(-1)!.release();

  const before = lines.length;
  write('b.yaml', 'b', '0 10 * * TUE', '\n');
  assert.deepEqual(await s.reload(), { added: [], changed: ['b'], removed: [], invalid: [], kept: [] });
  assert.equal(lines.slice(before).filter((l) => l.startsWith('error')).length, 0, 'a file still invalid in the same way is not reported again');
  assert.equal(told.invalid.length, 2, 'nor told again');
  assert.equal(taskB.destroyed, true, 'the other file changed and was rescheduled');
  assert.equal(cron.one('a'), taskA, 'the invalid file still keeps its schedule');

  write('a.yaml', 'a', '0 26 * * MON');
  assert.deepEqual(await s.reload(), { added: [], changed: [], removed: [], invalid: [file], kept: ['a'] });
  assert.equal(told.invalid.length, 3, 'other problems are told again');
  assert.match(told.invalid[2]!.problems[0]!, /hour field '26'/);

  write('a.yaml', 'a', '30 9 * * MON');
  assert.deepEqual(await s.reload(), { added: [], changed: ['a'], removed: [], invalid: [], kept: [] });
  assert.equal(taskA.destroyed, true, 'the valid version replaces the kept one');
  assert.equal(cron.one('a').spec.cron, '30 9 * * MON');

  write('a.yaml', 'a', '0 25 * * MON');
  await s.reload();
  rmSync(file);
  assert.deepEqual(await s.reload(), { added: [], changed: [], removed: ['a'], invalid: [], kept: [] });
  assert.deepEqual(cron.live('a'), [], 'a deleted file unschedules, even after it was invalid');
});

/** Records a run of `workflow` for `slot`, as an earlier serve or worker left it. */
function recordSlot(workflow: string, slot: string, status: RunRecord['status']): Promise<void> {
  return store.save(sampleRun({ id: slotRunId(workflow, slot), workflow, status, trigger: { type: 'schedule', slot } }));
}

const HOURS = ['04', '05', '06', '07', '08'].map((h) => `2026-11-30T${h}:00:00.000Z`);

/** An hourly workflow whose newest recorded slot is 03:00, started at 08:20: slots 04:00-08:00 passed meanwhile. */
async function startAfterOutage(policy: Policy, options: Partial<LocalSchedulerOptions> = {}) {
  write('hourly.yaml', 'hourly', '0 * * * *', '', policy);
  write('brand-new.yaml', 'brand-new', '0 * * * *');
  await recordSlot('hourly', '2026-11-30T02:00:00.000Z', 'succeeded');
  await recordSlot('hourly', '2026-11-30T03:00:00.000Z', 'missed');
  await store.save(sampleRun({ id: 'a-manual-run-later', workflow: 'hourly', trigger: { type: 'manual' } }));
  clock = new Date('2026-11-30T08:20:00.000Z');
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: fakeCron().factory, ...options });
  await s.start();
  await s.idle();
  const statuses = async () => Promise.all(HOURS.map(async (slot) => (await slotRecord('hourly', slot))?.status ?? '-'));
  return { s, runs, statuses };
}

const DOWN_NOTE = 'nothing ran this slot: runner serve was not running (noticed at 2026-11-30T08:20:00.000Z)';

test('on start, slots after the newest recorded one are missed (catchup: none); a workflow with no record has none', async () => {
  const { runs, statuses } = await startAfterOutage({});
  assert.equal(runs.calls.length, 0);
  assert.deepEqual(await statuses(), ['missed', 'missed', 'missed', 'missed', 'missed']);
  assert.deepEqual((await slotRecord('hourly', HOURS[0]!))?.notes, [DOWN_NOTE]);
  assert.ok(
    lines.includes(`warn hourly: 5 slots from ${HOURS[0]} came late (runner serve was not running); running none; 5 recorded as missed (catchup: none)`),
    lines.join('\n'),
  );
  assert.deepEqual(await store.list({ workflow: 'brand-new' }), [], 'a new workflow has nothing to catch up');
  assert.deepEqual(
    endedLines(),
    HOURS.map((h) => `hourly ${h} missed`),
  );
});

test('on start, catchup: latest runs only the newest late slot; the older ones are missed', async () => {
  const { s, runs, statuses } = await startAfterOutage({ catchup: 'latest' });
  assert.deepEqual(runs.slots(), [HOURS[4]]);
  assert.deepEqual(await statuses(), ['missed', 'missed', 'missed', 'missed', '-']);
  assert.match(lines.find((l) => l.startsWith('warn hourly:'))!, /running 2026-11-30T08:00:00.000Z; 4 recorded as missed \(catchup: latest, window 1d\)$/);
  runs.calls[0]!.release();
  await s.stop({ graceMs: 10 });
});

test('on start, catchup: all runs each late slot within the window, oldest first (overlap: queue runs them in turn)', async () => {
  const { s, runs, statuses } = await startAfterOutage({ catchup: 'all', catchup_window: '2h30m', overlap: 'queue' });
  // 04:00 and 05:00 are more than 2h30m before 08:20: outside the window, missed.
  assert.deepEqual(await statuses(), ['missed', 'missed', '-', '-', '-']);
  assert.deepEqual(runs.slots(), [HOURS[2]]);
  runs.calls[0]!.release();
  await until(() => runs.calls.length === 2, 'the 07:00 slot');
  runs.calls[1]!.release();
  await until(() => runs.calls.length === 3, 'the 08:00 slot');
  assert.deepEqual(runs.slots(), HOURS.slice(2));
  runs.calls[2]!.release();
  await s.stop({ graceMs: 10 });
});

test('on start, caught-up slots are never dropped for a run going on: under overlap skip they wait their turn, as in the queue', async () => {
  const { s, runs, statuses } = await startAfterOutage({ catchup: 'all' });
  assert.deepEqual(runs.slots(), [HOURS[0]]);
  assert.deepEqual(await statuses(), ['-', '-', '-', '-', '-'], 'nothing skipped');
  for (let i = 0; i < HOURS.length; i++) {
    await until(() => runs.calls.length === i + 1, `slot ${HOURS[i]}`);
    runs.calls[i]!.release();
  }
  assert.deepEqual(runs.slots(), HOURS, 'oldest first, one after another');
  await until(() => s.inFlight().size === 0, 'the last run');
});

test('a paused workflow: its late slots are all recorded skipped, none missed, as in queue mode', async () => {
  await pauses.pause('hourly', { by: 'ana', at: '2026-11-30T04:30:00.000Z' });
  const { runs, statuses } = await startAfterOutage({ catchup: 'latest' }, { pauses });
  assert.equal(runs.calls.length, 0);
  assert.deepEqual(await statuses(), ['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
  assert.deepEqual((await slotRecord('hourly', HOURS[0]!))?.notes, ['the schedule was paused by ana at 2026-11-30T04:30:00.000Z']);
});

/** A clock and timers that move only when the test says. */
function fakeHost(start: string) {
  let now = Date.parse(start);
  const timers = new Map<number, { due: number; fn: () => void }>();
  let nextId = 1;
  const host: TimerHost = {
    now: () => now,
    setTimeout(fn, ms) {
      assert.ok(ms >= 0 && ms <= MAX_TIMER_MS);
      timers.set(nextId, { due: now + ms, fn });
      return nextId++;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  /** Moves the clock to `at` and runs the one armed timer there (late when `at` is past its due time). */
  const wakeAt = (at: string) => {
    assert.equal(timers.size, 1);
    const [id, timer] = [...timers][0]!;
    now = Date.parse(at);
    timers.delete(id);
    timer.fn();
  };
  return { host, wakeAt, due: () => new Date([...timers.values()][0]!.due).toISOString() };
}

test('a timer that fires late (the process was suspended): the slots it slept through are planned like missed ones', async () => {
  write('hourly.yaml', 'hourly', '0 * * * *', '', { catchup: 'latest' });
  const timers = fakeHost('2026-11-30T07:30:00.000Z');
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: timerSchedule({ host: timers.host }), now: () => new Date(timers.host.now()) });
  await s.start();
  assert.equal(timers.due(), '2026-11-30T08:00:00.000Z');
  // Asleep from before 08:00 to 11:20: slots 08:00 to 11:00 passed; 11:00 is 20 minutes late.
  timers.wakeAt('2026-11-30T11:20:00.000Z');
  await s.idle();
  const late = ['08', '09', '10', '11'].map((h) => `2026-11-30T${h}:00:00.000Z`);
  assert.deepEqual(runs.slots(), [late[3]], 'catchup: latest runs the newest');
  for (const slot of late.slice(0, 3)) {
    const record = await slotRecord('hourly', slot);
    assert.equal(record?.status, 'missed', slot);
    assert.deepEqual(record?.notes, ['nothing ran this slot: runner serve was suspended or stalled (noticed at 2026-11-30T11:20:00.000Z)']);
  }
  assert.ok(
    lines.includes(
      `warn hourly: 4 slots from ${late[0]} came late (the timer woke late: the process was suspended or stalled); running ${late[3]}; 3 recorded as missed (catchup: latest, window 1d)`,
    ),
    lines.join('\n'),
  );
  runs.calls[0]!.release();
  await until(() => s.inFlight().size === 0, 'the caught-up run');
  assert.equal(timers.due(), '2026-11-30T12:00:00.000Z', 'the timer armed for the next slot after now');
  timers.wakeAt('2026-11-30T12:00:00.000Z');
  await s.idle();
  assert.deepEqual(runs.slots(), [late[3], '2026-11-30T12:00:00.000Z'], 'an on-time slot just runs');
  runs.calls[1]!.release();
});

test('stop lets runs finish within the grace period, then aborts the rest; no firing starts after stop', async () => {
  write('fast.yaml', 'fast', '0 9 * * MON');
  write('slow.yaml', 'slow', '0 9 * * MON');
  const cron = fakeCron();
  const signals = new Map<string, AbortSignal>();
  const releases = new Map<string, () => void>();
  const s = scheduler({
    schedule: cron.factory,
    run: (workflow, options) =>
      new Promise((resolve) => {
        signals.set(workflow.name, options.signal);
        const done = (status: RunRecord['status']) => resolve(sampleRun({ id: options.runId, workflow: workflow.name, status }));
        releases.set(workflow.name, () => done('succeeded'));
        options.signal.addEventListener('abort', () => done('cancelled'));
      }),
  });
  await s.start();
  cron.one('fast').fire(SLOT);
  cron.one('slow').fire(SLOT);
  await s.idle();
  const stopping = s.stop({ graceMs: 300 });
  assert.equal(s.stop(), stopping, 'stop is safe to call twice');
  releases.get('fast')!();
  assert.deepEqual(await stopping, { finished: 1, cancelled: 1, abandoned: 0 });
  assert.equal(signals.get('fast')!.aborted, false, 'the run that finished in time was not aborted');
  assert.equal(signals.get('slow')!.aborted, true, 'the slow run observed its abort');
  assert.ok(
    cron.tasks.every((t) => t.destroyed),
    'every task stopped',
  );
  assert.ok(lines.includes(`warn grace period (300ms) over: cancelling slow run ${slotRunId('slow', S1)}`), lines.join('\n'));
  assert.ok(
    lines.some((l) => l.startsWith(`info finished slow run ${slotRunId('slow', S1)}: cancelled in `)),
    lines.join('\n'),
  );
  assert.equal(lines.at(-1), 'info stopped');
  cron.tasks[0]!.fire(SLOT);
  await s.idle();
  assert.equal(signals.size, 2, 'a firing after stop starts nothing');
});

/** Records the run a firing started as running, as the engine would before it hangs. */
function saveRunning(workflow: string, options: { runId: string; trigger: RunRecord['trigger'] }): Promise<void> {
  const attempts: RunRecord['attempts'] = [{ number: 1, status: 'running', startedAt: new Date().toISOString(), steps: [] }];
  return store.save(sampleRun({ id: options.runId, workflow, status: 'running', endedAt: undefined, error: undefined, trigger: options.trigger, attempts }));
}

test('a run that ignores its abort is recorded as cancelled in the store, so no record is left running', async () => {
  write('stuck.yaml', 'stuck', '0 9 * * MON');
  const cron = fakeCron();
  let runId = '';
  const s = scheduler({
    schedule: cron.factory,
    abortWaitMs: 20,
    run: async (workflow, options) => {
      runId = options.runId;
      await saveRunning(workflow.name, options);
      return new Promise<RunRecord>(() => {});
    },
  });
  await s.start();
  cron.one('stuck').fire(SLOT);
  await s.idle();
  await until(() => runId !== '', 'the run to start');
  await new Promise((r) => setImmediate(r));
  assert.equal((await store.get(runId))?.status, 'running');
  assert.deepEqual(await s.stop({ graceMs: 20 }), { finished: 0, cancelled: 0, abandoned: 1 });
  const record = await store.get(runId);
  assert.equal(record?.status, 'cancelled');
  assert.equal(record?.error?.kind, 'cancelled');
  assert.equal(record?.attempts[0]?.status, 'cancelled');
  assert.ok(record?.endedAt);
});

test('start fails for a folder that does not exist', async () => {
  const s = new LocalScheduler({
    dir: join(dir, 'missing'),
    lifecycle,
    run: fakeRuns().run,
    schedule: fakeCron().factory,
    logger: { info() {}, warn() {}, error() {} },
  });
  await assert.rejects(s.start(), (error: unknown) => error instanceof UserError && /missing: no such file or directory/.test(error.message));
});

test('timerSchedule on the system clock takes 5- and 6-field expressions and macros, and hands the slot to the callback', async () => {
  const factory = timerSchedule();
  const weekly = factory({ name: 'weekly', cron: '0 9 * * MON', timezone: 'UTC' }, () => {});
  const daily = factory({ name: 'daily', cron: '@daily', timezone: 'America/New_York' }, () => {});
  try {
    const next = weekly.nextRun()!;
    assert.deepEqual([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes(), next.getUTCSeconds()], [1, 9, 0, 0]);
    assert.equal(DateTime.fromJSDate(daily.nextRun()!, { zone: 'America/New_York' }).toFormat('HH:mm:ss'), '00:00:00');
  } finally {
    weekly.destroy();
    daily.destroy();
  }
  let task: CronTask | undefined;
  const slot = await new Promise<Date>((resolve) => {
    task = factory({ name: 'every-second', cron: '* * * * * *', timezone: 'UTC' }, resolve);
  });
  task!.destroy();
  task!.destroy();
  assert.equal(slot.getMilliseconds(), 0, 'the callback gets the scheduled slot (a whole second), not the moment it ran');
  assert.ok(slot.getTime() <= Date.now());
});

test('abandonInFlight (a second signal) records every run in flight as cancelled at once, without waiting for them', async () => {
  write('hanging.yaml', 'hanging', '0 9 * * MON', '', { overlap: 'allow' });
  const cron = fakeCron();
  const runIds: string[] = [];
  let aborted = 0;
  const s = scheduler({
    schedule: cron.factory,
    abortWaitMs: 20,
    run: async (workflow, options) => {
      runIds.push(options.runId);
      options.signal.addEventListener('abort', () => aborted++);
      await saveRunning(workflow.name, options);
      return new Promise<RunRecord>(() => {});
    },
  });
  await s.start();
  cron.one('hanging').fire(SLOT);
  cron.one('hanging').fire(new Date(S2));
  await s.idle();
  await until(() => runIds.length === 2, 'both runs to start');
  await new Promise((r) => setImmediate(r));
  assert.equal(await s.abandonInFlight(), 2, 'both runs of the one workflow');
  assert.equal(aborted, 2, 'the runs were told to stop too');
  for (const id of runIds) {
    const record = await store.get(id);
    assert.equal(record?.status, 'cancelled');
    assert.match(record?.error?.message ?? '', /told twice to stop/);
    assert.equal(record?.attempts[0]?.status, 'cancelled');
  }
  const message = (await store.get(runIds[0]!))?.error?.message;
  await s.stop({ graceMs: 20 });
  assert.equal((await store.get(runIds[0]!))?.error?.message, message, 'stopping afterwards changes nothing');
});
