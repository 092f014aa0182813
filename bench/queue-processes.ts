/**
 * Queue throughput by worker processes: the same 64 runs in flight, as one `runner worker --processes 1
 * --concurrency 64` and as `runner worker --processes 2 --concurrency 32` (the supervisor and two children), side
 * by side in one invocation. The runs are those of bench/queue-concurrency.ts: one prompt step whose scripted model
 * (250 ms per answer) calls two fast read tools, one per turn, then answers, so a run takes at least 0.75 s and 64
 * in flight cannot finish more than 85.3 runs/s. The sandbox and model server run in a child process
 * (bench/queue-servers.ts), the workers are real CLI processes, and this process only enqueues and watches.
 *
 * For each shape: a warm-up wave (not measured), then `runs` runs enqueued while the queue is paused and released
 * at once; achieved runs/s from the first job start to the last job finish (BullMQ's processedOn / finishedOn),
 * achieved / ideal, and CPU per run summed over the worker processes (/proc/<pid>/stat), the supervisor's apart.
 * Then the ratio of the two shapes' throughputs.
 *
 *   node bench/queue-processes.ts [runs=640] [warmup=64] [inflight=64]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { connectRedis } from '../src/queue/connection.ts';
import { QUEUE_NAME } from '../src/queue/names.ts';
import type { RunJobData } from '../src/queue/payload.ts';
import { enqueueRun } from '../src/queue/producer.ts';
import { SCHEDULE_SETTINGS } from '../src/queue/repeat-strategy.ts';
import { RunLifecycle } from '../src/runs/lifecycle.ts';
import { openRedisRunStore } from '../src/runs/redis-store.ts';
import { confluenceCatalogue } from '../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../src/workflow/load.ts';
import { REDIS_URL, benchPrefix, deleteKeys, numericArgs, queueConfig, readToolsWorkflow } from './queue-kit.ts';
import { startQueueServers } from './queue-servers.ts';

const { runs, warmup, inflight } = numericArgs({ runs: 640, warmup: 64, inflight: 64 });
const LATENCY_MS = 250;
const REQUESTS_PER_RUN = 3;
const ROOT = new URL('..', import.meta.url).pathname;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

const WORKFLOW = readToolsWorkflow('bench-queue-processes');

/** One shape's figures. */
interface Result {
  processes: number;
  concurrency: number;
  succeeded: number;
  failed: number;
  seconds: number;
  achieved: number;
  workerCpuMsPerRun: number;
  supervisorCpuMsPerRun: number;
}

