import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { openRedisRunStore, type RedisRunStoreOptions } from '../../../src/runs/redis-store.ts';
import type { RunStore } from '../../../src/runs/types.ts';
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

test('keys: the record, its journal and three indexes, all under the prefix', async () => {
  const store = open();
  await store.save(run('abc123-0001', 'weekly', 'succeeded', '2026-01-01T00:00:00Z'));
  await store.addJournal('abc123-0001', entry('k1', '2026-01-01T00:00:01Z'));
  assert.deepEqual(await keys(connect()), ['journal:abc123-0001', 'run-index:created', 'run-index:ids', 'run-index:workflow:weekly', 'run:abc123-0001']);
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
  for (const key of [`run:${id}`, `journal:${id}`, 'run-index:created', 'run-index:ids', 'run-index:workflow:short']) {
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
