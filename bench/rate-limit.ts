/**
 * Rate limit: workers sharing RUNNER_MODEL_RPM=120 (createRedisRateLimiter on the queue's limiter key, passed to
 * startRunWorker as beforeModelRequest, as `runner worker` does) against a scripted model server that itself allows
 * 120 requests per sliding minute and answers 429 with Retry-After beyond. Two in-process workers (each its own
 * Redis connections and limiter) take the enqueued runs; the sandbox runs in this process (RUNNER_SANDBOX_URL).
 * An allowed rate can only be measured over whole windows, so the default load (360 runs of one model request) needs
 * three windows' worth of requests, about two minutes: the achieved rate is the requests the server answered 200 in
 * the complete minutes from its first request, against 120 per minute. Goal: no run fails and achieved / allowed
 * at least 0.9 (and never above 1: the busiest sliding minute at the server is printed too, with the 429s it sent).
 *
 *   node bench/rate-limit.ts [runs=360] [requests=1] [rpm=120] [workers=2] [concurrency=32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { connectRedis } from '../src/queue/connection.ts';
import { QUEUE_NAME, limiterKey } from '../src/queue/names.ts';
import type { RunJobData } from '../src/queue/payload.ts';
import { SCHEDULE_SETTINGS } from '../src/queue/repeat-strategy.ts';
import { enqueueRun } from '../src/queue/producer.ts';
import { createRedisRateLimiter } from '../src/queue/rate-limit.ts';
import { startRunWorker, type RunWorker } from '../src/queue/worker.ts';
import { openRedisRunStore } from '../src/runs/redis-store.ts';
import { RunLifecycle } from '../src/runs/lifecycle.ts';
import { confluenceCatalogue } from '../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../src/workflow/load.ts';
import { REDIS_URL, benchPrefix, deleteKeys, numericArgs, queueConfig } from './queue-kit.ts';
import { startQueueServers } from './queue-servers.ts';

const { runs, requests, rpm, workers: workerCount, concurrency } = numericArgs({ runs: 360, requests: 1, rpm: 120, workers: 2, concurrency: 32 });
const WINDOW_MS = 60_000;
const WORKFLOW = `version: 1
name: bench-rate-limit
tools:
  allow: [CONFLUENCE_GET_CURRENT_USER, CONFLUENCE_GET_SPACES]
limits:
  timeout: 30m
prompt: "Run {{ run.id }}: say who you are."
`;

const dir = mkdtempSync(join(tmpdir(), 'bench-rate-limit-'));
const prefix = benchPrefix('rate');
const servers = await startQueueServers('inline', { dir, latencyMs: 50, reads: requests - 1, rateLimit: { perMinute: rpm } });
const config = queueConfig(dir, prefix, { OPENAI_BASE_URL: servers.modelUrl, RUNNER_SANDBOX_URL: servers.sandboxUrl, RUNNER_MODEL_RPM: String(rpm) });
const redis = connectRedis(REDIS_URL, { name: 'bench-producer' });
const store = openRedisRunStore({ redis, prefix, retentionMs: config.queue.retentionMs });
const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
const queue = new Queue<RunJobData>(QUEUE_NAME, { connection: redis, prefix, settings: SCHEDULE_SETTINGS });
const workflow = loadWorkflowText('bench-rate-limit.yaml', WORKFLOW, { tools: confluenceCatalogue() }).workflow!;
const expected = runs * requests;
console.log(`${runs} runs x ${requests} model request(s) at ${config.modelRpm}/min: at least ${((expected - rpm) / rpm).toFixed(1)} min of traffic`);

for (let i = 0; i < runs; i += 100) {
  await Promise.all(
    Array.from({ length: Math.min(100, runs - i) }, () =>
      enqueueRun(queue, lifecycle, workflow, { inputs: {}, resolved: {}, backend: 'sandbox', model: 'scripted' }),
    ),
  );
}

let settled = 0;
let failed = 0;
let waits = 0;
let allDone!: () => void;
const done = new Promise<void>((resolve) => (allDone = resolve));
const settle = () => (++settled === runs ? allDone() : undefined);
const started: Array<{ worker: RunWorker; close(): Promise<void> }> = [];
for (let i = 0; i < workerCount; i++) {
  const own = connectRedis(REDIS_URL, { name: `bench-worker-${i}` });
  const blocking = connectRedis(REDIS_URL, { name: `bench-worker-${i}-blocking` });
  const workerStore = openRedisRunStore({ redis: own, prefix, retentionMs: config.queue.retentionMs });
  const limiter = createRedisRateLimiter({ redis: own, key: limiterKey(prefix), perMinute: config.modelRpm!, onWait: () => waits++ });
  const worker = startRunWorker({ config, connection: blocking, store: workerStore, concurrency, beforeModelRequest: (signal) => limiter.acquire(signal) });
  worker.worker.on('completed', (_job, result) => {
    if (result.status !== 'succeeded') failed++;
    settle();
  });
  worker.worker.on('failed', (job, error) => {
    failed++;
    console.error(`run ${job?.id} failed: ${error.message}`);
    settle();
  });
  started.push({ worker, close: async () => void (await Promise.all([own.quit(), blocking.quit()])) });
}
const progress = setInterval(() => console.log(`  ${settled}/${runs} runs done`), 30_000);
await done;
clearInterval(progress);
for (const { worker, close } of started) {
  await worker.stop(1000);
  await close();
}

const seen = await servers.requestTimes();
const succeeded = (await store.list({ limit: -1, status: 'succeeded' })).length;
await queue.close();
const deleted = await deleteKeys(redis, prefix);
await redis.quit();
await servers.close();
rmSync(dir, { recursive: true, force: true });

const ok = seen
  .filter((r) => r.status === 200)
  .map((r) => r.at)
  .sort((a, b) => a - b);
const tooMany = seen.filter((r) => r.status === 429).length;
const first = Math.min(...seen.map((r) => r.at));
const last = Math.max(...seen.map((r) => r.at));
const windows = Math.floor((last - first) / WINDOW_MS);
const inWindows = ok.filter((at) => at < first + windows * WINDOW_MS).length;
const achieved = windows ? inWindows / windows : NaN;
let busiest = 0;
for (let i = 0, j = 0; i < ok.length; i++) {
  while (j < ok.length && ok[j]! < ok[i]! + WINDOW_MS) j++;
  busiest = Math.max(busiest, j - i);
}
console.log(
  `${succeeded} of ${runs} runs succeeded, ${failed} failed; ${workerCount} workers x concurrency ${concurrency}; the limiter made requests wait ${waits} times`,
);
console.log(`model server: ${seen.length} requests, ${ok.length} answered 200, ${tooMany} answered 429; first to last ${((last - first) / 1000).toFixed(1)} s`);
console.log(`answered in the ${windows} complete minute(s) from the first request: ${inWindows} → ${achieved.toFixed(1)} requests/min`);
const offsets = seen.filter((r) => r.status === 429).map((r) => ((r.at - first) / 1000).toFixed(1));
if (offsets.length) console.log(`429s at (s after the first request): ${offsets.slice(0, 40).join(', ')}${offsets.length > 40 ? ', ...' : ''}`);
console.log(`busiest sliding minute at the server: ${busiest} requests answered 200 (allowed ${rpm})`);
if (!windows) console.log('the run was shorter than one window: no rate can be measured; give more runs');
console.log(
  `achieved / allowed = ${(achieved / rpm).toFixed(3)} (goal ≥ 0.9, none failed: ${failed === 0 ? 'yes' : 'no'}); removed ${deleted} keys under ${prefix}:`,
);
