import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { DateTime } from 'luxon';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { SecretRegistry } from '../../../src/shared/secrets.ts';
import type { RunRecord, RunStore } from '../../../src/runs/types.ts';
import { timerSchedule, type CronTask, type ScheduleFactory } from '../../../src/serve/cron-task.ts';
import { LocalScheduler, type LocalSchedulerOptions, type RunFunction } from '../../../src/serve/local-scheduler.ts';
import { UserError } from '../../../src/shared/errors.ts';
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
  return { calls, run };
}

let dir: string;
let lines: string[];
let schedulers: LocalScheduler[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-serve-unit-'));
  lines = [];
  schedulers = [];
});

afterEach(async () => {
  for (const s of schedulers) await s.stop({ graceMs: 10 });
  rmSync(dir, { recursive: true, force: true });
});

function write(file: string, name: string, cron?: string, extra = ''): void {
  const schedule = cron ? `schedule:\n  cron: "${cron}"\n  timezone: Europe/Berlin\n` : '';
  writeFileSync(join(dir, file), `version: 1\nname: ${name}\n${schedule}prompt: List the pages of space TEAM.${extra}\n`);
}

function scheduler(options: Partial<LocalSchedulerOptions> & Pick<LocalSchedulerOptions, 'run'>): LocalScheduler {
  const logger = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
  const s = new LocalScheduler({ dir, logger, ...options });
  schedulers.push(s);
  return s;
}

