import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisRateLimiter, type RedisRateLimiterOptions } from '../../../src/queue/rate-limit.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** A wrong limiter can leave a request waiting a whole window; fail instead of hanging. */
const BOUNDED = { timeout: 10_000 };

let key: string;
/** Aborted after each test, so a failed assertion cannot leave a request retrying forever. */
let stop: AbortController;
const connections: Redis[] = [];

/** A new connection, quit after the test. */
function connect(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  return redis;
}

/** A limiter on its own connection, on this test's key. */
function limiter(options: Partial<RedisRateLimiterOptions> & { perMinute: number }) {
  return createRedisRateLimiter({ redis: connect(), key, ...options });
}

/** A promise resolved by the `count`-th call of the returned `onWait`, which also records every wait. */
function waits(count: number) {
  const seen: number[] = [];
  let reached!: () => void;
  const done = new Promise<void>((resolve) => (reached = resolve));
  return {
    seen,
    done,
    onWait(ms: number) {
      seen.push(ms);
      if (seen.length === count) reached();
    },
  };
}

/** Resolves with `waited`; fails at once if one of the requests that should be waiting settles first. */
async function whileWaiting(waited: Promise<unknown>, ...requests: Array<Promise<unknown>>): Promise<void> {
  const early = requests.map((r) => r.then(() => Promise.reject(new Error('a request that should wait was admitted'))));
  await Promise.race([waited, ...early]);
}

/** Tracks whether a promise settled, without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

beforeEach(() => {
  key = `test-${randomUUID()}:limiter`;
  stop = new AbortController();
});

afterEach(async () => {
  stop.abort(new Error('test over'));
  const redis = connect();
  await redis.del(key);
  for (const connection of connections.splice(0)) await connection.quit();
});

test('admits perMinute requests at once; the next waits until the oldest leaves the window, however long it retries', BOUNDED, async () => {
  let clock = 1_000_000;
  const watch = waits(3);
  const limit = limiter({ perMinute: 5, windowMs: 200, now: () => clock, onWait: watch.onWait });
  for (let i = 0; i < 5; i++) {
    clock = 1_000_000 + 10 * i;
    await limit.acquire();
  }
  assert.equal(await connect().zcard(key), 5);
  assert.deepEqual(watch.seen, [], 'none of the first five waited');

  clock = 1_000_045;
  const sixth = track(limit.acquire(stop.signal));
  await whileWaiting(watch.done, sixth.promise);
  assert.equal(sixth.settled, false, 'the clock did not move, so three tries found the window full');
  assert.deepEqual(watch.seen, [155, 155, 155], 'each wait is the time until the first admission (at 1,000,000) leaves');

  clock = 1_000_200;
  await sixth.promise;
  const scores = await connect().zrange(key, 0, '-1', 'WITHSCORES');
  assert.deepEqual(scores.filter((_, i) => i % 2 === 1).map(Number), [1_000_010, 1_000_020, 1_000_030, 1_000_040, 1_000_200]);
});

test('two limiters on two connections share one budget', BOUNDED, async () => {
  const clock = 5_000_000;
  const watchA = waits(1);
  const watchB = waits(1);
  const a = limiter({ perMinute: 5, now: () => clock, onWait: watchA.onWait });
  const b = limiter({ perMinute: 5, now: () => clock, onWait: watchB.onWait });
  for (let i = 0; i < 3; i++) await a.acquire();
  for (let i = 0; i < 2; i++) await b.acquire();
  const fromA = a.acquire(stop.signal);
  const fromB = b.acquire(stop.signal);
  await whileWaiting(Promise.all([watchA.done, watchB.done]), fromA, fromB);
  assert.deepEqual([watchA.seen, watchB.seen], [[60_000], [60_000]], 'each waits a full window: the five slots are taken');
  stop.abort(new Error('test over'));
  await assert.rejects(fromA, /test over/);
  await assert.rejects(fromB, /test over/);
  assert.equal(await connect().zcard(key), 5);
});

test('twenty concurrent requests from two connections on the Redis clock: exactly perMinute are admitted', BOUNDED, async () => {
  let admitted = 0;
  let outcomes = 0;
  let allSeen!: () => void;
  const seen = new Promise<void>((resolve) => (allSeen = resolve));
  const outcome = () => {
    if (++outcomes === 20) allSeen();
  };
  const options = { perMinute: 5, onWait: outcome };
  const limiters = [limiter(options), limiter(options)];
  const requests = Array.from({ length: 20 }, (_, i) =>
    limiters[i % 2]!.acquire(stop.signal).then(() => {
      admitted++;
      outcome();
    }),
  );
  // Every request either was admitted or was told to wait (once: the window is a real minute).
  await seen;
  assert.equal(admitted, 5);
  assert.equal(await connect().zcard(key), 5);
  stop.abort(new Error('stop'));
  const results = await Promise.allSettled(requests);
  assert.equal(results.filter((r) => r.status === 'rejected' && (r.reason as Error).message === 'stop').length, 15);
});

test("abort while waiting rejects promptly with the signal's reason and takes no slot", BOUNDED, async () => {
  const watch = waits(1);
  const limit = limiter({ perMinute: 1, onWait: watch.onWait });
  await limit.acquire();
  const reason = new Error('worker shutting down');
  const waiting = limit.acquire(stop.signal);
  await whileWaiting(watch.done, waiting);
  assert.ok(watch.seen[0]! > 0 && watch.seen[0]! <= 60_000);
  stop.abort(reason);
  await assert.rejects(waiting, (e: unknown) => e === reason);
  assert.equal(await connect().zcard(key), 1);
});

test('an already aborted signal rejects without touching the budget', BOUNDED, async () => {
  const limit = limiter({ perMinute: 3 });
  const reason = new Error('cancelled before start');
  await assert.rejects(limit.acquire(AbortSignal.abort(reason)), (e: unknown) => e === reason);
  assert.equal(await connect().exists(key), 0);
});

test('a rate below one per minute stretches the window; a rate that is not positive is refused', BOUNDED, async () => {
  const watch = waits(1);
  const limit = limiter({ perMinute: 0.5, now: () => 7_000_000, onWait: watch.onWait });
  await limit.acquire();
  const second = limit.acquire(stop.signal);
  await whileWaiting(watch.done, second);
  assert.deepEqual(watch.seen, [120_000], 'one request per two minutes');
  stop.abort(new Error('enough'));
  await assert.rejects(second, /enough/);
  assert.throws(() => limiter({ perMinute: 0 }), RangeError);
  assert.throws(() => limiter({ perMinute: Number.NaN }), RangeError);
});
