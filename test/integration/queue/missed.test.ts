/**
 * Queue mode, late slots and `schedule.catchup`: the processor (a plain function) is given a real scheduler job
 * from Redis whose slot lies hours in the past. With `catchup: none` the late slot and the slots BullMQ never made
 * jobs for are recorded as `missed`; with `latest` only the newest runs; with `all` every slot within
 * `catchup_window` runs. Slots other than the job's own run in catch-up jobs named by their slot run id, which real
 * workers then run, each once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from 'bullmq';
import { loadConfig } from '../../../src/config/config.ts';
import { redisInFlight } from '../../../src/queue/in-flight.ts';
import type { RunJobData } from '../../../src/queue/payload.ts';
import { createRunProcessor } from '../../../src/queue/processor.ts';
import { syncSchedules } from '../../../src/queue/schedules.ts';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import { openRedisPauseStore } from '../../../src/schedules/pauses.ts';
import type { Workflow } from '../../../src/workflow/types.ts';
import { fixtureVariant, loadFixture, recordingNotifier, type RecordingNotifier, bedsWithSite, type Testbed, until } from './helpers.ts';

const HOUR = 3600_000;
const beds = bedsWithSite('missed');

/** `hourly-label` with these lines added to its schedule. */
function hourly(bed: Testbed, lines: string[]): Promise<Workflow> {
  return fixtureVariant(bed.ws.dir, 'hourly-label.yaml', (text) =>
    text.replace('  timezone: UTC\n', `  timezone: UTC\n${lines.map((l) => `  ${l}\n`).join('')}`),
  );
}

/** Syncs the workflow; answers its scheduler's next job (a real job in Redis) and that job's slot. */
async function schedulerJob(bed: Testbed, workflow: Workflow): Promise<{ job: Job<RunJobData>; slotMs: number }> {
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [workflow]);
  const slotMs = (await bed.queue.getJobScheduler(workflow.name))!.next!;
  const job = await bed.queue.getJob(`repeat:${workflow.name}:${slotMs}`);
  assert.ok(job, "the scheduler's next job is in Redis");
  assert.equal(job.repeatJobKey, workflow.name);
  return { job, slotMs };
}

