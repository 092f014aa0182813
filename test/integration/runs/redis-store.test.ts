import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { openRedisRunStore, type RedisRunStoreOptions } from '../../../src/runs/redis-store.ts';
import { RUN_STATUSES, type RunFilter, type RunRecord, type RunStatus, type RunStore } from '../../../src/runs/types.ts';
import { entry, run, runStoreContract } from '../../fixtures/run-store-contract.ts';
import { keysUnder } from '../../fixtures/redis-keys.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** Long enough that the contract's 2026 records are never past retention. */
const TEN_YEARS = 10 * 365 * 24 * 3600 * 1000;

let prefix: string;
const connections: Redis[] = [];
const stores: RunStore[] = [];

/** A new connection, quit after the test. */
function connect(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  return redis;
}

/** A store on its own connection under this test's prefix, closed after the test. */
function open(options: Partial<RedisRunStoreOptions> = {}): RunStore {
  const store = openRedisRunStore({ redis: connect(), prefix, retentionMs: TEN_YEARS, ...options });
  stores.push(store);
  return store;
}

/** Every key under this test's prefix, sorted, without the prefix. */
async function keys(redis: Redis): Promise<string[]> {
  return (await keysUnder(redis, prefix)).map((k) => k.slice(prefix.length + 1));
}

/** Waits (polling) until none of these keys exists; the test's own timeout bounds it. */
async function expired(redis: Redis, ...names: string[]): Promise<void> {
  while ((await redis.exists(...names.map((n) => `${prefix}:${n}`))) > 0) await sleep(25);
}

beforeEach(() => {
  prefix = `test-${randomUUID()}`;
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  const redis = connect();
  const left = await keys(redis);
  if (left.length > 0) await redis.del(...left.map((k) => `${prefix}:${k}`));
  for (const connection of connections.splice(0)) await connection.quit();
});

runStoreContract(() => open());

test('keys: the record, its journal, four indexes and the status hash, all under the prefix', async () => {
  const store = open();
  await store.save(run('abc123-0001', 'weekly', 'succeeded', '2026-01-01T00:00:00Z'));
  await store.addJournal('abc123-0001', entry('k1', '2026-01-01T00:00:01Z'));
  assert.deepEqual(await keys(connect()), [
    'journal:abc123-0001',
    'run-index:created',
    'run-index:ids',
    'run-index:status:succeeded',
    'run-index:workflow:weekly',
    'run-status',
    'run:abc123-0001',
  ]);
});

test('runs created in the same millisecond by concurrent saves on two connections all get their own place', async () => {
  const a = open();
  const b = open();
  const ids = Array.from({ length: 8 }, (_, i) => `same-ms-${i}`);
  await Promise.all(ids.map((id, i) => (i % 2 ? a : b).save(run(id, 'w', 'succeeded', '2026-04-01T00:00:00.123Z'))));
  const listed = (await a.list()).map((r) => r.id);
  assert.deepEqual([...listed].sort(), ids);
  const redis = connect();
  const scores = await redis.zrange(`${prefix}:run-index:created`, 0, '-1', 'WITHSCORES');
  const distinct = new Set(scores.filter((_, i) => i % 2 === 1));
  assert.equal(distinct.size, 8, 'one score per run, so the order is the order of first saves');
  for (const score of distinct) assert.equal(Math.floor(Number(score)), Date.parse('2026-04-01T00:00:00.123Z'));
});

test('retention: every key of a run expires; list, get and journal skip index entries whose record expired', async () => {
  const created = Date.now();
  // A clock frozen at creation keeps the index entries inside retention, so only the records' expiry hides them.
  const store = open({ retentionMs: 300, now: () => created });
  const id = `ret-${randomUUID()}`;
  await store.save(run(id, 'short', 'succeeded', new Date(created).toISOString()));
  await store.addJournal(id, entry('k1', new Date(created).toISOString()));
  const redis = connect();
  for (const key of [
    `run:${id}`,
    `journal:${id}`,
    'run-index:created',
    'run-index:ids',
    'run-index:workflow:short',
    'run-index:status:succeeded',
    'run-status',
  ]) {
    const ttl = await redis.pttl(`${prefix}:${key}`);
    assert.ok(ttl > 0 && ttl <= 300, `${key} expires within the retention (pttl ${ttl})`);
  }
  assert.equal((await store.list()).length, 1);
  assert.equal((await store.journal(id)).length, 1);

  await expired(redis, `run:${id}`, `journal:${id}`);
  assert.deepEqual(await store.list(), []);
  assert.deepEqual(await store.list({ workflow: 'short' }), []);
  assert.equal(await store.get(id), undefined);
  assert.equal(await store.get(id.slice(0, 10)), undefined);
  assert.deepEqual(await store.journal(id), []);
});

