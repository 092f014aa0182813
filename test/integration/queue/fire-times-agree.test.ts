/**
 * One owner for fire times: the four consumers, given one fixed "now", name the same instants for the same
 * expression and zone. `runner list --from` (the CLI as a child process), `planRun` with a fixed `run.started_at`,
 * `runner schedule sync` into the real Redis, then BullMQ itself (the Queue computes each scheduler's first job
 * from a `startDate` of "now", and a Worker, after taking each promoted job, computes the next), and `runner serve`'s
 * scheduler on timers with an injected clock.
 *
 * "Now" is in 2099 so that BullMQ's start date is in the future whenever this runs. It sits 20 minutes before
 * Chatham's spring-forward (last Sunday of September, 02:45 +12:45 -> 03:45 +13:45, at 2099-09-26T14:00Z) and a week
 * before Lord Howe's (first Sunday of October, 02:00 +10:30 -> 02:30 +11:00, at 2099-10-03T15:30Z), and the other
 * expressions are the defects that made the consumers disagree or crash.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'bullmq';
import { planRun } from '../../../src/engine/plan.ts';
import { connectRedis } from '../../../src/queue/connection.ts';
import { QUEUE_NAME } from '../../../src/queue/names.ts';
import { SCHEDULE_SETTINGS } from '../../../src/queue/repeat-strategy.ts';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { timerSchedule, type TimerHost } from '../../../src/serve/cron-task.ts';
import { LocalScheduler } from '../../../src/serve/local-scheduler.ts';
import { SecretRegistry } from '../../../src/shared/secrets.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflow } from '../../../src/workflow/load.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import { REDIS_URL, testbed, until, type Testbed } from './helpers.ts';

const NOW = '2099-09-26T13:40:00.000Z';
const COUNT = 3;
const SCHEDULES: ReadonlyArray<{ name: string; cron: string; timezone: string }> = [
  { name: 'chatham-sunday', cron: '45 3 * * SUN', timezone: 'Pacific/Chatham' },
  { name: 'chatham-quarter', cron: '*/15 * * * *', timezone: 'Pacific/Chatham' },
  { name: 'howe-sunday', cron: '30 2 * * SUN', timezone: 'Australia/Lord_Howe' },
  { name: 'howe-skipped', cron: '15 2 * * SUN', timezone: 'Australia/Lord_Howe' },
  { name: 'berlin-either-day', cron: '0 9 1-7 * MON', timezone: 'Europe/Berlin' },
  { name: 'utc-from-five', cron: '5/15 * * * *', timezone: 'UTC' },
  { name: 'sunday-twice', cron: '0 9 * * 0,7', timezone: 'America/New_York' },
  { name: 'monday-twice', cron: '0 9 * * 1-5,MON', timezone: 'Asia/Kolkata' },
  { name: 'seconds-last-day', cron: '30 0 12 L * *', timezone: 'Europe/Berlin' },
];

const beds: Testbed[] = [];
after(async () => {
  for (const bed of beds) await bed.close();
});

