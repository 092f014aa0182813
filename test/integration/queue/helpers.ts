/**
 * Plumbing of the queue-mode integration tests: a unique RUNNER_QUEUE_PREFIX per test on the real Redis, worker
 * processes (`runner worker` as real children) whose stderr can be awaited, polling with bounded waits, and a
 * cleanup that stops every child, deletes every key under the prefix and closes every connection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../../src/queue/connection.ts';
import { QUEUE_NAME } from '../../../src/queue/names.ts';
import type { RunJobData } from '../../../src/queue/payload.ts';
import { SCHEDULE_SETTINGS } from '../../../src/queue/repeat-strategy.ts';
import { openRedisRunStore } from '../../../src/runs/redis-store.ts';
import type { RunRecord, RunStore } from '../../../src/runs/types.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflow } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { ROOT, runCli, startSite, workspace, type Workspace } from '../e2e/helpers.ts';
import type { CliResult } from '../cli/cli-process.ts';
import { keysUnder } from '../../fixtures/redis-keys.ts';
import type { Notifier } from '../../../src/notify/notifier.ts';

/** The Redis every queue test shares (each under its own prefix). */
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** Retention long enough that no record of a test expires while it runs. */
const DAY_MS = 24 * 3600 * 1000;

/** A queue fixture workflow by file name. */
export function queueFixture(name: string): string {
  return join(ROOT, 'test/fixtures/queue-workflows', name);
}

/** Loads a queue fixture as a validated workflow. */
export function loadFixture(name: string): Promise<Workflow> {
  return loadWorkflow(queueFixture(name), { tools: confluenceCatalogue() });
}

/**
 * A copy of a queue fixture in `dir` with `edit` applied to its text (another schedule policy, say), loaded as a
 * validated workflow.
 */
export function fixtureVariant(dir: string, name: string, edit: (text: string) => string): Promise<Workflow> {
  const file = join(dir, name);
  writeFileSync(file, edit(readFileSync(queueFixture(name), 'utf8')));
  return loadWorkflow(file, { tools: confluenceCatalogue() });
}

/** A notifier that only records which runs it was told ended (status and slot, in order). */
export interface RecordingNotifier extends Notifier {
  readonly ended: Array<{ runId: string; status: RunRecord['status']; slot?: string; notes: string[] }>;
}

/** A {@link RecordingNotifier}. */
export function recordingNotifier(): RecordingNotifier {
  const ended: RecordingNotifier['ended'] = [];
  return {
    ended,
    runEnded: async (run) => {
      ended.push({ runId: run.id, status: run.status, ...(run.trigger.type === 'schedule' && { slot: run.trigger.slot }), notes: run.notes });
    },
    invalid: async () => {},
    drain: async () => {},
  };
}

/** A fresh prefix for one test's keys. */
export function newPrefix(): string {
  return `qt-${randomUUID().slice(0, 8)}`;
}

/** Polls `probe` until it answers something truthy; fails with `what` and the last answer after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last) return last as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

/** A `runner worker` child process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** How run attempts name this worker (hostname:pid). */
  readonly identity: string;
  /** Every stderr line so far. */
  readonly lines: string[];
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** The first stderr line matching `pattern` (already seen or still to come). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Starts `runner ...args` as a long-lived child (no waiting for it to end). */
export function spawnRunner(args: readonly string[], env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  let closed = false;
  // 'close', not 'exit': by then stderr has been read to its end.
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('close', (code, signal) => {
      if (partial) lines.push(partial);
      closed = true;
      for (const wake of waiters) wake();
      resolve(code ?? signal!);
    }),
  );
  return {
    child,
    pid: child.pid!,
    identity: `${hostname()}:${child.pid}`,
    lines,
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.find((l) => pattern.test(l));
          if (!line) return false;
          cleanup();
          resolve(line);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no stderr line matching ${pattern} within ${timeoutMs} ms; stderr so far:\n${lines.join('\n')}`));
        }, timeoutMs);
        const gone = () => {
          cleanup();
          reject(new Error(`the process exited before printing ${pattern}; stderr:\n${lines.join('\n')}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = () => {
          if (!check() && closed) gone();
        };
        waiters.add(wake);
        wake();
      });
    },
  };
}

