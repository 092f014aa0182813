/**
 * Queue mode, missed slots: the processor (a plain function) given a real scheduler job from Redis whose slot lies
 * several slots in the past records every slot in between as a `missed` run, then runs the late slot itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import { createRunProcessor } from '../../../src/queue/processor.ts';
import { syncSchedules } from '../../../src/queue/schedules.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { startSite } from '../e2e/helpers.ts';
import { loadFixture, testbed, type Testbed } from './helpers.ts';

const HOUR = 3600_000;
let bed: Testbed;
let site: SandboxWithMcp;
before(async () => {
  bed = testbed('missed');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  await site?.close();
});

test('a schedule job four slots late records the slots in between as missed, then runs its own slot', { timeout: 20_000 }, async () => {
  const workflow = await loadFixture('hourly-label.yaml');
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [workflow]);
  const scheduler = await bed.queue.getJobScheduler('hourly-label');
  const slotMs = scheduler!.next!;
  const job = await bed.queue.getJob(`repeat:hourly-label:${slotMs}`);
  assert.ok(job, "the scheduler's next job is in Redis");
  assert.equal(job.repeatJobKey, 'hourly-label');

  // The job is taken 4 h 20 min after its slot: the slots at +1 h .. +4 h passed with no run.
  const now = new Date(slotMs + 4 * HOUR + 20 * 60_000);
  const config = loadConfig({ env: bed.env({ RUNNER_SANDBOX_URL: site.url }), cwd: bed.ws.dir });
  const processJob = createRunProcessor({ config, store: bed.store, worker: 'test:1', now: () => now });
  const slot = new Date(slotMs).toISOString();
  const result = await processJob(job, 'token');
  assert.deepEqual(result, { runId: slotRunId('hourly-label', slot), status: 'succeeded' });

  const runs = await bed.runsOf('hourly-label');
  const bySlot = new Map(runs.map((r) => [r.trigger.type === 'schedule' ? r.trigger.slot : 'manual', r]));
  const missedSlots = [1, 2, 3, 4].map((h) => new Date(slotMs + h * HOUR).toISOString());
  assert.deepEqual([...bySlot.keys()].sort(), [slot, ...missedSlots]);
  for (const missed of missedSlots) {
    const record = bySlot.get(missed)!;
    assert.equal(record.status, 'missed');
    assert.equal(record.id, slotRunId('hourly-label', missed));
    assert.deepEqual(record.trigger, { type: 'schedule', slot: missed });
    assert.deepEqual(record.attempts, [], 'a missed slot never ran');
    assert.equal(record.workflowHash, workflow.hash);
    assert.match(record.notes.join('\n'), new RegExp(`no worker ran this slot; noticed at ${now.toISOString()} when the late run of slot ${slot} started`));
  }
  const ran = bySlot.get(slot)!;
  assert.equal(ran.status, 'succeeded', JSON.stringify(ran.error));
  assert.deepEqual(
    ran.attempts.map((a) => [a.number, a.status, a.worker]),
    [[1, 'succeeded', 'test:1']],
  );

  // The same job delivered again is a duplicate: not run again, nothing recorded twice.
  const again = await processJob(job, 'token');
  assert.deepEqual(again, { runId: ran.id, status: 'succeeded', duplicate: true });
  const after = await bed.runsOf('hourly-label');
  assert.equal(after.length, 5);
  assert.equal((await bed.store.get(ran.id))!.attempts.length, 1);
});

test('a job on time records nothing as missed', { timeout: 20_000 }, async () => {
  const workflow = await loadFixture('tick-label.yaml');
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [workflow]);
  const slotMs = (await bed.queue.getJobScheduler('tick-label'))!.next!;
  const job = await bed.queue.getJob(`repeat:tick-label:${slotMs}`);
  assert.ok(job);
  const config = loadConfig({ env: bed.env({ RUNNER_SANDBOX_URL: site.url }), cwd: bed.ws.dir });
  // Taken 300 ms after its slot, well before the next one (two seconds later).
  const processJob = createRunProcessor({ config, store: bed.store, now: () => new Date(slotMs + 300) });
  const result = await processJob(job, 'token');
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(
    (await bed.runsOf('tick-label')).map((r) => [r.status, r.trigger]),
    [['succeeded', { type: 'schedule', slot: new Date(slotMs).toISOString() }]],
  );
});

test('a job taken just after the next slot passed records that slot as missed: BullMQ gave it no job', { timeout: 20_000 }, async () => {
  const workflow = await loadFixture('hourly-label.yaml');
  const bed2 = testbed('missed-just-late');
  try {
    await syncSchedules(bed2.queue, bed2.redis, bed2.prefix, [workflow]);
    const slotMs = (await bed2.queue.getJobScheduler('hourly-label'))!.next!;
    const job = await bed2.queue.getJob(`repeat:hourly-label:${slotMs}`);
    assert.ok(job);
    // A worker took it 500 ms after the following slot (as moveToActive records it): BullMQ then scheduled the
    // next job after that moment, so the slot at +1 h will never run and must be recorded. The processor itself
    // starts a little later.
    job.processedOn = slotMs + HOUR + 500;
    const config = loadConfig({ env: bed2.env({ RUNNER_SANDBOX_URL: site.url }), cwd: bed2.ws.dir });
    const processJob = createRunProcessor({ config, store: bed2.store, now: () => new Date(slotMs + HOUR + 700) });
    assert.equal((await processJob(job, 'token')).status, 'succeeded');
    const skipped = new Date(slotMs + HOUR).toISOString();
    assert.deepEqual(
      (await bed2.runsOf('hourly-label')).map((r) => [r.trigger.type === 'schedule' ? r.trigger.slot : '', r.status]).sort(),
      [
        [new Date(slotMs).toISOString(), 'succeeded'],
        [skipped, 'missed'],
      ].sort(),
    );
  } finally {
    await bed2.close();
  }
});