/** The processor as a worker builds it, on the testbed's Redis, with a clock stopped at `now`. */
function processor(bed: Testbed, now: Date, notifier: RecordingNotifier) {
  const config = loadConfig({ env: bed.env({ RUNNER_SANDBOX_URL: beds.site.url }), cwd: bed.ws.dir });
  return createRunProcessor({
    config,
    store: bed.store,
    worker: 'test:1',
    now: () => now,
    notifier,
    queue: bed.queue,
    inFlight: redisInFlight(bed.redis, bed.prefix),
    pauses: openRedisPauseStore(bed.redis, bed.prefix),
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
const slotOf = (run: RunRecord) => (run.trigger.type === 'schedule' ? run.trigger.slot : '');

/** The workflow's records by slot. */
async function bySlot(bed: Testbed, name: string): Promise<Map<string, RunRecord>> {
  return new Map((await bed.runsOf(name)).map((r) => [slotOf(r), r]));
}

test('catchup none: a job four hours late records its slot and the four after it as missed, runs nothing', { timeout: 20_000 }, async () => {
  const bed = beds.add('catchup-none');
  const workflow = await loadFixture('hourly-label.yaml');
  assert.equal(workflow.schedule?.catchup, 'none', 'the default');
  const { job, slotMs } = await schedulerJob(bed, workflow);
  const now = new Date(slotMs + 4 * HOUR + 20 * 60_000);
  const notifier = recordingNotifier();
  const processJob = processor(bed, now, notifier);
  const slot = iso(slotMs);

  assert.deepEqual(await processJob(job, 'token'), { runId: slotRunId('hourly-label', slot), status: 'missed' });
  const records = await bySlot(bed, 'hourly-label');
  const slots = [0, 1, 2, 3, 4].map((h) => iso(slotMs + h * HOUR));
  assert.deepEqual([...records.keys()].sort(), slots);
  for (const at of slots) {
    const record = records.get(at)!;
    assert.equal(record.status, 'missed');
    assert.equal(record.id, slotRunId('hourly-label', at));
    assert.deepEqual(record.attempts, [], 'a missed slot never ran');
    assert.equal(record.workflowHash, workflow.hash);
  }
  assert.deepEqual(records.get(slot)!.notes, [`late: its job started at ${now.toISOString()}, 4h20m late; catchup: none, catchup_window: 1d leaves it out`]);
  assert.deepEqual(records.get(slots[1]!)!.notes, [
    `no worker ran this slot; noticed at ${now.toISOString()} by the job of slot ${slot}, 3h20m late; catchup: none, catchup_window: 1d leaves it out`,
  ]);
  for (const at of slots.slice(1)) assert.equal(await bed.queue.getJob(slotRunId('hourly-label', at)), undefined, `no catch-up job for ${at}`);
  assert.deepEqual(
    notifier.ended.map((e) => [e.status, e.slot]),
    slots.map((at) => ['missed', at]),
    'every missed record is told, once',
  );

  // The same job delivered again: nothing recorded twice, nobody told twice.
  assert.deepEqual(await processJob(job, 'token'), { runId: slotRunId('hourly-label', slot), status: 'missed', duplicate: true });
  assert.equal((await bed.runsOf('hourly-label')).length, 5);
  assert.equal(notifier.ended.length, 5);
});

test('catchup latest: only the newest late slot runs, in a catch-up job that one of two workers runs once', { timeout: 40_000 }, async () => {
  const bed = beds.add('catchup-latest');
  const workflow = await hourly(bed, ['catchup: latest']);
  const { job, slotMs } = await schedulerJob(bed, workflow);
  const now = new Date(slotMs + 4 * HOUR + 20 * 60_000);
  const notifier = recordingNotifier();
  const processJob = processor(bed, now, notifier);

  assert.equal((await processJob(job, 'token')).status, 'missed');
  const newest = iso(slotMs + 4 * HOUR);
  const catchUp = await bed.queue.getJob(slotRunId('hourly-label', newest));
  assert.ok(catchUp, 'the newest slot has a job named by its run id');
  assert.deepEqual([catchUp.data.slot, catchUp.data.origin], [newest, 'catchup']);
  assert.deepEqual(
    notifier.ended.map((e) => [e.status, e.slot]),
    [0, 1, 2, 3].map((h) => ['missed', iso(slotMs + h * HOUR)]),
  );

  const env = { RUNNER_SANDBOX_URL: beds.site.url };
  const workers = await Promise.all([bed.worker(env), bed.worker(env)]);
  const ran = await until('the caught-up slot to finish', async () => {
    const run = (await bySlot(bed, 'hourly-label')).get(newest);
    return run?.status === 'succeeded' || run?.status === 'failed' ? run : undefined;
  });
  assert.equal(ran.status, 'succeeded', JSON.stringify(ran.error));
  assert.equal(ran.id, slotRunId('hourly-label', newest));
  assert.deepEqual(ran.trigger, { type: 'schedule', slot: newest });
  assert.equal(ran.attempts.length, 1);
  assert.ok(
    workers.some((w) => w.identity === ran.attempts[0]!.worker),
    'one of the workers ran it',
  );
  const statuses = [...(await bySlot(bed, 'hourly-label')).values()].map((r) => r.status).sort();
  assert.deepEqual(statuses, ['missed', 'missed', 'missed', 'missed', 'succeeded']);
  await until('the catch-up job to complete', async () => (await bed.queue.getJobState(catchUp.id!)) === 'completed');
});

test('catchup all: the slots within catchup_window run in catch-up jobs, each once, one at a time; older ones are missed', { timeout: 60_000 }, async () => {
  const bed = beds.add('catchup-all');
  const workflow = await hourly(bed, ['catchup: all', 'catchup_window: 3h']);
  const { job, slotMs } = await schedulerJob(bed, workflow);
  const now = new Date(slotMs + 4 * HOUR + 20 * 60_000);
  const notifier = recordingNotifier();
  const processJob = processor(bed, now, notifier);

  // 4h20m and 3h20m late: outside the 3 h window. 2h20m, 1h20m and 20m late: caught up.
  assert.equal((await processJob(job, 'token')).status, 'missed');
  const missed = [0, 1].map((h) => iso(slotMs + h * HOUR));
  const caught = [2, 3, 4].map((h) => iso(slotMs + h * HOUR));
  assert.deepEqual(
    notifier.ended.map((e) => [e.status, e.slot]),
    missed.map((at) => ['missed', at]),
  );
  for (const at of caught) {
    const catchUp = await bed.queue.getJob(slotRunId('hourly-label', at));
    assert.ok(catchUp, `slot ${at} has a catch-up job`);
    assert.equal(catchUp.data.slot, at);
  }
  // Delivered again: a duplicate that adds no second job for any slot.
  assert.equal((await processJob(job, 'token')).duplicate, true);
  assert.equal((await bed.queue.getJobCounts('waiting')).waiting, 3);

  const env = { RUNNER_SANDBOX_URL: beds.site.url };
  const workers = await Promise.all([bed.worker(env), bed.worker(env)]);
  const runs = await until('the three caught-up slots to finish', async () => {
    const records = await bySlot(bed, 'hourly-label');
    const done = caught.map((at) => records.get(at)).filter((r) => r?.status === 'succeeded' || r?.status === 'failed');
    return done.length === caught.length ? (done as RunRecord[]) : undefined;
  });
  for (const run of runs) {
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.attempts.length, 1, `slot ${slotOf(run)} ran once`);
    assert.ok(workers.some((w) => w.identity === run.attempts[0]!.worker));
  }
  // overlap is skip (the default): slots already decided on wait their turn instead, so no two ran at once.
  const spans = runs.map((r) => [Date.parse(r.attempts[0]!.startedAt), Date.parse(r.attempts[0]!.endedAt!)] as const).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0] >= spans[i - 1]![1], 'caught-up slots ran one after another');
  const records = await bySlot(bed, 'hourly-label');
  for (const at of missed) assert.equal(records.get(at)?.status, 'missed');
  assert.equal(records.size, 5);
  await until('every catch-up job to complete', async () => (await bed.queue.getJobCounts('completed')).completed === 3);
});

