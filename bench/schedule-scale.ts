/**
 * Schedule scale, in two parts on one Redis under a prefix of this run's own.
 *
 * Sync: 10,000 scheduled workflows, generated in memory (real Workflow objects from loadWorkflowText, distinct names,
 * distinct five-field crons over minute x hour x weekday, three time zones), synced with syncSchedules into an empty
 * queue, then synced again unchanged. Goals: the first sync under 10 s, the no-change re-sync under 2 s.
 *
 * Firing: 500 workflows whose six-field crons name the same instant about 10 s ahead (one slot for all, written in
 * local time of the same three zones), synced, then
 * taken by in-process workers (startRunWorker, 2 x concurrency 100) whose runWorkflow is a no-op that notes the time
 * it is called: the real processor runs (workflow parsed from the job, slot run id, store lookup, missed-slot check)
 * but no engine, so this measures scheduling lateness only. Lateness = job start minus slot, where job start is
 * BullMQ's processedOn (the worker took the job) and, later still, the moment the processor called runWorkflow.
 * Goal: p99 under 1 s (judged on the later of the two).
 *
 *   node bench/schedule-scale.ts [schedules=10000] [firing=500] [lead=10] [workers=2] [concurrency=100]
 */
import { Queue } from 'bullmq';
import { connectRedis } from '../src/queue/connection.ts';
import { QUEUE_NAME } from '../src/queue/names.ts';
import type { RunJobData } from '../src/queue/payload.ts';
import { SCHEDULE_SETTINGS } from '../src/queue/repeat-strategy.ts';
import { syncSchedules } from '../src/queue/schedules.ts';
import { startRunWorker } from '../src/queue/worker.ts';
import { openRedisRunStore } from '../src/runs/redis-store.ts';
import type { RunRecord } from '../src/runs/types.ts';
import { confluenceCatalogue } from '../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../src/workflow/load.ts';
import type { Workflow } from '../src/workflow/types.ts';
import { REDIS_URL, benchPrefix, deleteKeys, numericArgs, quantile, queueConfig } from './queue-kit.ts';

const { schedules, firing, lead, workers: workerCount, concurrency } = numericArgs({ schedules: 10_000, firing: 500, lead: 10, workers: 2, concurrency: 100 });
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York'];
const catalogue = confluenceCatalogue();