test('retention: list hides runs created before the cutoff, and the next save trims them from every index it touches', async () => {
  let clock = Date.parse('2026-05-01T00:00:00Z');
  const store = open({ retentionMs: 60_000, now: () => clock });
  await store.save(run('old-run-1', 'w', 'succeeded', new Date(clock).toISOString()));
  await store.save(run('old-run-2', 'other', 'succeeded', new Date(clock).toISOString()));
  assert.deepEqual(
    (await store.list()).map((r) => r.id),
    ['old-run-2', 'old-run-1'],
  );

  clock += 60_001;
  assert.deepEqual(await store.list(), [], 'past the cutoff, even though the records have not expired yet');
  assert.deepEqual(await store.list({ workflow: 'w' }), []);
  assert.equal((await store.get('old-run-1'))?.id, 'old-run-1', 'the record itself lives until its own expiry');

  await store.save(run('new-run', 'w', 'running', new Date(clock).toISOString()));
  const redis = connect();
  assert.deepEqual(await redis.zrange(`${prefix}:run-index:created`, 0, '-1'), ['new-run']);
  assert.deepEqual(await redis.zrange(`${prefix}:run-index:ids`, 0, '-1'), ['new-run']);
  assert.deepEqual(await redis.zrange(`${prefix}:run-index:workflow:w`, 0, '-1'), ['new-run']);
  assert.deepEqual(
    (await store.list()).map((r) => r.id),
    ['new-run'],
  );
});

test("close leaves the caller's connection open", async () => {
  const redis = connect();
  const store = openRedisRunStore({ redis, prefix, retentionMs: TEN_YEARS });
  await store.save(run('conn-0001', 'w', 'succeeded', '2026-01-01T00:00:00Z'));
  await store.close();
  await store.close();
  assert.equal(await redis.ping(), 'PONG');
  assert.equal(redis.status, 'ready');
});

test('more runs in one millisecond than a score can tell apart are all listed, once, in both orders', { timeout: 30_000 }, async () => {
  const store = open();
  // Past 1023 runs in one ms the index scores repeat: 277 runs share one score, more than two batches, so list pages
  // within that score.
  const ids = Array.from({ length: 1300 }, (_, i) => `tie-${String(i).padStart(4, '0')}`);
  for (const [n, id] of ids.entries()) await store.save(run(id, 'w', n % 2 ? 'succeeded' : 'failed', '2026-05-01T00:00:00.000Z'));
  const newest = (await store.list({ limit: -1 })).map((r) => r.id);
  const oldest = (await store.list({ limit: -1, order: 'oldest' })).map((r) => r.id);
  assert.equal(new Set(newest).size, 1300);
  assert.deepEqual([...newest].sort(), ids);
  assert.deepEqual(oldest.slice(0, 1023), ids.slice(0, 1023), 'the first 1023 keep the order of their first save');
  assert.deepEqual([...oldest].sort(), ids);
  assert.equal((await store.list({ status: 'failed', limit: -1 })).length, 650);
  const scores = await connect().zrange(`${prefix}:run-index:created`, 0, '-1', 'WITHSCORES');
  assert.equal(new Set(scores.filter((_, n) => n % 2 === 1)).size, 1024, 'the test reaches the repeated score');
});