/** Everything one test works with, under its own prefix; {@link Testbed.close} it in an after hook. */
export interface Testbed {
  readonly prefix: string;
  readonly ws: Workspace;
  /** A connection for the test's own reads (and the store and queue below). */
  readonly redis: Redis;
  /** The shared run store under the prefix. */
  readonly store: RunStore;
  /** The runs queue under the prefix. */
  readonly queue: Queue<RunJobData>;
  /** A child's environment: the workspace's blanked settings, this Redis and prefix, then `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Runs `runner ...args` to its end (asynchronously). */
  cli(args: readonly string[], extra?: Record<string, string>): Promise<CliResult>;
  /** Starts `runner worker` and waits until it says it is ready. */
  worker(extra?: Record<string, string>, args?: readonly string[]): Promise<WorkerProcess>;
  /** A folder in the workspace holding copies of these queue fixtures. */
  folder(name: string, fixtures: readonly string[]): string;
  /** Every key under the prefix. */
  keys(): Promise<string[]>;
  /** The runs of a workflow in the store, oldest first. */
  runsOf(workflow: string): Promise<RunRecord[]>;
  /** Stops every child still running, deletes every key under the prefix, closes the connections; safe twice. */
  close(): Promise<void>;
}

/** Options of {@link testbed}. */
export interface TestbedOptions {
  /** Redis URL (default {@link REDIS_URL}). */
  redisUrl?: string;
}

/** Opens a testbed with a new prefix. */
export function testbed(name: string, options: TestbedOptions = {}): Testbed {
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const prefix = newPrefix();
  const ws = workspace(`queue-${name}`);
  const redis = connectRedis(redisUrl, { name: `queue-test-${name}` });
  const store = openRedisRunStore({ redis, prefix, retentionMs: DAY_MS });
  const queue = new Queue<RunJobData>(QUEUE_NAME, { connection: redis, prefix, settings: SCHEDULE_SETTINGS });
  // A test that stops Redis on purpose expects connection errors; its commands wait for the reconnect.
  redis.on('error', () => {});
  queue.on('error', () => {});
  const children: WorkerProcess[] = [];
  const env = (extra: Record<string, string> = {}) =>
    ws.env({
      REDIS_URL: redisUrl,
      RUNNER_QUEUE_PREFIX: prefix,
      // Settings a developer's shell could carry: blank unless the test sets them.
      RUNNER_STORE: '',
      RUNNER_JOB_LOCK: '',
      RUNNER_SHUTDOWN_GRACE: '',
      RUNNER_MODEL_RPM: '',
      RUNNER_RUN_RETENTION: '',
      RUNNER_WORKFLOWS: '',
      ...extra,
    });
  let closed: Promise<void> | undefined;
  const bed: Testbed = {
    prefix,
    ws,
    redis,
    store,
    queue,
    env,
    cli: (args, extra) => runCli(args, { env: env(extra) }),
    async worker(extra = {}, args = ['--concurrency', '1']) {
      // One process unless a test asks for more: attempts then name this child (hostname:pid).
      const child = spawnRunner(['worker', ...args, ...(args.includes('--processes') ? [] : ['--processes', '1'])], env(extra));
      children.push(child);
      await child.waitFor(/worker ready/);
      return child;
    },
    folder(folderName, fixtures) {
      const dir = join(ws.dir, folderName);
      mkdirSync(dir, { recursive: true });
      for (const f of fixtures) copyFileSync(queueFixture(f), join(dir, basename(f)));
      return dir;
    },
    keys: () => keysUnder(redis, prefix),
    async runsOf(workflow) {
      return (await store.list({ workflow, limit: -1 })).reverse();
    },
    close() {
      closed ??= (async () => {
        for (const child of children) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
        await Promise.all(children.map((c) => c.exited));
        await queue.close();
        await store.close();
        const left = await bed.keys();
        for (let i = 0; i < left.length; i += 500) await redis.del(...left.slice(i, i + 500));
        await redis.quit().catch(() => redis.disconnect());
        ws.remove();
      })();
      return closed;
    },
  };
  return bed;
}

/** A testbed and a seeded sandbox for the tests of one file: the sandbox starts before them, both close after them. */
export function testbedWithSite(name: string): { readonly bed: Testbed; readonly site: SandboxWithMcp } {
  const parts = { bed: testbed(name), site: undefined as unknown as SandboxWithMcp };
  before(async () => {
    parts.site = await startSite(parts.bed.ws.dir);
  });
  after(async () => {
    await parts.bed.close();
    await parts.site?.close();
  });
  return parts;
}

/** Testbeds made one per test, and one seeded sandbox they share: the sandbox starts before the file's tests, all close after. */
export function bedsWithSite(name: string): { add(name: string): Testbed; readonly site: SandboxWithMcp } {
  const beds: Testbed[] = [];
  let site: SandboxWithMcp | undefined;
  before(async () => {
    const bed = testbed(name);
    beds.push(bed);
    site = await startSite(bed.ws.dir);
  });
  after(async () => {
    for (const bed of beds) await bed.close();
    await site?.close();
  });
  return {
    add: (label) => {
      const bed = testbed(label);
      beds.push(bed);
      return bed;
    },
    get site() {
      if (!site) throw new Error('the sandbox starts in before(); use it inside a test');
      return site;
    },
  };
}
