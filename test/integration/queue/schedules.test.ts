/**
 * Queue mode, `schedule sync` and `schedule list` on the real Redis: a sync adds, changes and removes BullMQ job
 * schedulers to match the workflows; a second sync of the same workflows writes nothing; a dry run writes
 * nothing; `keep` protects names; the CLI reports invalid files as path:line:col and still syncs the rest.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../../../src/shared/paths.ts';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import type { Redis } from 'ioredis';
import { fingerprintsKey } from '../../../src/queue/names.ts';
import { fingerprint, listSchedules, syncSchedules } from '../../../src/queue/schedules.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { nextFireTimes } from '../../../src/workflow/fire-times.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';
import { ROOT, looksClean } from '../e2e/helpers.ts';
import { loadFixture, queueFixture, testbed, type Testbed } from './helpers.ts';

const beds: Testbed[] = [];
after(async () => {
  for (const bed of beds) await bed.close();
});

function open(name: string): Testbed {
  const bed = testbed(name);
  beds.push(bed);
  return bed;
}

/** A queue fixture with its text edited, validated as if it were a file. */
function variant(file: string, edit: (text: string) => string): Workflow {
  const path = queueFixture(file);
  const loaded = loadWorkflowText(path, edit(readFileSync(path, 'utf8')), { tools: confluenceCatalogue() });
  assert.ok(loaded.workflow, JSON.stringify(loaded.diagnostics));
  return loaded.workflow;
}

/** Every key under the prefix with its full content: equal snapshots mean nothing under the prefix was written. */
async function snapshot(redis: Redis, keys: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') out[key] = await redis.get(key);
    else if (type === 'hash') out[key] = await redis.hgetall(key);
    else if (type === 'zset') out[key] = await redis.zrange(key, '0', '-1', 'WITHSCORES');
    else if (type === 'list') out[key] = await redis.lrange(key, '0', '-1');
    else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
    else if (type === 'stream') out[key] = await redis.xrange(key, '-', '+');
    else out[key] = type;
  }
  return out;
}

/** The delayed job ids of the queue (each scheduler's next job is one). */
function delayedIds(bed: Testbed): Promise<string[]> {
  return bed.redis.zrange(`${bed.prefix}:runs:delayed`, '0', '-1');
}

test('sync adds schedulers; a second sync of the same workflows reports all unchanged and writes nothing', { timeout: 20_000 }, async () => {
  const bed = open('sync-idempotent');
  const morning = await loadFixture('morning-label.yaml');
  const nightly = await loadFixture('nightly-label.yaml');
  const manual = await loadFixture('manual-label.yaml');

  const first = await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning, nightly, manual]);
  assert.deepEqual(first, { added: ['morning-label', 'nightly-label'], changed: [], removed: [], unchanged: [] });
  const scheduler = await bed.queue.getJobScheduler('morning-label');
  assert.equal(scheduler?.pattern, '30 9 * * MON-FRI');
  assert.equal(scheduler?.tz, 'Asia/Kolkata');
  assert.equal(scheduler?.template?.data?.hash, morning.hash);
  assert.equal(scheduler?.template?.data?.source, morning.source, 'the job carries the workflow text it was synced from');
  assert.equal(await bed.queue.getJobScheduler('manual-label'), undefined, 'an unscheduled workflow gets no scheduler');
  assert.deepEqual(await bed.redis.hgetall(fingerprintsKey(bed.prefix)), { 'morning-label': fingerprint(morning), 'nightly-label': fingerprint(nightly) });
  const delayed = await delayedIds(bed);
  assert.deepEqual(delayed.map((id) => id.replace(/:\d+$/, '')).sort(), ['repeat:morning-label', 'repeat:nightly-label']);

  const keys = await bed.keys();
  const before = await snapshot(bed.redis, keys);
  // Job records carry their creation time: a rewrite in a later millisecond could not leave them equal.
  await sleep(5);
  const second = await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning, nightly, manual]);
  assert.deepEqual(second, { added: [], changed: [], removed: [], unchanged: ['morning-label', 'nightly-label'] });
  assert.deepEqual(await bed.keys(), keys, 'no key was added or removed');
  assert.deepEqual(await snapshot(bed.redis, keys), before, 'no key under the prefix changed (schedulers, delayed jobs, events, fingerprints)');
  assert.deepEqual(await delayedIds(bed), delayed);
});

