/**
 * Queue floor: jobs/s of the cheapest workflow run through the runner's queue (enqueueRun, then an in-process
 * startRunWorker) against raw BullMQ no-op jobs (Queue.add, then a Worker whose processor does nothing) on the same
 * Redis, in the same process, at the same concurrency, rounds interleaved. Goal: the runner at least 0.5 of raw
 * BullMQ.
 *
 * The "no-op workflow" is the cheapest run the engine has: one tool step calling CONFLUENCE_GET_CURRENT_USER on the
 * sandbox, no model. It is still a real run: enqueueRun saves a `queued` record in the Redis store and adds the job;
 * the worker takes the validated workflow from its cache (parsing the job's text the first time), looks the run up,
 * leases an MCP session to the sandbox (started in this process, reached through RUNNER_SANDBOX_URL) from its
 * backend pool, makes the call through the gateway, saves the record at start, step end and finish, and returns
 * the session to the pool. The raw jobs carry the same
 * data and options. A third row runs the runner's queue code with runWorkflow replaced by a stub (record saved at
 * enqueue, job parsed, run looked up, nothing run) to show what the queue layer itself costs, and a fourth the real
 * run with a single MCP session shared by all runs at once (a what-if: the pool gives each concurrent run its own).
 *
 *   node bench/queue-floor.ts [jobs=1000] [concurrency=64] [rounds=3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { connectRedis } from '../src/queue/connection.ts';
import { QUEUE_NAME } from '../src/queue/names.ts';
import { KEEP_JOBS, jobData, retryOptions, type RunJobData } from '../src/queue/payload.ts';
import { SCHEDULE_SETTINGS } from '../src/queue/repeat-strategy.ts';
import { enqueueRun } from '../src/queue/producer.ts';
import { startRunWorker } from '../src/queue/worker.ts';
import { openRedisRunStore } from '../src/runs/redis-store.ts';
import { RunLifecycle } from '../src/runs/lifecycle.ts';
import type { RunRecord } from '../src/runs/types.ts';
import { confluenceCatalogue } from '../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../src/workflow/load.ts';
import { REDIS_URL, benchPrefix, deleteKeys, mean, numericArgs, queueConfig, withSharedBackend } from './queue-kit.ts';
import { startQueueServers } from './queue-servers.ts';

const { jobs, concurrency, rounds } = numericArgs({ jobs: 1000, concurrency: 64, rounds: 3 });
const WORKFLOW = `version: 1
name: bench-queue-floor
tools:
  allow: [CONFLUENCE_GET_CURRENT_USER]
steps:
  - id: whoami
    tool: CONFLUENCE_GET_CURRENT_USER
`;

const dir = mkdtempSync(join(tmpdir(), 'bench-queue-floor-'));
const prefix = benchPrefix('floor');
const servers = await startQueueServers('inline', { dir });
const config = queueConfig(dir, prefix, { OPENAI_BASE_URL: servers.modelUrl, RUNNER_SANDBOX_URL: servers.sandboxUrl });
const redis = connectRedis(REDIS_URL, { name: 'bench-producer' });
const store = openRedisRunStore({ redis, prefix, retentionMs: config.queue.retentionMs });
const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
const runsQueue = new Queue<RunJobData>(QUEUE_NAME, { connection: redis, prefix, settings: SCHEDULE_SETTINGS });
const rawQueue = new Queue<RunJobData>('raw-noop', { connection: redis, prefix, settings: SCHEDULE_SETTINGS });
const workflow = loadWorkflowText('bench-queue-floor.yaml', WORKFLOW, { tools: confluenceCatalogue() }).workflow!;
const data = jobData(workflow);
const opts = { ...retryOptions(workflow), ...KEEP_JOBS };

/** Adds `count` jobs, 100 at a time, while the worker runs; resolves with jobs/s from the first add to the last finish. */
async function measure(count: number, add: () => Promise<unknown>, worker: Worker): Promise<number> {
  let finished = 0;
  let failed = 0;
  const done = new Promise<void>((resolve) => {
    const settle = () => (finished + failed === count ? resolve() : undefined);
    worker.on('completed', (_job, result: { status?: string } | undefined) => {
      if (result && result.status !== undefined && result.status !== 'succeeded') failed++;
      else finished++;
      settle();
    });
    worker.on('failed', (_job, error) => {
      failed++;
      console.error(error.message);
      settle();
    });
  });
  await worker.waitUntilReady();
  const start = performance.now();
  for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, add));
  await done;
  const seconds = (performance.now() - start) / 1000;
  if (failed) throw new Error(`${failed} of ${count} jobs failed`);
  return count / seconds;
}

async function raw(count = jobs): Promise<number> {
  const blocking = connectRedis(REDIS_URL, { name: 'bench-raw-worker' });
  const worker = new Worker<RunJobData>('raw-noop', async () => {}, { connection: blocking, prefix, concurrency, settings: SCHEDULE_SETTINGS });
  try {
    return await measure(count, () => rawQueue.add(workflow.name, data, opts), worker);
  } finally {
    await worker.close();
    await blocking.quit();
  }
}

/** The runner's queue with the real engine, the engine stubbed, or the engine on one shared MCP session. */
async function runner(engine: 'real' | 'stub' | 'shared', count = jobs): Promise<number> {
  const blocking = connectRedis(REDIS_URL, { name: 'bench-runner-worker' });
  const noop = async (): Promise<RunRecord> => ({ status: 'succeeded' }) as RunRecord;
  const shared = engine === 'shared' ? withSharedBackend() : undefined;
  const runWorkflow = engine === 'stub' ? noop : shared?.runWorkflow;
  const worker = startRunWorker({ config, connection: blocking, store, concurrency, runWorkflow });
  try {
    return await measure(count, () => enqueueRun(runsQueue, lifecycle, workflow, { inputs: {}, resolved: {}, backend: 'sandbox', model: '' }), worker.worker);
  } finally {
    await worker.stop(1000);
    await shared?.close();
    await blocking.quit();
  }
}

const results = { raw: [] as number[], stub: [] as number[], real: [] as number[], shared: [] as number[] };
// Warm-up: JIT, sandbox caches, connections.
await raw(1000);
await runner('stub', 1000);
await runner('real', 200);
for (let round = 0; round < rounds; round++) {
  results.raw.push(await raw());
  results.stub.push(await runner('stub'));
  results.real.push(await runner('real'));
  results.shared.push(await runner('shared'));
}
const succeeded = (await store.list({ limit: -1, status: 'succeeded' })).length;
await rawQueue.close();
await runsQueue.close();
const deleted = await deleteKeys(redis, prefix);
await redis.quit();
await servers.close();
rmSync(dir, { recursive: true, force: true });

const row = (name: string, xs: number[]) =>
  console.log(`${name.padEnd(52)} ${mean(xs).toFixed(0).padStart(6)} jobs/s  (rounds: ${xs.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`${jobs} jobs per round, ${rounds} rounds interleaved, concurrency ${concurrency}, one in-process worker; ${succeeded} real runs succeeded`);
row('raw BullMQ: Queue.add + Worker(no-op)', results.raw);
row('runner queue, runWorkflow stubbed (queue layer only)', results.stub);
row('runner queue, one tool step on the sandbox (real run)', results.real);
row('  what-if: the same with one MCP session for all runs', results.shared);
console.log(`queue layer / raw = ${(mean(results.stub) / mean(results.raw)).toFixed(3)}`);
console.log(`real run / raw = ${(mean(results.real) / mean(results.raw)).toFixed(3)} (goal ≥ 0.5); removed ${deleted} keys under ${prefix}:`);
