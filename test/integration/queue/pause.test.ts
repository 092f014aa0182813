/**
 * Paused schedules: `runner schedule pause` makes a workflow's slots `skipped` (who paused it, when and why in the
 * record) until `runner schedule resume`; in Redis for the workers (RUNNER_STORE=redis), in RUNNER_DB's SQLite file
 * for `runner serve` otherwise.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { createRunProcessor } from '../../../src/queue/processor.ts';
import { syncSchedules } from '../../../src/queue/schedules.ts';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import { openRedisPauseStore, openSqlitePauseStore } from '../../../src/schedules/pauses.ts';
import { loadFixture, queueFixture, recordingNotifier, bedsWithSite, until } from './helpers.ts';

const beds = bedsWithSite('pause');

const slotOf = (run: RunRecord) => (run.trigger.type === 'schedule' ? run.trigger.slot : '');

test('a scheduler job of a paused workflow records its slot as skipped, with who paused it, and tells the notifier', { timeout: 20_000 }, async () => {
  const bed = beds.add('pause-processor');
  const workflow = await loadFixture('tick-label.yaml');
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [workflow]);
  const slotMs = (await bed.queue.getJobScheduler('tick-label'))!.next!;
  const job = (await bed.queue.getJob(`repeat:tick-label:${slotMs}`))!;
  const pauses = openRedisPauseStore(bed.redis, bed.prefix);
  assert.equal(await pauses.pause('tick-label', { by: 'ana', at: '2026-11-30T10:00:00.000Z', reason: 'space migration' }), true);
  const notifier = recordingNotifier();
  const config = loadConfig({ env: bed.env({ RUNNER_SANDBOX_URL: beds.site.url }), cwd: bed.ws.dir });
  const processJob = createRunProcessor({ config, store: bed.store, now: () => new Date(slotMs + 300), notifier, pauses, queue: bed.queue });

  const slot = new Date(slotMs).toISOString();
  assert.deepEqual(await processJob(job, 'token'), { runId: slotRunId('tick-label', slot), status: 'skipped' });
  const [record] = await bed.runsOf('tick-label');
  assert.equal(record?.status, 'skipped');
  assert.deepEqual(record?.trigger, { type: 'schedule', slot });
  assert.deepEqual(record?.notes, ['the schedule was paused by ana at 2026-11-30T10:00:00.000Z: space migration']);
  assert.deepEqual(record?.attempts, []);
  assert.deepEqual(
    notifier.ended.map((e) => [e.status, e.slot]),
    [['skipped', slot]],
  );
  // Resumed, the same slot stays skipped: a slot's record is never rewritten by a redelivery.
  await pauses.resume('tick-label');
  assert.equal((await processJob(job, 'token')).duplicate, true);
});

test('runner schedule pause and resume in Redis: the workers skip the slots in between, then run again', { timeout: 60_000 }, async () => {
  const bed = beds.add('pause-redis');
  const env = { RUNNER_SANDBOX_URL: beds.site.url, RUNNER_STORE: 'redis' };
  await bed.worker(env, ['--concurrency', '2']);
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [await loadFixture('tick-label.yaml')]);
  await until('a first run', async () => (await bed.runsOf('tick-label')).find((r) => r.status === 'succeeded'));

  const paused = await bed.cli(['schedule', 'pause', 'tick-label', '--reason', 'maintenance', '--by', 'ana'], env);
  assert.equal(paused.code, 0, paused.stderr);
  const at = /^paused tick-label \(by ana at (\S+): maintenance\): its slots are recorded as skipped until `runner schedule resume tick-label`$/m.exec(
    paused.stdout,
  )?.[1];
  assert.ok(at, paused.stdout);
  const note = `the schedule was paused by ana at ${at}: maintenance`;
  await until('two skipped slots', async () => (await bed.runsOf('tick-label')).filter((r) => r.status === 'skipped').length >= 2);

  const listed = await bed.cli(['schedule', 'list'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`^tick-label .* paused \\(by ana at ${at}: maintenance\\)$`, 'm'));
  const again = await bed.cli(['schedule', 'pause', 'tick-label'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.trim(), `tick-label was already paused (by ana at ${at}: maintenance); nothing changed`);

  const resumed = await bed.cli(['schedule', 'resume', queueFixture('tick-label.yaml')], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.stdout.trim(), `resumed tick-label (it was paused by ana at ${at}: maintenance); its next slot runs`);
  const resumedAt = new Date().toISOString();
  await until('a run after the resume', async () => (await bed.runsOf('tick-label')).find((r) => r.status === 'succeeded' && slotOf(r) > resumedAt));

  const runs = await bed.runsOf('tick-label');
  const skipped = runs.filter((r) => r.status === 'skipped');
  for (const run of skipped) {
    assert.deepEqual(run.notes, [note]);
    assert.deepEqual(run.attempts, []);
  }
  // Slots are taken one after another, so every slot between two skipped ones was taken while paused.
  const first = slotOf(skipped[0]!);
  const last = slotOf(skipped.at(-1)!);
  assert.deepEqual(
    runs.filter((r) => slotOf(r) >= first && slotOf(r) <= last && r.status !== 'skipped').map((r) => [slotOf(r), r.status]),
    [],
  );
  assert.deepEqual(
    runs.filter((r) => r.status !== 'skipped' && r.status !== 'succeeded' && r.status !== 'running').map((r) => [slotOf(r), r.status]),
    [],
  );
  assert.equal(await openRedisPauseStore(bed.redis, bed.prefix).paused('tick-label'), undefined);
});

test("runner schedule pause and resume in RUNNER_DB's SQLite file (what serve reads), by name or by file", { timeout: 30_000 }, async () => {
  const bed = beds.add('pause-sqlite');
  const env = { RUNNER_STORE: 'sqlite' };
  const paused = await bed.cli(['schedule', 'pause', queueFixture('hourly-label.yaml'), '--reason', 'quiet week'], env);
  assert.equal(paused.code, 0, paused.stderr);
  assert.match(paused.stdout, /^paused hourly-label \(by .+ at .+: quiet week\): its slots are recorded as skipped/);
  const store = () => openSqlitePauseStore(bed.ws.dbPath);
  let pauses = store();
  const info = await pauses.paused('hourly-label');
  await pauses.close();
  assert.equal(info?.by, userInfo().username, 'by the OS user when --by is not given');
  assert.equal(info?.reason, 'quiet week');
  assert.ok(!Number.isNaN(Date.parse(info?.at ?? '')));

  // `runner list` (the files, as serve sees them) shows the pause beside the schedule.
  const dir = bed.folder('workflows', ['hourly-label.yaml', 'tick-label.yaml']);
  const listed = await bed.cli(['list', dir], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^hourly-label\s+0 \* \* \* \*\s+UTC\s+.+ paused \(by .+: quiet week\)$/m);
  assert.doesNotMatch(listed.stdout, /^tick-label.*paused/m);
  const listedJson = JSON.parse((await bed.cli(['list', dir, '--json'], env)).stdout) as Array<{ name: string; paused?: { reason?: string } }>;
  assert.deepEqual(
    listedJson.map((r) => [r.name, r.paused?.reason]),
    [
      ['hourly-label', 'quiet week'],
      ['tick-label', undefined],
    ],
  );

  const again = await bed.cli(['schedule', 'pause', 'hourly-label', '--by', 'bo'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^hourly-label was already paused \(by .+: quiet week\); nothing changed$/m);

  const resumed = await bed.cli(['schedule', 'resume', 'hourly-label'], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /^resumed hourly-label \(it was paused by .+: quiet week\); its next slot runs$/m);
  pauses = store();
  assert.deepEqual(await pauses.all(), new Map());
  await pauses.close();
  const twice = await bed.cli(['schedule', 'resume', 'hourly-label'], env);
  assert.equal(twice.stdout.trim(), 'hourly-label was not paused; nothing changed');

  const bad = await bed.cli(['schedule', 'pause', 'Not_A_Name'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'Not_A_Name' is neither a workflow name \(kebab-case, like weekly-summary\) nor a workflow file/);
});