test('a changed cron or changed content is "changed"; a deleted or unscheduled workflow is "removed" with its scheduler and next job', {
  timeout: 20_000,
}, async () => {
  const bed = open('sync-changes');
  const morning = await loadFixture('morning-label.yaml');
  const nightly = await loadFixture('nightly-label.yaml');
  const hourly = await loadFixture('hourly-label.yaml');
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning, nightly, hourly]);

  const earlier = variant('morning-label.yaml', (t) => t.replace('"30 9 * * MON-FRI"', '"0 7 * * MON-FRI"'));
  const reworded = variant('nightly-label.yaml', (t) => t.replace('every night, New York time', 'nightly (New York)'));
  assert.equal(reworded.schedule?.cron, nightly.schedule?.cron);
  assert.notEqual(reworded.hash, nightly.hash);
  const from = new Date();
  const changed = await syncSchedules(bed.queue, bed.redis, bed.prefix, [earlier, reworded, hourly]);
  assert.deepEqual(changed, { added: [], changed: ['morning-label', 'nightly-label'], removed: [], unchanged: ['hourly-label'] });
  const morningNow = await bed.queue.getJobScheduler('morning-label');
  assert.equal(morningNow?.pattern, '0 7 * * MON-FRI');
  assert.equal(morningNow?.next, nextFireTimes('0 7 * * MON-FRI', 'Asia/Kolkata', from, 1)[0]!.getTime(), 'the next fire time follows the new cron');
  assert.equal((await bed.queue.getJobScheduler('nightly-label'))?.template?.data?.hash, reworded.hash, 'the job template carries the new text');
  assert.equal(await bed.redis.hget(fingerprintsKey(bed.prefix), 'nightly-label'), fingerprint(reworded));
  const delayed = await delayedIds(bed);
  assert.equal(delayed.filter((id) => id.startsWith('repeat:morning-label:')).length, 1, `one next job per scheduler: ${delayed}`);
  assert.ok(delayed.includes(`repeat:morning-label:${morningNow?.next}`), 'the old next job was replaced by one at the new time');

  // nightly-label's file is gone; morning-label lost its schedule block.
  const unscheduled = variant('morning-label.yaml', (t) => t.replace(/\nschedule:\n(?: {2}.*\n)+/, '\n'));
  assert.equal(unscheduled.schedule, undefined);
  const removed = await syncSchedules(bed.queue, bed.redis, bed.prefix, [unscheduled, hourly]);
  assert.deepEqual(removed, { added: [], changed: [], removed: ['morning-label', 'nightly-label'], unchanged: ['hourly-label'] });
  assert.equal(await bed.queue.getJobScheduler('morning-label'), undefined);
  assert.equal(await bed.queue.getJobScheduler('nightly-label'), undefined);
  assert.deepEqual(
    (await listSchedules(bed.queue)).map((s) => s.name),
    ['hourly-label'],
  );
  assert.deepEqual(
    (await delayedIds(bed)).map((id) => id.replace(/:\d+$/, '')),
    ['repeat:hourly-label'],
    'the removed schedulers left no job to fire',
  );
  assert.deepEqual(await bed.redis.hgetall(fingerprintsKey(bed.prefix)), { 'hourly-label': fingerprint(hourly) });
});

test('a dry run reports what a sync would do and writes nothing; keep protects a name from removal', { timeout: 20_000 }, async () => {
  const bed = open('sync-dry-keep');
  const morning = await loadFixture('morning-label.yaml');
  const nightly = await loadFixture('nightly-label.yaml');
  const hourly = await loadFixture('hourly-label.yaml');

  const fresh = await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning, nightly], { dryRun: true });
  assert.deepEqual(fresh, { added: ['morning-label', 'nightly-label'], changed: [], removed: [], unchanged: [] });
  assert.deepEqual(await listSchedules(bed.queue), []);
  assert.deepEqual(await bed.redis.hgetall(fingerprintsKey(bed.prefix)), {});

  await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning, nightly]);
  const keys = await bed.keys();
  const before = await snapshot(bed.redis, keys);
  await sleep(5);
  const earlier = variant('morning-label.yaml', (t) => t.replace('"30 9 * * MON-FRI"', '"0 7 * * MON-FRI"'));
  const planned = await syncSchedules(bed.queue, bed.redis, bed.prefix, [earlier, hourly], { dryRun: true });
  assert.deepEqual(planned, { added: ['hourly-label'], changed: ['morning-label'], removed: ['nightly-label'], unchanged: [] });
  assert.deepEqual(await bed.keys(), keys);
  assert.deepEqual(await snapshot(bed.redis, keys), before, 'the dry run wrote nothing');

  // nightly-label's file failed validation: its scheduler must survive the sync.
  const nightlyBefore = await bed.queue.getJobScheduler('nightly-label');
  const kept = await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning], { keep: new Set(['nightly-label']) });
  assert.deepEqual(kept, { added: [], changed: [], removed: [], unchanged: ['morning-label'] });
  assert.deepEqual(await bed.queue.getJobScheduler('nightly-label'), nightlyBefore);
  assert.equal(await bed.redis.hget(fingerprintsKey(bed.prefix), 'nightly-label'), fingerprint(nightly));
  // Without the protection the next sync removes it.
  const dropped = await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning]);
  assert.deepEqual(dropped.removed, ['nightly-label']);
});