/** Waits (bounded) until `check` holds; the scheduler runs firings in the background. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
}

const SLOT = new Date('2026-11-30T08:00:00.000Z');

test('a firing runs the workflow once with a schedule trigger for its slot, and logs fired and finished', async () => {
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
  assert.equal(runs.calls.length, 1);
  const [call] = runs.calls;
  assert.equal(call!.workflow.name, 'weekly');
  assert.deepEqual(call!.options.trigger, { type: 'schedule', slot: '2026-11-30T08:00:00.000Z' });
  assert.match(call!.options.runId, /^[0-9a-f-]{36}$/);
  assert.equal(call!.options.signal.aborted, false);
  assert.deepEqual(s.inFlight(), new Map([['weekly', call!.options.runId]]));
  call!.release({
    status: 'failed',
    error: { kind: 'tool', step: 'label', message: 'CONFLUENCE_ADD_CONTENT_LABEL failed: page 98310 not found (404)\nsecond line' },
  });
  await until(() => s.inFlight().size === 0, 'the run to finish');
  assert.ok(lines.includes(`info fired weekly slot 2026-11-30T08:00:00.000Z run ${call!.options.runId}`), lines.join('\n'));
  assert.match(
    lines.find((l) => l.startsWith('info finished'))!,
    new RegExp(
      `^info finished weekly run ${call!.options.runId}: failed in \\S+: tool in step label: CONFLUENCE_ADD_CONTENT_LABEL failed: page 98310 not found \\(404\\)$`,
    ),
  );
});

test('a scheduled run that waits for a person is logged with the command that decides it', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON');
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  cron.one('weekly').fire(SLOT);
  const [call] = runs.calls;
  call!.release({ status: 'waiting' });
  await until(() => s.inFlight().size === 0, 'the run to stop');
  assert.match(
    lines.find((l) => l.startsWith('info finished'))!,
    new RegExp(`^info finished weekly run ${call!.options.runId}: waiting in \\S+; it waits for a person: runner approve ${call!.options.runId.slice(0, 8)}$`),
  );
});

test('a firing while the previous run is still going is skipped and logged, not queued', async () => {
  write('weekly.yaml', 'weekly', '0 9 * * MON');
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  cron.one('weekly').fire(SLOT);
  cron.one('weekly').fire(new Date('2026-12-07T08:00:00.000Z'));
  assert.equal(runs.calls.length, 1, 'the second firing did not start a run');
  const skipped = lines.filter((l) => l.startsWith('warn skipped'));
  assert.deepEqual(skipped, [
    `warn skipped weekly slot 2026-12-07T08:00:00.000Z: run ${runs.calls[0]!.options.runId} (slot 2026-11-30T08:00:00.000Z) is still running; overlapping firings are skipped, not queued`,
  ]);
  runs.calls[0]!.release();
  await until(() => s.inFlight().size === 0, 'the run to finish');
  assert.equal(runs.calls.length, 1, 'nothing was queued behind it');
  cron.one('weekly').fire(new Date('2026-12-14T08:00:00.000Z'));
  assert.equal(runs.calls.length, 2, 'the next firing after it finished runs');
  assert.equal(runs.calls[1]!.options.trigger.type === 'schedule' && runs.calls[1]!.options.trigger.slot, '2026-12-14T08:00:00.000Z');
});

test('a run function that throws is logged and does not block the next firing', async () => {
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
  await until(() => s.inFlight().size === 0, 'the failed start to settle');
  assert.ok(
    lines.some((l) => /^error weekly run [0-9a-f-]{36} could not run: no model configured: set OPENAI_API_KEY$/.test(l)),
    lines.join('\n'),
  );
  cron.one('weekly').fire(new Date('2026-12-07T08:00:00.000Z'));
  assert.equal(calls, 2);
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
  assert.deepEqual(await s.reload(), { added: ['d'], changed: ['a'], removed: ['b'], invalid: [] });
  assert.equal(oldA.destroyed, true);
  assert.equal(oldB.destroyed, true);
  assert.equal(keptC.destroyed, false);
  assert.equal(cron.one('c'), keptC, 'an unchanged workflow keeps its task');
  assert.equal(cron.one('a').spec.cron, '30 9 * * MON');
  assert.equal(cron.one('d').spec.cron, '0 12 * * THU');
  assert.deepEqual(cron.live('b'), []);
  assert.match(lines.at(-1)!, /^info reloaded: added d \(0 12 \* \* THU \(Europe\/Berlin\), next .*\); changed a \(30 9 \* \* MON .*\); removed b$/);

  const before = lines.length;
  assert.deepEqual(await s.reload(), { added: [], changed: [], removed: [], invalid: [] });
  assert.equal(lines.length, before, 'a reload that changes nothing logs nothing');

  write('a.yaml', 'a');
  assert.deepEqual(await s.reload(), { added: [], changed: ['a'], removed: [], invalid: [] });
  assert.deepEqual(cron.live('a'), [], 'a workflow whose schedule was removed has no task');
});

test('a file that becomes invalid is reported with its diagnostics and loses its task; the others keep running', async () => {
  write('a.yaml', 'a', '0 9 * * MON');
  write('b.yaml', 'b', '0 10 * * TUE');
  const cron = fakeCron();
  const runs = fakeRuns();
  const s = scheduler({ run: runs.run, schedule: cron.factory });
  await s.start();
  const [oldA, taskB] = [cron.one('a'), cron.one('b')];

  write('a.yaml', 'a', '0 25 * * MON');
  const summary = await s.reload();
  assert.deepEqual(summary, { added: [], changed: [], removed: ['a'], invalid: [join(dir, 'a.yaml')] });
  assert.equal(oldA.destroyed, true);
  assert.deepEqual(cron.live('a'), []);
  assert.ok(lines.includes(`error ${join(dir, 'a.yaml')}:4:9: invalid cron '0 25 * * MON': hour field '25' is out of range 0-23`), lines.join('\n'));
  assert.match(lines.at(-1)!, /^info reloaded: removed a; invalid .*a\.yaml \(see above\)$/);

  assert.equal(cron.one('b'), taskB);
  taskB.fire(SLOT);
  assert.deepEqual(
    runs.calls.map((c) => c.workflow.name),
    ['b'],
  );
  runs.calls[0]!.release();

  const before = lines.length;
  write('b.yaml', 'b', '0 10 * * TUE', '\n');
  await s.reload();
  assert.equal(lines.slice(before).filter((l) => l.startsWith('error')).length, 0, 'a file still invalid in the same way is not reported again');

  write('a.yaml', 'a', '0 9 * * MON');
  assert.deepEqual(await s.reload(), { added: ['a'], changed: [], removed: [], invalid: [] });
  assert.equal(cron.live('a').length, 1);
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
  assert.ok(
    lines.some((l) => /^warn grace period \(300ms\) over: cancelling slow run [0-9a-f-]{36}$/.test(l)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => /^info finished slow run [0-9a-f-]{36}: cancelled in /.test(l)),
    lines.join('\n'),
  );
  assert.equal(lines.at(-1), 'info stopped');
  cron.tasks[0]!.fire(SLOT);
  assert.equal(signals.size, 2, 'a firing after stop starts nothing');
});

/** Records the run a firing started as running, as the engine would before it hangs. */
function saveRunning(store: RunStore, workflow: string, options: { runId: string; trigger: RunRecord['trigger'] }): Promise<void> {
  const attempts: RunRecord['attempts'] = [{ number: 1, status: 'running', startedAt: new Date().toISOString(), steps: [] }];
  return store.save(sampleRun({ id: options.runId, workflow, status: 'running', endedAt: undefined, error: undefined, trigger: options.trigger, attempts }));
}

