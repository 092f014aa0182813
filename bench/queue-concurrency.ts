/**
 * Queue concurrency: how close one worker at concurrency 64 comes to the throughput its model latency allows.
 * Every run is one prompt step whose scripted model (250 ms per answer) calls a fast read tool twice, one per
 * turn, then answers: 3 model requests, so a run cannot take less than 0.75 s and 64 at once cannot finish more
 * than 64 / 0.75 = 85.3 runs/s. N runs are enqueued with enqueueRun (records in the Redis store), then one
 * in-process worker (startRunWorker, the real runWorkflow and processor) takes them; achieved runs/s is measured
 * from the first job start to the last job finish, after one unmeasured wave of warm-up runs (the worker is paused
 * while each batch is enqueued). Goal: achieved / ideal at least 0.9.
 *
 * Everything runs in this process by default: the worker, the sandbox (startSandboxWithMcp, reached through
 * RUNNER_SANDBOX_URL; each run leases an MCP session from the worker's backend pool) and the model server. To tell the worker's own
 * cost from the servers', `servers=child` starts the sandbox and model server in a child process instead
 * (bench/queue-servers.ts), as they would be elsewhere in production. To see where the time goes, it prints the
 * event-loop utilisation, CPU per run, and each run's wall time split at its model requests (the prompt carries the
 * run id). `backend=shared` is a what-if, not what the runner does: every run on one MCP session opened once, to
 * measure what the per-run session costs.
 *
 *   node bench/queue-concurrency.ts [runs=640] [concurrency=64] [warmup=64] [servers=inline|child] [backend=per-run|shared]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { connectRedis } from '../src/queue/connection.ts';
import { QUEUE_NAME } from '../src/queue/names.ts';
import type { RunJobData } from '../src/queue/payload.ts';
import { SCHEDULE_SETTINGS } from '../src/queue/repeat-strategy.ts';
import { enqueueRun } from '../src/queue/producer.ts';
import { startRunWorker } from '../src/queue/worker.ts';
import { openRedisRunStore } from '../src/runs/redis-store.ts';
import { RunLifecycle } from '../src/runs/lifecycle.ts';
import { confluenceCatalogue } from '../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../src/workflow/load.ts';
import { REDIS_URL, benchPrefix, deleteKeys, mean, quantile, queueConfig, withSharedBackend, readToolsWorkflow } from './queue-kit.ts';
import { cpuMs, startQueueServers, type ModelRequestTimes } from './queue-servers.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const runs = Number(args.runs ?? 640);
const concurrency = Number(args.concurrency ?? 64);
const warmup = Number(args.warmup ?? concurrency);
const serversIn = (args.servers ?? 'inline') as 'inline' | 'child';
// What-if, not the runner's behaviour: one MCP session shared by all runs of the worker instead of one per run.
const sharedBackend = args.backend === 'shared';
const LATENCY_MS = 250;
const REQUESTS_PER_RUN = 3;

const WORKFLOW = readToolsWorkflow('bench-queue-concurrency');

const dir = mkdtempSync(join(tmpdir(), 'bench-queue-concurrency-'));
const prefix = benchPrefix('concurrency');
const servers = await startQueueServers(serversIn, { dir, latencyMs: LATENCY_MS, reads: REQUESTS_PER_RUN - 1 });
const config = queueConfig(dir, prefix, { OPENAI_BASE_URL: servers.modelUrl, RUNNER_SANDBOX_URL: servers.sandboxUrl });
const redis = connectRedis(REDIS_URL, { name: 'bench-producer' });
const blocking = connectRedis(REDIS_URL, { name: 'bench-worker' });
const store = openRedisRunStore({ redis, prefix, retentionMs: config.queue.retentionMs });
const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
const queue = new Queue<RunJobData>(QUEUE_NAME, { connection: redis, prefix, settings: SCHEDULE_SETTINGS });
const workflow = loadWorkflowText('bench-queue-concurrency.yaml', WORKFLOW, { tools: confluenceCatalogue() }).workflow!;

const started = new Map<string, number>();
const finished = new Map<string, number>();
let failures = 0;
let expected = 0;
let allDone = () => {};
const settle = () => (finished.size + failures === expected ? allDone() : undefined);
const shared = sharedBackend ? withSharedBackend() : undefined;
const worker = startRunWorker({ config, connection: blocking, store, concurrency, runWorkflow: shared?.runWorkflow });
worker.worker.on('active', (job) => started.set(job.id!, Date.now()));
worker.worker.on('completed', (job, result) => {
  if (result.status === 'succeeded') finished.set(job.id!, Date.now());
  else failures++;
  settle();
});
worker.worker.on('failed', (job, error) => {
  failures++;
  console.error(`run ${job?.id} failed: ${error.message}`);
  settle();
});

/** Enqueues `count` runs while the worker is paused, then lets it take them all; resolves when every one ended. */
async function batch(count: number): Promise<void> {
  await worker.worker.pause();
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, () =>
        enqueueRun(queue, lifecycle, workflow, { inputs: {}, resolved: {}, backend: 'sandbox', model: 'scripted' }),
      ),
    );
  }
  started.clear();
  finished.clear();
  failures = 0;
  expected = count;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  worker.worker.resume();
  await done;
}