test('runner schedule sync and list: output lines, "(nothing written)", an invalid file as path:line:col with exit 2, list from Redis', {
  timeout: 30_000,
}, async () => {
  const bed = open('sync-cli');
  const dir = bed.folder('workflows', ['morning-label.yaml', 'nightly-label.yaml', 'manual-label.yaml']);

  const first = await bed.cli(['schedule', 'sync', dir]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stdout.trimEnd().split('\n'), ['+ morning-label  add', '+ nightly-label  add', '2 added, 0 changed, 0 removed, 0 unchanged']);
  const keys = await bed.keys();
  const before = await snapshot(bed.redis, keys);
  // Watch every command the second sync sends: none may write under the prefix.
  const monitor = await bed.redis.monitor();
  const sent: string[] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.some((a) => String(a).includes(bed.prefix))) sent.push(args.map(String).join(' ').slice(0, 120));
  });
  const second = await bed.cli(['schedule', 'sync', dir]);
  await sleep(50);
  monitor.disconnect();
  const writes = sent.filter((c) => !/^(zrange|hgetall|ping|client|info|select|hello)\b/i.test(c));
  assert.deepEqual(writes, [], 'an unchanged sync only reads');
  assert.ok(sent.length > 0, 'the monitor saw the sync read');
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.stdout.trimEnd().split('\n'), ['0 added, 0 changed, 0 removed, 2 unchanged (nothing written)']);
  assert.deepEqual(await bed.keys(), keys);
  assert.deepEqual(await snapshot(bed.redis, keys), before, 'what the output says: nothing under the prefix changed');

  // An invalid file arrives with a valid new one: the valid one syncs, the invalid one is reported, exit 2.
  copyFileSync(queueFixture('bad-cron.yaml'), join(dir, 'bad-cron.yaml'));
  copyFileSync(queueFixture('hourly-label.yaml'), join(dir, 'hourly-label.yaml'));
  const third = await bed.cli(['schedule', 'sync', dir]);
  assert.equal(third.code, 2, third.stderr);
  assert.deepEqual(third.stdout.trimEnd().split('\n'), ['+ hourly-label  add', '1 added, 0 changed, 0 removed, 2 unchanged']);
  // The CLI runs in the repository root and prints paths relative to it, wherever the repository and tmpdir are.
  assert.ok(
    third.stderr.includes(`${displayPath(join(dir, 'bad-cron.yaml'), ROOT)}:8:9: invalid cron '0 25 * * *': hour field '25' is out of range 0-23`),
    third.stderr,
  );
  assert.match(third.stderr, /1 invalid workflow file left out; kept the existing schedules of bad-cron/);
  assert.ok(looksClean(third.stderr), third.stderr);
  assert.ok(await bed.queue.getJobScheduler('hourly-label'));

  const listed = await bed.cli(['schedule', 'list']);
  assert.equal(listed.code, 0, listed.stderr);
  const schedules = await listSchedules(bed.queue);
  assert.deepEqual(schedules.map((s) => s.name).sort(), ['hourly-label', 'morning-label', 'nightly-label']);
  for (const s of schedules) {
    const line = listed.stdout.split('\n').find((l) => l.startsWith(`${s.name} `));
    assert.ok(line, `${s.name} is listed:\n${listed.stdout}`);
    assert.ok(line.includes(s.cron!), line);
    const local = DateTime.fromISO(s.next!, { zone: s.timezone }).toFormat('yyyy-LL-dd HH:mm:ss');
    assert.ok(line.includes(local), `${line} shows the next fire time ${local} in ${s.timezone}`);
  }
  assert.match(listed.stdout, /morning-label .* \d{4}-\d\d-\d\d 09:30:00 /);
  assert.match(listed.stdout, /nightly-label .* \d{4}-\d\d-\d\d 02:00:00 /);

  // The files go; until the next sync, Redis (and so the list) still has their schedulers.
  for (const f of ['morning-label.yaml', 'nightly-label.yaml', 'hourly-label.yaml', 'bad-cron.yaml']) rmSync(join(dir, f));
  const stale = await bed.cli(['schedule', 'list', '--json']);
  assert.equal(stale.code, 0, stale.stderr);
  assert.deepEqual((JSON.parse(stale.stdout) as Array<{ name: string }>).map((s) => s.name).sort(), ['hourly-label', 'morning-label', 'nightly-label']);

  const cleared = await bed.cli(['schedule', 'sync', dir]);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.deepEqual(cleared.stdout.trimEnd().split('\n'), [
    '- hourly-label  remove',
    '- morning-label  remove',
    '- nightly-label  remove',
    '0 added, 0 changed, 3 removed, 0 unchanged',
  ]);
  const empty = await bed.cli(['schedule', 'list']);
  assert.match(empty.stdout, /^no schedules in Redis/);
});