test('since never reaches past the retention cutoff; until narrows within it', async () => {
  const clock = Date.parse('2026-05-01T00:10:00Z');
  const store = open({ retentionMs: 5 * 60_000, now: () => clock });
  for (let m = 0; m <= 10; m++) await store.save(run(`ret-${m}`, 'w', 'succeeded', new Date(Date.parse('2026-05-01T00:00:00Z') + m * 60_000).toISOString()));
  const ids = async (filter: RunFilter) => (await store.list(filter)).map((r) => r.id);
  assert.deepEqual(await ids({ since: '2026-01-01T00:00:00Z' }), ['ret-10', 'ret-9', 'ret-8', 'ret-7', 'ret-6', 'ret-5']);
  assert.deepEqual(await ids({ until: '2026-05-01T00:07:00Z', order: 'oldest' }), ['ret-5', 'ret-6']);
  assert.deepEqual(await ids({ until: '2026-05-01T00:03:00Z' }), []);
});

/** The marker that says the status index holds every run. */
const MARKER = 'run-index:status-built';

/** Sets the marker, as a store that built the status index (or found nothing to build) leaves it. */
async function markIndexed(): Promise<void> {
  await connect().set(`${prefix}:${MARKER}`, 'test');
}

/** Deletes the status index, the status hash and the marker: the layout of a store written before they existed. */
async function oldLayout(): Promise<void> {
  const redis = connect();
  const added = (await keys(redis)).filter((k) => k.startsWith('run-index:status') || k === 'run-status');
  if (added.length > 0) await redis.del(...added.map((k) => `${prefix}:${k}`));
}

/** Waits (polling) until some store has finished building the status index; the test's own timeout bounds it. */
async function indexBuilt(): Promise<void> {
  const redis = connect();
  while ((await redis.exists(`${prefix}:${MARKER}`)) === 0) await sleep(10);
}

/**
 * Asserts that the status hash and every status index say what the records say: each run in the index of its
 * status only, at its creation-time score, and nothing else in them.
 */
async function assertIndexAgrees(store: RunStore): Promise<void> {
  const redis = connect();
  const records = await store.list({ limit: -1, order: 'oldest' });
  assert.ok(records.length > 0, 'there is something to compare');
  assert.deepEqual(await redis.hgetall(`${prefix}:run-status`), Object.fromEntries(records.map((r) => [r.id, r.status])));
  const created = new Map<string, string>();
  const reply = await redis.zrange(`${prefix}:run-index:created`, 0, '-1', 'WITHSCORES');
  for (let i = 0; i < reply.length; i += 2) created.set(reply[i]!, reply[i + 1]!);
  for (const status of RUN_STATUSES) {
    const indexed = await redis.zrange(`${prefix}:run-index:status:${status}`, 0, '-1', 'WITHSCORES');
    const want = records.filter((r) => r.status === status).flatMap((r) => [r.id, created.get(r.id)!]);
    assert.deepEqual(indexed, want, `the ${status} index`);
  }
}

/** Ids listed under each status. */
async function byStatus(store: RunStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const status of RUN_STATUSES) out[status] = (await store.list({ status, limit: -1 })).map((r) => r.id);
  return out;
}

/** `n` runs a minute apart from 2026-06-01, of workflows `w0`..`w2`; every tenth (from the fourth) waiting. */
function many(n: number): RunRecord[] {
  return Array.from({ length: n }, (_, i) =>
    run(
      `many-${String(i).padStart(4, '0')}`,
      `w${i % 3}`,
      i % 10 === 3 ? 'waiting' : i % 7 ? 'succeeded' : 'failed',
      new Date(Date.parse('2026-06-01T00:00:00Z') + i * 60_000).toISOString(),
    ),
  );
}

/** Ids of `runs` with this status, newest first (or oldest first). */
function idsOf(runs: readonly RunRecord[], status: RunStatus, order: 'newest' | 'oldest' = 'newest'): string[] {
  const ids = runs.filter((r) => r.status === status).map((r) => r.id);
  return order === 'newest' ? ids.reverse() : ids;
}

describe('with the status index marked complete from the start (every status list reads it)', () => {
  beforeEach(markIndexed);
  runStoreContract(() => open());
});

