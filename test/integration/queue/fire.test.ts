/**
 * Queue mode, a schedule fires: a synced workflow with a two-second cron in a non-UTC zone is run by a worker
 * process at its slot, recorded in the shared store under the slot's run id. And the time zone of a minute-level
 * cron: the scheduler's next fire time in Redis is the one the workflow's zone gives.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DateTime } from 'luxon';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import { listSchedules, syncSchedules } from '../../../src/queue/schedules.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { nextFireTimes } from '../../../src/workflow/fire-times.ts';
import { startSite } from '../e2e/helpers.ts';
import { loadFixture, testbed, until, type Testbed } from './helpers.ts';

const beds: Testbed[] = [];
let site: SandboxWithMcp;
before(async () => {
  const bed = testbed('fire');
  beds.push(bed);
  site = await startSite(bed.ws.dir);
});
after(async () => {
  for (const bed of beds) await bed.close();
  await site?.close();
});

test('a two-second schedule in Asia/Kolkata fires: a worker runs the slot as a schedule run with the slot run id', { timeout: 30_000 }, async () => {
  const bed = beds[0]!;
  const workflow = await loadFixture('tick-label.yaml');
  assert.deepEqual({ cron: workflow.schedule?.cron, timezone: workflow.schedule?.timezone }, { cron: '*/2 * * * * *', timezone: 'Asia/Kolkata' });
  const worker = await bed.worker({ RUNNER_SANDBOX_URL: site.url });
  const synced = await syncSchedules(bed.queue, bed.redis, bed.prefix, [workflow]);
  assert.deepEqual(synced.added, ['tick-label']);

  const run = await until('a finished schedule run of tick-label', async () =>
    (await bed.runsOf('tick-label')).find((r) => r.status !== 'running' && r.status !== 'missed'),
  );
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.equal(run.trigger.type, 'schedule');
  const slot = run.trigger.type === 'schedule' ? run.trigger.slot : '';
  const at = new Date(slot);
  assert.equal(at.toISOString(), slot, 'the slot is an ISO time');
  assert.equal(at.getUTCMilliseconds(), 0);
  assert.equal(at.getUTCSeconds() % 2, 0, `the slot ${slot} is an even second`);
  assert.equal(run.id, slotRunId('tick-label', slot));
  assert.equal(run.workflowHash, workflow.hash);
  assert.deepEqual(
    run.attempts.map((a) => [a.status, a.worker]),
    [['succeeded', worker.identity]],
  );
  assert.deepEqual(
    run.attempts[0]!.steps.map((s) => [s.id, s.status]),
    [
      ['find', 'succeeded'],
      ['label', 'succeeded'],
      ['check', 'succeeded'],
    ],
  );
  await worker.waitFor(new RegExp(`finished tick-label: succeeded \\(run ${run.id}\\)`));
});

test("a minute-level cron follows its time zone: the next fire time in Redis is the zone's", { timeout: 20_000 }, async () => {
  const bed = testbed('fire-tz');
  beds.push(bed);
  const morning = await loadFixture('morning-label.yaml');
  const nightly = await loadFixture('nightly-label.yaml');
  const from = new Date();
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning, nightly]);
  const schedules = new Map((await listSchedules(bed.queue)).map((s) => [s.name, s]));

  const inKolkata = schedules.get('morning-label')!;
  assert.equal(inKolkata.next, nextFireTimes('30 9 * * MON-FRI', 'Asia/Kolkata', from, 1)[0]!.toISOString());
  // 09:30 at UTC+05:30 is 04:00 UTC, on a weekday there.
  const next = new Date(inKolkata.next!);
  assert.deepEqual([next.getUTCHours(), next.getUTCMinutes(), next.getUTCSeconds()], [4, 0, 0]);
  assert.ok(DateTime.fromJSDate(next, { zone: 'Asia/Kolkata' }).weekday <= 5);

  const inNewYork = schedules.get('nightly-label')!;
  assert.equal(inNewYork.next, nextFireTimes('0 2 * * *', 'America/New_York', from, 1)[0]!.toISOString());
  const local = DateTime.fromISO(inNewYork.next!, { zone: 'America/New_York' });
  assert.deepEqual([local.hour, local.minute], [2, 0]);
  assert.ok([6, 7].includes(new Date(inNewYork.next!).getUTCHours()), 'EST or EDT, not UTC');
});