/** A scheduled one-step workflow file in `dir`. */
function scheduledFile(dir: string, name: string, cron: string, timezone: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `version: 1\nname: ${name}\nschedule:\n  cron: "${cron}"\n  timezone: ${timezone}\ntools:\n  allow: [CONFLUENCE_GET_CURRENT_USER]\nsteps:\n  - id: whoami\n    tool: CONFLUENCE_GET_CURRENT_USER\n`,
  );
  return file;
}

test("schedules that crashed sync half-way before: every valid one is written, a never-firing one is its file's error, exit 2", {
  timeout: 30_000,
}, async () => {
  const bed = open('sync-crashers');
  const dir = bed.folder('workflows', []);
  // Before: cron-parser refused '0,7' and '1-5,MON' ("duplicate values found") in the middle of the upserts, and
  // looped out on Lord Howe's April change; sync died as an internal error with half the schedulers written.
  scheduledFile(dir, 'sunday-twice', '0 9 * * 0,7', 'UTC');
  scheduledFile(dir, 'monday-twice', '0 9 * * 1-5,MON', 'UTC');
  scheduledFile(dir, 'howe-daily', '0 9 * * *', 'Australia/Lord_Howe');
  const never = scheduledFile(dir, 'never', '0 0 30 2 *', 'UTC');
  const from = new Date();
  const result = await bed.cli(['schedule', 'sync', dir]);
  const to = new Date();
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(result.stdout.trimEnd().split('\n'), [
    '+ howe-daily  add',
    '+ monday-twice  add',
    '+ sunday-twice  add',
    '3 added, 0 changed, 0 removed, 0 unchanged',
  ]);
  assert.ok(
    result.stderr.includes(
      `${displayPath(never, ROOT)}:4:9: invalid cron '0 0 30 2 *': it never fires: no month in month field '2' has a day in day-of-month field '30'`,
    ),
    result.stderr,
  );
  assert.match(result.stderr, /1 invalid workflow file left out; kept the existing schedules of never/);
  assert.ok(looksClean(result.stderr), result.stderr);
  const schedules = await listSchedules(bed.queue);
  assert.deepEqual(schedules.map((s) => s.name).sort(), ['howe-daily', 'monday-twice', 'sunday-twice']);
  for (const s of schedules) {
    // BullMQ's next job is the runner's own next fire time, from the moment the sync ran.
    const candidates = [nextFireTimes(s.cron!, s.timezone!, from, 1)[0]!.toISOString(), nextFireTimes(s.cron!, s.timezone!, to, 1)[0]!.toISOString()];
    assert.ok(candidates.includes(s.next!), `${s.name}: ${s.next} in ${candidates}`);
  }
  assert.equal(new Date(schedules.find((s) => s.name === 'sunday-twice')!.next!).getUTCDay(), 0, 'a Sunday');
});

test('syncSchedules checks every schedule before it writes: one it cannot schedule means nothing is written', { timeout: 20_000 }, async () => {
  const bed = open('sync-check-first');
  const morning = await loadFixture('morning-label.yaml');
  const nightly = await loadFixture('nightly-label.yaml');
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [morning]);
  const keys = await bed.keys();
  const before = await snapshot(bed.redis, keys);
  await sleep(5);
  // A workflow that skipped validation (a hand-built object): its schedule has no fire time.
  const broken = { ...nightly, schedule: { cron: '0 0 31 4 *', timezone: 'UTC' } } as Workflow;
  const changed = variant('morning-label.yaml', (t) => t.replace('"30 9 * * MON-FRI"', '"0 7 * * MON-FRI"'));
  await assert.rejects(syncSchedules(bed.queue, bed.redis, bed.prefix, [changed, broken]), (error: Error) => {
    assert.equal(error.name, 'UserError');
    assert.match(
      error.message,
      /^nothing synced; these schedules cannot be scheduled:\n.*nightly-label\.yaml: cannot compute the fire times of cron '0 0 31 4 \*' in UTC: invalid cron '0 0 31 4 \*': it never fires/,
    );
    return true;
  });
  assert.deepEqual(await bed.keys(), keys);
  assert.deepEqual(await snapshot(bed.redis, keys), before, 'the valid change was not written either');
});