describe('status index', () => {
  test('a run is in the index of each status only while it has it, from queued to succeeded', async () => {
    await markIndexed();
    const store = open();
    await store.save(run('other-0001', 'w', 'waiting', '2026-01-01T00:00:00Z'));
    await store.save(run('moves-0001', 'w', 'queued', '2026-01-02T00:00:00Z'));
    for (const status of ['queued', 'running', 'waiting', 'succeeded'] as const) {
      await store.update('moves-0001', (current) => ({ ...current, status }));
      const listed = await byStatus(store);
      for (const s of RUN_STATUSES) {
        const want = [...(s === status ? ['moves-0001'] : []), ...(s === 'waiting' ? ['other-0001'] : [])];
        assert.deepEqual(listed[s], want, `${s} while the run is ${status}`);
      }
      await assertIndexAgrees(store);
    }
  });

  test('concurrent updates and saves from two stores keep the index what the records say', async () => {
    await markIndexed();
    const a = open();
    const b = open();
    await a.save(run('busy-0001', 'w', 'queued', '2026-01-01T00:00:00Z'));
    const others = Array.from({ length: 10 }, (_, i) => run(`calm-${String(i).padStart(4, '0')}`, 'w', 'queued', '2026-01-01T00:00:00Z'));
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).update('busy-0001', (current) => ({ ...current, status: RUN_STATUSES[i % RUN_STATUSES.length]!, notes: [...current.notes, `u${i}`] })),
      ),
      // Plain saves of the other runs, moving each twice, interleave with the updates.
      ...others.flatMap((r, i) => [(i % 2 ? a : b).save({ ...r, status: 'running' }), (i % 2 ? b : a).save({ ...r, status: 'waiting' })]),
    ]);
    assert.equal((await a.get('busy-0001'))?.notes.filter((n) => /^u\d+$/.test(n)).length, 20, 'every update landed');
    await assertIndexAgrees(a);
    const busy = (await a.get('busy-0001'))!.status;
    for (const [status, ids] of Object.entries(await byStatus(b))) assert.equal(ids.includes('busy-0001'), status === busy, status);
  });

  test('retention: a save trims runs past the cutoff from the status hash and from their status index', async () => {
    let clock = Date.parse('2026-05-01T00:00:00Z');
    const store = open({ retentionMs: 60_000, now: () => clock });
    await store.save(run('old-run-1', 'w', 'waiting', new Date(clock).toISOString()));
    await store.save(run('old-run-2', 'other', 'running', new Date(clock).toISOString()));
    await store.update('old-run-1', (current) => ({ ...current, status: 'succeeded' }));
    clock += 60_001;
    await store.save(run('new-run', 'w', 'queued', new Date(clock).toISOString()));
    const redis = connect();
    assert.deepEqual(await redis.hgetall(`${prefix}:run-status`), { 'new-run': 'queued' });
    assert.deepEqual(
      (await keys(redis)).filter((k) => k.startsWith('run-index:status:')),
      ['run-index:status:queued'],
      'the sets of the trimmed runs emptied, and Redis dropped them',
    );
    assert.deepEqual(await redis.zrange(`${prefix}:run-index:status:queued`, 0, '-1'), ['new-run']);
  });

  test('upgrade: a store written before the status index lists by status correctly, builds the index, then reads it', { timeout: 30_000 }, async () => {
    const writer = open();
    const runs = many(450);
    for (const r of runs) await writer.save(r);
    await writer.addJournal(runs[0]!.id, entry('k1', '2026-06-01T00:00:01Z'));
    await oldLayout();

    // A new process: no marker, so its first status lists scan while it builds the index.
    const reader = open();
    assert.deepEqual(
      (await reader.list({ status: 'waiting', limit: -1, order: 'oldest' })).map((r) => r.id),
      idsOf(runs, 'waiting', 'oldest'),
    );
    assert.deepEqual(
      (await reader.list({ status: 'failed', workflow: 'w1', limit: 5 })).map((r) => r.id),
      idsOf(runs, 'failed')
        .filter((id) => runs.find((r) => r.id === id)!.workflow === 'w1')
        .slice(0, 5),
    );
    await indexBuilt();
    await assertIndexAgrees(reader);
    for (const status of ['waiting', 'succeeded', 'failed'] as const) {
      assert.deepEqual(
        (await reader.list({ status, limit: -1 })).map((r) => r.id),
        idsOf(runs, status),
        status,
      );
    }

    // Every key expires with the runs except the marker, which stays so no store builds again.
    const redis = connect();
    for (const key of await keys(redis)) {
      const ttl = await redis.pttl(`${prefix}:${key}`);
      if (key === MARKER) assert.equal(ttl, -1, key);
      else assert.ok(ttl > 0, `${key} expires (pttl ${ttl})`);
    }
  });

  test('upgrade: a save between the build reading a record and indexing it wins over the stale read', { timeout: 30_000 }, async () => {
    const writer = open();
    const runs = many(30);
    for (const r of runs) await writer.save(r);
    await oldLayout();
    const target = runs[3]!;
    assert.equal(target.status, 'waiting');

    const redis = connect();
    const mget = redis.mget.bind(redis) as (keys: string[]) => Promise<Array<string | null>>;
    let raced = false;
    // The build's read of the records returns what they were; before it is used, another process moves the target.
    Object.assign(redis, {
      mget: async (keys: string[]) => {
        const values = await mget(keys);
        if (!raced && keys.includes(`${prefix}:run:${target.id}`)) {
          raced = true;
          await writer.update(target.id, (current) => ({ ...current, status: 'cancelled' }));
        }
        return values;
      },
    });
    const builder = openRedisRunStore({ redis, prefix, retentionMs: TEN_YEARS });
    stores.push(builder);
    // A `since` past every run: the list itself reads no record, so the only read is the build's.
    assert.deepEqual(await builder.list({ status: 'waiting', since: '2030-01-01T00:00:00Z' }), []);
    await indexBuilt();
    assert.ok(raced, 'the save raced with the build');
    await assertIndexAgrees(builder);
    const listed = await byStatus(builder);
    assert.deepEqual(listed.cancelled, [target.id]);
    assert.ok(!listed.waiting!.includes(target.id));
  });

  test('a failed build leaves status lists scanning, and a list after a while tries again', { timeout: 30_000 }, async () => {
    let clock = Date.parse('2026-07-01T00:00:00Z');
    const writer = open();
    const runs = many(20);
    for (const r of runs) await writer.save(r);
    await oldLayout();

    const redis = connect();
    const mget = redis.mget.bind(redis) as (keys: string[]) => Promise<Array<string | null>>;
    let failures = 1;
    Object.assign(redis, {
      mget: async (keys: string[]) => {
        if (failures-- > 0) throw new Error('connection reset (simulated)');
        return mget(keys);
      },
    });
    const store = openRedisRunStore({ redis, prefix, retentionMs: TEN_YEARS, now: () => clock });
    stores.push(store);
    // The first list starts the build, which fails on its first read (the list itself reads no record).
    assert.deepEqual(await store.list({ status: 'waiting', since: '2030-01-01T00:00:00Z' }), []);
    while (failures > 0) await sleep(5);
    assert.deepEqual(
      (await store.list({ status: 'waiting', limit: -1 })).map((r) => r.id),
      idsOf(runs, 'waiting'),
      'scanned: the status index is still empty',
    );
    assert.equal(await connect().exists(`${prefix}:${MARKER}`), 0, 'not tried again at once');

    clock += 60_000;
    assert.deepEqual(
      (await store.list({ status: 'waiting', limit: -1 })).map((r) => r.id),
      idsOf(runs, 'waiting'),
    );
    await indexBuilt();
    await assertIndexAgrees(store);
  });

  test('with the marker, a status list reads the status index, or the workflow index when that is smaller', async () => {
    await markIndexed();
    const store = open();
    const runs = many(40);
    for (const r of runs) await store.save(r);
    await store.save(run('rare-0001', 'rare', 'succeeded', '2026-06-02T00:00:00Z'));
    const redis = connect();
    // Taken out of its status index by hand: a list that reads that index no longer finds it.
    await redis.zrem(`${prefix}:run-index:status:succeeded`, 'rare-0001', runs[1]!.id);
    const succeeded = (await store.list({ status: 'succeeded', limit: -1 })).map((r) => r.id);
    assert.ok(!succeeded.includes(runs[1]!.id) && !succeeded.includes('rare-0001'), 'read the status index');
    // The workflow index of `rare` (1 run) is smaller than the succeeded index (29): that one is read.
    assert.deepEqual(
      (await store.list({ status: 'succeeded', workflow: 'rare' })).map((r) => r.id),
      ['rare-0001'],
    );
  });
});