/** A scheduled one-tool-step workflow. */
function scheduled(name: string, cron: string, timezone: string): Workflow {
  const text = `version: 1
name: ${name}
schedule:
  cron: "${cron}"
  timezone: ${timezone}
tools:
  allow: [CONFLUENCE_GET_CURRENT_USER]
steps:
  - id: whoami
    tool: CONFLUENCE_GET_CURRENT_USER
`;
  const loaded = loadWorkflowText(`${name}.yaml`, text, { tools: catalogue });
  if (!loaded.workflow) throw new Error(`${name}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  return loaded.workflow;
}

/** A six-field cron firing daily at `at`'s second, read in `zone`. */
function dailyCronAt(at: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(at);
  const field = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return `${field('second')} ${field('minute')} ${field('hour')} * * *`;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - start) / 1000 };
}

const prefix = benchPrefix('schedule');
const config = queueConfig(process.cwd(), prefix);
const redis = connectRedis(REDIS_URL, { name: 'bench-scheduler' });
const queue = new Queue<RunJobData>(QUEUE_NAME, { connection: redis, prefix, settings: SCHEDULE_SETTINGS });

// Part 1: sync.
const loadStart = performance.now();
const many = Array.from({ length: schedules }, (_, i) => {
  const cron = `${i % 60} ${Math.floor(i / 60) % 24} * * ${Math.floor(i / 1440) % 7}`;
  return scheduled(`scheduled-${String(i).padStart(5, '0')}`, cron, ZONES[i % ZONES.length]!);
});
const loadSeconds = (performance.now() - loadStart) / 1000;
if (new Set(many.map((w) => `${w.schedule!.cron}`)).size < Math.min(schedules, 10_080)) throw new Error('crons are not distinct');
const first = await timed(() => syncSchedules(queue, redis, prefix, many));
const present = await redis.zcard(queue.keys.repeat!);
const again = await timed(() => syncSchedules(queue, redis, prefix, many));
await deleteKeys(redis, prefix);

// Part 2: firing.
const slot = new Date(Math.ceil((Date.now() + lead * 1000) / 1000) * 1000);
const burst = Array.from({ length: firing }, (_, i) => {
  const zone = ZONES[i % ZONES.length]!;
  return scheduled(`firing-${String(i).padStart(3, '0')}`, dailyCronAt(slot, zone), zone);
});
const burstSync = await timed(() => syncSchedules(queue, redis, prefix, burst));
const store = openRedisRunStore({ redis, prefix, retentionMs: config.queue.retentionMs });
const calledAt: number[] = [];
const takenAt: number[] = [];
let wrongSlot = 0;
let failed = 0;
let allDone!: () => void;
const done = new Promise<void>((resolve) => (allDone = resolve));
const noop = async (_workflow: Workflow, options: { trigger?: RunRecord['trigger'] }): Promise<RunRecord> => {
  calledAt.push(Date.now());
  if (options.trigger?.type !== 'schedule' || options.trigger.slot !== slot.toISOString()) wrongSlot++;
  return { status: 'succeeded' } as RunRecord;
};
const started = Array.from({ length: workerCount }, (_, i) => {
  const blocking = connectRedis(REDIS_URL, { name: `bench-worker-${i}` });
  const worker = startRunWorker({ config, connection: blocking, store, concurrency, runWorkflow: noop });
  worker.worker.on('completed', (job) => {
    takenAt.push(job.processedOn!);
    if (takenAt.length + failed === firing) allDone();
  });
  worker.worker.on('failed', (_job, error) => {
    failed++;
    console.error(error.message);
    if (takenAt.length + failed === firing) allDone();
  });
  return { worker, blocking };
});
await Promise.all(started.map(({ worker }) => worker.worker.waitUntilReady()));
const readyBefore = (slot.getTime() - Date.now()) / 1000;
const timeout = setTimeout(
  () => {
    console.error(`only ${takenAt.length} of ${firing} jobs ran within 2 minutes of the slot`);
    allDone();
  },
  slot.getTime() - Date.now() + 120_000,
);
await done;
clearTimeout(timeout);
for (const { worker, blocking } of started) {
  await worker.stop(1000);
  await blocking.quit();
}
await queue.close();
const deleted = await deleteKeys(redis, prefix);
await redis.quit();

const late = (xs: number[]) => xs.map((t) => t - slot.getTime());
const stats = (name: string, xs: number[]) =>
  console.log(
    `  ${name.padEnd(40)} p50 ${quantile(xs, 0.5).toFixed(0).padStart(5)} ms  p99 ${quantile(xs, 0.99).toFixed(0).padStart(5)} ms  max ${Math.max(...xs)
      .toFixed(0)
      .padStart(5)} ms  min ${Math.min(...xs)
      .toFixed(0)
      .padStart(5)} ms`,
  );
const p99 = quantile(late(calledAt), 0.99);
console.log(`sync: ${schedules} scheduled workflows (loaded and validated in ${loadSeconds.toFixed(1)} s, not counted)`);
console.log(
  `  first sync (empty queue)   ${first.seconds.toFixed(2)} s  added ${first.value.added.length}, ${present} schedulers in Redis  (goal < 10 s: ${first.seconds < 10 ? 'met' : 'NOT met'})`,
);
console.log(
  `  re-sync, nothing changed   ${again.seconds.toFixed(2)} s  unchanged ${again.value.unchanged.length}, added/changed ${again.value.added.length + again.value.changed.length}  (goal < 2 s: ${again.seconds < 2 ? 'met' : 'NOT met'})`,
);
console.log(
  `firing: ${firing} schedules at ${slot.toISOString()} (daily six-field crons in ${ZONES.join(', ')}), synced in ${burstSync.seconds.toFixed(2)} s, workers ready ${readyBefore.toFixed(1)} s before the slot`,
);
console.log(
  `  ${calledAt.length} ran, ${failed} failed, ${wrongSlot} with a wrong slot; ${workerCount} workers x concurrency ${concurrency}, runWorkflow a no-op`,
);
console.log(`  lateness (start − slot):`);
stats('job taken by a worker (processedOn)', late(takenAt));
stats('processor called runWorkflow', late(calledAt));
console.log(`p99 lateness ${p99.toFixed(0)} ms (goal < 1000 ms: ${p99 < 1000 ? 'met' : 'NOT met'}); removed ${deleted} keys under ${prefix}:`);