// A long-lived worker is warm: one wave of runs first (JIT, connections), not measured.
await batch(warmup);
const elu0 = performance.eventLoopUtilization();
const [cpu0, serverCpu0] = [cpuMs(), await servers.cpuMs()];
await batch(runs);
const elu = performance.eventLoopUtilization(elu0);
const [cpu, serverCpu] = [cpuMs() - cpu0, ((await servers.cpuMs()) ?? NaN) - (serverCpu0 ?? NaN)];
await worker.stop(1000);
await shared?.close();

const requests = await servers.requestTimes();
await queue.close();
const deleted = await deleteKeys(redis, prefix);
await redis.quit();
await blocking.quit();
await servers.close();
rmSync(dir, { recursive: true, force: true });

const first = Math.min(...started.values());
const last = Math.max(...finished.values());
const seconds = (last - first) / 1000;
const achieved = finished.size / seconds;
const ideal = concurrency / ((REQUESTS_PER_RUN * LATENCY_MS) / 1000);
const phases = splitRuns(requests, started, finished);
const ms = (xs: number[]) =>
  `mean ${mean(xs).toFixed(0).padStart(4)} ms  p50 ${quantile(xs, 0.5).toFixed(0).padStart(4)}  p99 ${quantile(xs, 0.99).toFixed(0).padStart(4)}`;
console.log(
  `${runs} runs after ${warmup} warm-up runs (${finished.size} succeeded, ${failures} failed), one worker at concurrency ${concurrency}, model ${LATENCY_MS} ms x ${REQUESTS_PER_RUN} requests, servers ${serversIn}${sharedBackend ? ', WHAT-IF: one MCP session shared by all runs' : ''}`,
);
console.log(`first start to last finish: ${seconds.toFixed(2)} s; ${requests.length} model requests served (warm-up included)`);
console.log(
  `this process while running: event loop busy ${(elu.utilization * 100).toFixed(0)}%, CPU ${(cpu / runs).toFixed(1)} ms per run${serversIn === 'child' ? `; server process CPU ${(serverCpu / runs).toFixed(1)} ms per run` : ' (servers included)'}`,
);
console.log(`run wall time (job start to finish)        ${ms(phases.total)}  (floor ${REQUESTS_PER_RUN * LATENCY_MS} ms)`);
console.log(`  start → first model request             ${ms(phases.open)}  (store get, record save, MCP session lease)`);
console.log(`  answer → next request, per turn         ${ms(phases.turn)}  (SDK turn, tool call over MCP, record save)`);
console.log(`  last answer → job finished              ${ms(phases.close)}  (record saves, session returned, job completion)`);
console.log(
  `achieved ${achieved.toFixed(1)} runs/s, ideal ${ideal.toFixed(1)} runs/s (${concurrency} / ${((REQUESTS_PER_RUN * LATENCY_MS) / 1000).toFixed(2)} s)`,
);
console.log(`achieved / ideal = ${(achieved / ideal).toFixed(3)} (goal ≥ 0.9); removed ${deleted} keys under ${prefix}:`);

/** Each run's wall time split at the arrivals of its model requests (answers come LATENCY_MS later). */
function splitRuns(times: ModelRequestTimes[], start: Map<string, number>, end: Map<string, number>) {
  const byRun = new Map<string, number[]>();
  for (const r of times) {
    const list = byRun.get(r.runId) ?? [];
    list.push(r.at);
    byRun.set(r.runId, list);
  }
  const out = { total: [] as number[], open: [] as number[], turn: [] as number[], close: [] as number[] };
  for (const [id, at] of byRun) {
    const s = start.get(id);
    const e = end.get(id);
    if (s === undefined || e === undefined || at.length !== REQUESTS_PER_RUN) continue;
    at.sort((a, b) => a - b);
    out.total.push(e - s);
    out.open.push(at[0]! - s);
    for (let i = 1; i < at.length; i++) out.turn.push(at[i]! - at[i - 1]! - LATENCY_MS);
    out.close.push(e - at[at.length - 1]! - LATENCY_MS);
  }
  return out;
}