/** A clock and a timer queue that move only when the test says; due timers run in order. */
function fakeHost(start: string) {
  let now = Date.parse(start);
  let seq = 0;
  const timers = new Map<number, { due: number; seq: number; fn: () => void }>();
  const host: TimerHost = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++seq;
      timers.set(id, { due: now + ms, seq: id, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  /** Runs the earliest timer at its due time; false when none is armed. */
  const step = () => {
    const next = [...timers.entries()].sort(([, a], [, b]) => a.due - b.due || a.seq - b.seq)[0];
    if (!next) return false;
    timers.delete(next[0]);
    now = Math.max(now, next[1].due);
    next[1].fn();
    return true;
  };
  return { host, step };
}

test('list --from, planRun, schedule sync + BullMQ, and serve agree on every fire time', { timeout: 60_000 }, async () => {
  const bed = testbed('fire-agree');
  beds.push(bed);
  const dir = join(bed.ws.dir, 'workflows');
  bed.folder('workflows', []);
  for (const s of SCHEDULES) {
    writeFileSync(
      join(dir, `${s.name}.yaml`),
      `version: 1\nname: ${s.name}\nschedule:\n  cron: "${s.cron}"\n  timezone: ${s.timezone}\ntools:\n  allow: [CONFLUENCE_GET_CURRENT_USER]\nsteps:\n  - id: whoami\n    tool: CONFLUENCE_GET_CURRENT_USER\n`,
    );
  }

  // 1. runner list --from, as a child process.
  const listed = await bed.cli(['list', dir, '--from', NOW, '--count', String(COUNT), '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const byList = new Map((JSON.parse(listed.stdout) as Array<{ name: string; next: string[] }>).map((r) => [r.name, r.next]));

  // 2. planRun with run.started_at = now.
  const catalogue = confluenceCatalogue();
  const byPlan = new Map<string, string[]>();
  for (const s of SCHEDULES) {
    const workflow = await loadWorkflow(join(dir, `${s.name}.yaml`), { tools: catalogue });
    const plan = planRun(workflow, {
      inputs: {},
      config: { model: 'gpt-5', backend: 'sandbox' },
      catalogue,
      run: { id: 'plan', scheduled_at: NOW, started_at: NOW, trigger: 'manual', attempt: 1 },
    });
    assert.equal(plan.schedule?.problem, undefined);
    byPlan.set(s.name, plan.schedule!.next);
  }

  // 3. runner schedule sync into Redis; then BullMQ computes the fire times: the Queue the first (a start date of
  // `now` on each scheduler, as synced), a Worker each next one after taking the job of the one before.
  const synced = await bed.cli(['schedule', 'sync', dir]);
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(synced.stdout, new RegExp(`^${SCHEDULES.length} added, 0 changed, 0 removed, 0 unchanged$`, 'm'));
  for (const s of SCHEDULES) {
    const scheduler = await bed.queue.getJobScheduler(s.name);
    assert.deepEqual([scheduler?.pattern, scheduler?.tz], [s.cron, s.timezone], 'synced as written');
    await bed.queue.upsertJobScheduler(s.name, { pattern: scheduler!.pattern, tz: scheduler!.tz, startDate: Date.parse(NOW) }, scheduler!.template ?? {});
  }
  const byBull = new Map<string, string[]>(SCHEDULES.map((s) => [s.name, []]));
  for (const s of SCHEDULES) byBull.get(s.name)!.push(new Date((await bed.queue.getJobScheduler(s.name))!.next!).toISOString());
  const blocking = connectRedis(REDIS_URL, { name: 'fire-agree-worker' });
  const worker = new Worker(QUEUE_NAME, async () => {}, { connection: blocking, prefix: bed.prefix, settings: SCHEDULE_SETTINGS });
  worker.on('error', () => {});
  try {
    for (let round = 1; round < COUNT; round++) {
      for (const s of SCHEDULES) {
        const times = byBull.get(s.name)!;
        const current = Date.parse(times.at(-1)!);
        const job = await bed.queue.getJob(`repeat:${s.name}:${current}`);
        assert.ok(job, `the delayed job of ${s.name} at ${times.at(-1)}`);
        await job.promote();
        const next = await until(`the worker to schedule ${s.name} after ${times.at(-1)}`, async () => {
          const n = (await bed.queue.getJobScheduler(s.name))?.next;
          return n && n !== current ? n : undefined;
        });
        times.push(new Date(next).toISOString());
      }
    }
  } finally {
    await worker.close();
    await blocking.quit();
  }

  // 4. runner serve's scheduler on timers with an injected clock at `now` (the quarter-hourly ones fire some
  // 12,000 times before the monthly one has fired thrice).
  const clock = fakeHost(NOW);
  const byServe = new Map<string, string[]>(SCHEDULES.map((s) => [s.name, []]));
  const serveStore = openSqliteRunStore(join(bed.ws.dir, 'serve-runs.db'));
  const serve = new LocalScheduler({
    dir,
    lifecycle: new RunLifecycle(serveStore, { secrets: new SecretRegistry() }),
    now: () => new Date(clock.host.now()),
    schedule: timerSchedule({ host: clock.host }),
    logger: { info() {}, warn: (m) => assert.fail(m), error: (m) => assert.fail(m) },
    run: async (workflow, options) => {
      if (options.trigger.type === 'schedule') byServe.get(workflow.name)!.push(options.trigger.slot);
      return sampleRun({ id: options.runId, workflow: workflow.name, trigger: options.trigger });
    },
  });
  await serve.start();
  try {
    for (let i = 0; i < 20_000 && [...byServe.values()].some((t) => t.length < COUNT); i++) {
      assert.ok(clock.step(), 'a timer is armed');
      // Let the run of this firing settle, so the next firing of the same workflow is not an overlap.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await serve.stop({ graceMs: 100 });
    await serveStore.close();
  }

  for (const s of SCHEDULES) {
    const list = byList.get(s.name);
    assert.equal(list?.length, COUNT, `${s.name}: list`);
    assert.deepEqual(byPlan.get(s.name), list, `${s.name} (${s.cron}, ${s.timezone}): plan vs list`);
    assert.deepEqual(byBull.get(s.name), list, `${s.name} (${s.cron}, ${s.timezone}): BullMQ vs list`);
    assert.deepEqual(byServe.get(s.name)!.slice(0, COUNT), list, `${s.name} (${s.cron}, ${s.timezone}): serve vs list`);
  }
  // What they agree on is the policy: 03:45 on Chatham's change day is the instant the clocks jump to it (14:00Z), not
  // an hour later; */15 runs 02:30 (13:45Z), then once for the skipped 02:45-03:30 and 03:45 (14:00Z), then 04:00.
  assert.deepEqual(byList.get('chatham-sunday')![0], '2099-09-26T14:00:00.000Z');
  assert.deepEqual(byList.get('chatham-quarter'), ['2099-09-26T13:45:00.000Z', '2099-09-26T14:00:00.000Z', '2099-09-26T14:15:00.000Z']);
  // Lord Howe, Sunday 4 October: 02:30 exists (+11:00) = 3 October 15:30Z; 02:15 is skipped and runs at the same instant.
  assert.equal(byList.get('howe-sunday')![1], '2099-10-03T15:30:00.000Z');
  assert.equal(byList.get('howe-skipped')![1], '2099-10-03T15:30:00.000Z');
});
