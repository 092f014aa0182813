import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, test } from 'node:test';
import type { Redis } from 'ioredis';
import { loadConfig, type RunnerConfig } from '../../../src/config/config.ts';
import { openNotifyQueue } from '../../../src/notify/notify-queue.ts';
import { createNotifyWorker } from '../../../src/notify/notify-worker.ts';
import { createQueueNotifier } from '../../../src/notify/queue-notifier.ts';
import { connectRedis } from '../../../src/queue/connection.ts';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { openRedisRunStore } from '../../../src/runs/redis-store.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import { keysUnder } from '../../fixtures/redis-keys.ts';
import { FAILURE, workflowWith } from './fixtures.ts';
import { startReceiver } from './receivers.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/** One process of queue mode: its connection, the shared store under the test's prefix, its lifecycle. */
function processOn(prefix: string, config: RunnerConfig): { redis: Redis; lifecycle: RunLifecycle } {
  const redis = connectRedis(REDIS_URL, { name: `notify-test-${prefix}` });
  cleanups.push(() => redis.quit());
  const store = openRedisRunStore({ redis, prefix, retentionMs: 24 * 3600_000 });
  return { redis, lifecycle: new RunLifecycle(store, { secrets: config.secrets }) };
}

/** A unique prefix, a configuration with fast retries, and every key under the prefix deleted at the end. */
function setUp(env: Record<string, string> = {}): { prefix: string; config: RunnerConfig } {
  const prefix = `nt-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'notify-queue-'));
  const config = loadConfig({ env: { RUNNER_QUEUE_PREFIX: prefix, RUNNER_NOTIFY_BACKOFF: '10ms', REDIS_URL, ...env }, cwd: dir });
  const admin = connectRedis(REDIS_URL, { name: `notify-test-admin-${prefix}` });
  cleanups.push(async () => {
    const keys = await keysUnder(admin, prefix);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
    rmSync(dir, { recursive: true, force: true });
  });
  return { prefix, config };
}

/** Polls the run until `done` holds (bounded; the failure message shows the last record). */
async function until(lifecycle: RunLifecycle, id: string, done: (run: RunRecord) => boolean): Promise<RunRecord> {
  let last: RunRecord | undefined;
  for (let i = 0; i < 300; i++) {
    last = await lifecycle.store.get(id);
    if (last && done(last)) return last;
    await sleep(50);
  }
  throw new Error(`the run never got there: ${JSON.stringify(last?.notifications)}`);
}

/** A run of `workflow` ended through the lifecycle. */
async function ended(lifecycle: RunLifecycle, workflow: ReturnType<typeof workflowWith>, failure = FAILURE): Promise<RunRecord> {
  const attempt = await lifecycle.begin(workflow, {
    id: randomUUID(),
    trigger: { type: 'manual' },
    inputs: {},
    mode: 'live',
    backend: 'sandbox',
    model: 'gpt-5',
  });
  return attempt.finish(failure);
}

test('queue mode: one job per run, event and rule; two notify workers deliver it once', async () => {
  const hook = await startReceiver();
  cleanups.push(() => hook.close());
  const { prefix, config } = setUp();
  const producer = processOn(prefix, config);
  const queue = openNotifyQueue(producer.redis, prefix);
  cleanups.push(() => queue.close());
  for (let i = 0; i < 2; i++) {
    const own = processOn(prefix, config);
    const worker = createNotifyWorker({ config, lifecycle: own.lifecycle, connection: own.redis, prefix });
    cleanups.push(() => worker.close());
  }
  const workflow = workflowWith(`  - on: [failed]\n    webhook: { url: "${hook.origin}/queued" }`);
  const notifier = createQueueNotifier({ config, lifecycle: producer.lifecycle, queue });
  const run = await ended(producer.lifecycle, workflow);
  // Told twice (two processes that saw the end): still one job.
  await Promise.all([notifier.runEnded(run, workflow), notifier.runEnded(run, workflow)]);
  await notifier.drain(10_000);
  assert.deepEqual(
    (await queue.getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized'])).map((j) => j.id),
    [`${run.id}:failed:workflow#1`],
  );

  const stored = await until(producer.lifecycle, run.id, (r) => r.notifications?.[0]?.done === true);
  assert.equal(hook.requests.length, 1);
  assert.equal(JSON.parse(hook.requests[0]!.body).run.id, run.id);
  assert.deepEqual(
    stored.notifications!.map((n) => ({ rule: n.rule, channel: n.channel, target: n.target, attempts: n.attempts.map((a) => a.status) })),
    [{ rule: 'workflow#1', channel: 'webhook', target: `${hook.origin}/queued`, attempts: [200] }],
  );
});

test('queue mode: each try of the job is one recorded attempt; 500, 500, then 200 is delivered on the third', async () => {
  const hook = await startReceiver([500, 500]);
  cleanups.push(() => hook.close());
  const { prefix, config } = setUp({ HOOK_SECRET: 'queue-hmac-secret-5511' });
  const producer = processOn(prefix, config);
  const queue = openNotifyQueue(producer.redis, prefix);
  cleanups.push(() => queue.close());
  const own = processOn(prefix, config);
  const worker = createNotifyWorker({ config, lifecycle: own.lifecycle, connection: own.redis, prefix });
  cleanups.push(() => worker.close());
  const workflow = workflowWith(`  - on: [failed]\n    webhook: { url: "${hook.origin}/retry", secret: { env: HOOK_SECRET } }`);
  const notifier = createQueueNotifier({ config, lifecycle: producer.lifecycle, queue });
  const run = await ended(producer.lifecycle, workflow);
  await notifier.runEnded(run, workflow);
  await notifier.drain(10_000);

  const stored = await until(producer.lifecycle, run.id, (r) => r.notifications?.[0]?.done === true);
  const [n] = stored.notifications!;
  assert.deepEqual(
    n!.attempts.map((a) => [a.ok, a.status]),
    [
      [false, 500],
      [false, 500],
      [true, 200],
    ],
  );
  assert.equal(n!.deliveredAt, n!.attempts[2]!.at);
  assert.equal(hook.requests.length, 3);
  assert.ok(!JSON.stringify(stored).includes('queue-hmac-secret-5511'));
  assert.ok(
    !JSON.stringify((await queue.getJobs(['completed']))[0]?.data).includes('queue-hmac-secret-5511'),
    'the job carries the variable name, not the secret',
  );
});