test('catchup all within the window: the late job runs its own slot here and queues the ones BullMQ gave no job', { timeout: 20_000 }, async () => {
  const bed = beds.add('catchup-all-own');
  const workflow = await hourly(bed, ['catchup: all']);
  const { job, slotMs } = await schedulerJob(bed, workflow);
  const notifier = recordingNotifier();
  const processJob = processor(bed, new Date(slotMs + 2 * HOUR + 20 * 60_000), notifier);

  const result = await processJob(job, 'token');
  assert.deepEqual(result, { runId: slotRunId('hourly-label', iso(slotMs)), status: 'succeeded' });
  for (const h of [1, 2]) assert.ok(await bed.queue.getJob(slotRunId('hourly-label', iso(slotMs + h * HOUR))), `slot +${h}h is queued`);
  assert.deepEqual(
    notifier.ended.map((e) => [e.status, e.slot]),
    [['succeeded', iso(slotMs)]],
    'the run that ended is told; nothing was missed',
  );
  assert.deepEqual(await redisInFlight(bed.redis, bed.prefix).list('hourly-label'), [], 'the run no longer counts as in flight');
});

test('a job on time records nothing as missed', { timeout: 20_000 }, async () => {
  const bed = beds.add('on-time');
  const workflow = await loadFixture('tick-label.yaml');
  const { job, slotMs } = await schedulerJob(bed, workflow);
  // Taken 300 ms after its slot, well before the next one (two seconds later).
  const processJob = processor(bed, new Date(slotMs + 300), recordingNotifier());
  const result = await processJob(job, 'token');
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(
    (await bed.runsOf('tick-label')).map((r) => [r.status, r.trigger]),
    [['succeeded', { type: 'schedule', slot: iso(slotMs) }]],
  );
});

test('a job taken an hour late, just after the next slot: its own slot is missed, the next (on time) is caught up', { timeout: 20_000 }, async () => {
  const bed = beds.add('just-late');
  const workflow = await loadFixture('hourly-label.yaml');
  const { job, slotMs } = await schedulerJob(bed, workflow);
  // A worker took it 500 ms after the following slot (as moveToActive records it): BullMQ then scheduled the next
  // job after that moment, so the slot at +1 h gets no job from BullMQ. It is on time, so it runs anyway.
  job.processedOn = slotMs + HOUR + 500;
  const processJob = processor(bed, new Date(slotMs + HOUR + 700), recordingNotifier());
  assert.equal((await processJob(job, 'token')).status, 'missed');
  const next = iso(slotMs + HOUR);
  assert.deepEqual(
    (await bed.runsOf('hourly-label')).map((r) => [slotOf(r), r.status]),
    [[iso(slotMs), 'missed']],
  );
  const catchUp = await bed.queue.getJob(slotRunId('hourly-label', next));
  assert.deepEqual([catchUp?.data.slot, catchUp?.data.origin], [next, 'catchup']);
});