/** A `runner worker` process tree: the spawned process and the pids of the processes that run jobs. */
interface WorkerTree {
  child: ChildProcess;
  /** The processes that run jobs: the spawned one alone, or the supervisor's children. */
  workerPids: number[];
  /** The supervisor's pid (none with one process). */
  supervisorPid?: number;
  stop(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-queue-processes-'));
const servers = await startQueueServers('child', { dir, latencyMs: LATENCY_MS, reads: REQUESTS_PER_RUN - 1 });
const workflow = loadWorkflowText('bench-queue-processes.yaml', WORKFLOW, { tools: confluenceCatalogue() }).workflow!;
const results: Result[] = [];
try {
  for (const processes of [1, 2]) results.push(await measure(processes, inflight / processes));
} finally {
  await servers.close();
  rmSync(dir, { recursive: true, force: true });
}

const ideal = inflight / ((REQUESTS_PER_RUN * LATENCY_MS) / 1000);
console.log(
  `${runs} runs per shape after ${warmup} warm-up runs, ${inflight} in flight in total, model ${LATENCY_MS} ms x ${REQUESTS_PER_RUN} requests, servers in a child process; ideal ${ideal.toFixed(1)} runs/s`,
);
for (const r of results) {
  console.log(
    `${r.processes} process(es) × concurrency ${String(r.concurrency).padEnd(2)}: ${r.succeeded} succeeded, ${r.failed} failed in ${r.seconds.toFixed(2)} s; ` +
      `achieved ${r.achieved.toFixed(1)} runs/s, achieved / ideal ${(r.achieved / ideal).toFixed(3)}; ` +
      `worker CPU ${r.workerCpuMsPerRun.toFixed(1)} ms per run${r.processes > 1 ? ` (supervisor ${r.supervisorCpuMsPerRun.toFixed(2)} ms per run)` : ''}`,
  );
}
const [one, two] = results;
console.log(`2 processes / 1 process: ${(two!.achieved / one!.achieved).toFixed(3)}x runs/s`);

/** Runs a warm-up wave and a measured batch through `runner worker --processes <processes> --concurrency <concurrency>`. */
async function measure(processes: number, concurrency: number): Promise<Result> {
  const prefix = benchPrefix(`processes-${processes}`);
  const env = { OPENAI_BASE_URL: servers.modelUrl, RUNNER_SANDBOX_URL: servers.sandboxUrl };
  const config = queueConfig(dir, prefix, env);
  const redis = connectRedis(REDIS_URL, { name: 'bench-producer' });
  const store = openRedisRunStore({ redis, prefix, retentionMs: config.queue.retentionMs });
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
  const queue = new Queue<RunJobData>(QUEUE_NAME, { connection: redis, prefix, settings: SCHEDULE_SETTINGS });
  const tree = await startWorkers(processes, concurrency, {
    ...env,
    REDIS_URL,
    RUNNER_QUEUE_PREFIX: prefix,
    RUNNER_STORE: 'redis',
    RUNNER_MODEL: 'scripted',
    OPENAI_API_KEY: 'bench',
  });
  try {
    /** Enqueues `count` runs on the paused queue, releases them at once; answers their ids once all ended. */
    const batch = async (count: number): Promise<string[]> => {
      await queue.pause();
      const ids: string[] = [];
      for (let i = 0; i < count; i += 100) {
        ids.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(100, count - i) }, () =>
              enqueueRun(queue, lifecycle, workflow, { inputs: {}, resolved: {}, backend: 'sandbox', model: 'scripted' }),
            ),
          )),
        );
      }
      const before = await queue.getJobCounts('completed', 'failed');
      await queue.resume();
      for (;;) {
        const now = await queue.getJobCounts('completed', 'failed');
        if (now.completed! + now.failed! - before.completed! - before.failed! >= count) return ids;
        if (tree.child.exitCode !== null) throw new Error(`runner worker exited (${tree.child.exitCode}) before the runs ended`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await batch(warmup);
    const cpu0 = tree.workerPids.map(cpuMsOf);
    const supervisor0 = tree.supervisorPid ? cpuMsOf(tree.supervisorPid) : 0;
    const ids = await batch(runs);
    const workerCpu = tree.workerPids.map(cpuMsOf).reduce((sum, ms, i) => sum + ms - cpu0[i]!, 0);
    const supervisorCpu = tree.supervisorPid ? cpuMsOf(tree.supervisorPid) - supervisor0 : 0;
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    const succeeded = jobs.filter((j) => j?.returnvalue?.status === 'succeeded');
    const first = Math.min(...jobs.map((j) => j?.processedOn ?? Infinity));
    const last = Math.max(...jobs.map((j) => j?.finishedOn ?? -Infinity));
    const seconds = (last - first) / 1000;
    return {
      processes,
      concurrency,
      succeeded: succeeded.length,
      failed: runs - succeeded.length,
      seconds,
      achieved: succeeded.length / seconds,
      workerCpuMsPerRun: workerCpu / runs,
      supervisorCpuMsPerRun: supervisorCpu / runs,
    };
  } finally {
    await tree.stop();
    await queue.close();
    await deleteKeys(redis, prefix);
    await store.close();
    await redis.quit();
  }
}

/** Starts `runner worker` and waits until every process is ready; the pids of the processes that run jobs come from its log. */
async function startWorkers(processes: number, concurrency: number, env: Record<string, string>): Promise<WorkerTree> {
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'worker', '--processes', String(processes), '--concurrency', String(concurrency)], {
    cwd: dir,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  const readyLine = processes > 1 ? /supervisor: \d+ processes × concurrency \d+ ready$/ : /worker ready: /;
  await new Promise<void>((resolve, reject) => {
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      if (parts.some((l) => readyLine.test(l))) resolve();
    });
    child.once('exit', (code) => reject(new Error(`runner worker exited (${code}) before it was ready:\n${lines.join('\n')}`)));
  });
  const started = lines.flatMap((l) => /supervisor: process \d+ started \(pid (\d+)\)$/.exec(l)?.slice(1).map(Number) ?? []);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    workerPids: processes > 1 ? started : [child.pid!],
    supervisorPid: processes > 1 ? child.pid : undefined,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
}