test('a run that ignores its abort is recorded as cancelled in the store, so no record is left running', async () => {
  write('stuck.yaml', 'stuck', '0 9 * * MON');
  const store = openSqliteRunStore(join(dir, 'runs.db'));
  const cron = fakeCron();
  let runId = '';
  const s = scheduler({
    schedule: cron.factory,
    lifecycle: new RunLifecycle(store, { secrets: new SecretRegistry() }),
    abortWaitMs: 20,
    run: async (workflow, options) => {
      runId = options.runId;
      await saveRunning(store, workflow.name, options);
      return new Promise<RunRecord>(() => {});
    },
  });
  try {
    await s.start();
    cron.one('stuck').fire(SLOT);
    await until(() => runId !== '', 'the run to start');
    await new Promise((r) => setImmediate(r));
    assert.equal((await store.get(runId))?.status, 'running');
    assert.deepEqual(await s.stop({ graceMs: 20 }), { finished: 0, cancelled: 0, abandoned: 1 });
    const record = await store.get(runId);
    assert.equal(record?.status, 'cancelled');
    assert.equal(record?.error?.kind, 'cancelled');
    assert.equal(record?.attempts[0]?.status, 'cancelled');
    assert.ok(record?.endedAt);
  } finally {
    await store.close();
  }
});

test('start fails for a folder that does not exist', async () => {
  const s = new LocalScheduler({ dir: join(dir, 'missing'), run: fakeRuns().run, schedule: fakeCron().factory, logger: { info() {}, warn() {}, error() {} } });
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
  write('hanging.yaml', 'hanging', '0 9 * * MON');
  const store = openSqliteRunStore(join(dir, 'runs-abandon.db'));
  const cron = fakeCron();
  let runId = '';
  let aborted = false;
  const s = scheduler({
    schedule: cron.factory,
    lifecycle: new RunLifecycle(store, { secrets: new SecretRegistry() }),
    abortWaitMs: 20,
    run: async (workflow, options) => {
      runId = options.runId;
      options.signal.addEventListener('abort', () => (aborted = true));
      await saveRunning(store, workflow.name, options);
      return new Promise<RunRecord>(() => {});
    },
  });
  try {
    await s.start();
    cron.one('hanging').fire(SLOT);
    await until(() => runId !== '', 'the run to start');
    await new Promise((r) => setImmediate(r));
    assert.equal(await s.abandonInFlight(), 1);
    assert.equal(aborted, true, 'the run was told to stop too');
    const record = await store.get(runId);
    assert.equal(record?.status, 'cancelled');
    assert.match(record?.error?.message ?? '', /told twice to stop/);
    assert.equal(record?.attempts[0]?.status, 'cancelled');
    await s.stop({ graceMs: 20 });
    assert.equal((await store.get(runId))?.error?.message, record?.error?.message, 'stopping afterwards changes nothing');
  } finally {
    await store.close();
  }
});
