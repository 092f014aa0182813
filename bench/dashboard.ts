/**
 * Dashboard runs page over a large store (issue 13). A temporary SQLite run store is filled with N realistic records
 * (five workflows, 30 days, mostly succeeded, some failed, a few waiting; triggers mixed), a dashboard is started in
 * this process on port 0 over it, and R interleaved rounds measure: GET `/` (the full runs page: newest 50 runs and
 * the pager), GET `/?status=failed`, `runner runs --json --limit 50` on the same file (a child process, as a user
 * runs it), and in-process `store.list({ limit: 50 })` + JSON.stringify (the same data, no process, no HTML). The
 * same records go to a Redis run store under a prefix of this run's own, with a second dashboard over it, measured
 * in the same rounds. Pages are timed three ways: wall time of a fetch over loopback, server time (from the request's
 * headers being parsed to the response's last byte being handed to the socket, read from node:http's diagnostics
 * channels) and, within it, time spent in the store's `list`. Also timed in-process on both stores: the list behind
 * the navigation's count of waiting runs, which every page redoes once its 5 s cache is stale (so a page seldom pays
 * it within these rounds, but a person who comes back after a while does). Goal: the runs page under 300 ms server time.
 *
 *   npm run build && node bench/dashboard.ts [runs=10000] [rounds=30]
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/config.ts';
import { createActions } from '../src/dashboard/actions.ts';
import { localLauncher } from '../src/dashboard/launcher.ts';
import { type DashboardHandle, startDashboard } from '../src/dashboard/server.ts';
import { silentNotifier } from '../src/notify/notifier.ts';
import { RunLifecycle } from '../src/runs/lifecycle.ts';
import { openRedisRunStore } from '../src/runs/redis-store.ts';
import { openSqliteRunStore } from '../src/runs/sqlite-store.ts';
import type { RunFailure, RunFilter, RunRecord, RunStore, RunTrigger } from '../src/runs/types.ts';
import { confluenceCatalogue } from '../src/toolkit/catalogue.ts';
import { sampleRun } from '../test/fixtures/run-record.ts';
import { REDIS_URL, benchPrefix, deleteKeys, quantile } from './queue-kit.ts';

const runs = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 30);
const WARMUP = 3;
const GOAL_MS = 300;
const DAY_MS = 86_400_000;
const bin = resolve(process.env.BIN ?? 'dist/cli/main.js');
const workflowsDir = resolve('workflows');
if (!existsSync(bin)) {
  console.error(`${bin} is missing; run \`npm run build\` first`);
  process.exit(2);
}

/** The example workflows' names. */
const WORKFLOWS = ['weekly-summary', 'meeting-summary-post', 'project-docs-page', 'label-q3-planning', 'private-roadmap-space'];
/** Failures a run ends with, by kind. */
const FAILURES: RunFailure[] = [
  { kind: 'model', message: 'model rate limit (429) after 3 retries', step: 'gather', retryable: true },
  { kind: 'tool', message: 'CONFLUENCE_CREATE_BLOGPOST failed: space 98305 not found (404)', step: 'publish', retryable: false },
  { kind: 'limit', message: 'step gather used its 12 turns without a final answer\nraise steps[0].max_turns or narrow the prompt', step: 'gather' },
  { kind: 'approval', message: 'the held calls expired (approval.timeout 24h) with 1 call undecided', step: 'publish' },
];
/** The list behind the navigation's count of waiting runs, which the dashboard redoes at most every 5 s. */
const WAITING_COUNT: RunFilter = { status: 'waiting', limit: 100 };
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A seeded generator in [0, 1) (mulberry32), so every run of the bench stores the same mix. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `value` with every ISO time in it moved by `ms`. */
function shifted<T>(value: T, ms: number): T {
  return JSON.parse(JSON.stringify(value), (_, v) => (typeof v === 'string' && ISO_TIME.test(v) ? new Date(Date.parse(v) + ms).toISOString() : v)) as T;
}

/** N records, oldest first, created over the 30 days before now: 86% succeeded, 11% failed, 3% waiting. */
function records(n: number): RunRecord[] {
  const rand = seeded(13);
  const end = Date.now() - 60_000;
  const gap = (30 * DAY_MS) / n;
  const out: RunRecord[] = [];
  for (let i = 0; i < n; i++) {
    const workflow = WORKFLOWS[Math.floor(rand() * WORKFLOWS.length)]!;
    const pick = rand();
    const trigger: RunTrigger =
      pick < 0.6
        ? { type: 'schedule', slot: '2026-11-27T15:00:00.000Z' }
        : pick < 0.95 || i === 0
          ? { type: 'manual' }
          : { type: 'rerun', of: out[Math.floor(rand() * i)]!.id };
    const base = sampleRun({ id: randomUUID(), workflow, workflowFile: `workflows/${workflow}.yaml`, trigger });
    const [first, second] = base.attempts as [RunRecord['attempts'][0], RunRecord['attempts'][0]];
    const status = rand();
    let run = base;
    if (status >= 0.86 && status < 0.97) {
      const error = FAILURES[Math.floor(rand() * FAILURES.length)]!;
      run = { ...base, status: 'failed', attempts: [first, { ...second, status: 'failed', error }], outputs: {}, links: [], error };
    } else if (status >= 0.97) {
      const [gather, publish] = second.steps as [RunRecord['attempts'][0]['steps'][0], RunRecord['attempts'][0]['steps'][0]];
      const held = publish.toolCalls[0]!;
      const waitingStep = { ...publish, status: 'waiting' as const, toolCalls: [], output: undefined, endedAt: undefined };
      run = {
        ...base,
        status: 'waiting',
        attempts: [first, { ...second, status: 'waiting', steps: [gather, waitingStep], endedAt: undefined }],
        outputs: { gather: base.outputs.gather },
        links: [],
        endedAt: undefined,
        approvals: [
          {
            since: held.startedAt,
            expiresAt: new Date(Date.parse(held.startedAt) + DAY_MS).toISOString(),
            note: 'Check the summary before it is published.',
            calls: [{ n: 1, tool: held.tool, effect: 'write', args: held.args, preview: 'A long body. '.repeat(20), step: 'publish' }],
            resume: { step: 'publish', index: 1 },
          },
        ],
      };
    }
    out.push(shifted(run, end - 30 * DAY_MS + Math.floor((i + rand()) * gap) - Date.parse(base.createdAt)));
  }
  return out;
}

/** `store` with the time spent in `list` added to `spent.ms`. */
function timedList(store: RunStore, spent: { ms: number }): RunStore {
  return {
    save: (run) => store.save(run),
    get: (id) => store.get(id),
    update: (id, change) => store.update(id, change),
    async list(filter) {
      const start = performance.now();
      try {
        return await store.list(filter);
      } finally {
        spent.ms += performance.now() - start;
      }
    },
    journal: (id) => store.journal(id),
    addJournal: (id, entry) => store.addJournal(id, entry),
    close: () => store.close(),
  };
}

// Server time: from node:http parsing the request's headers to the response's last byte handed to the socket.
const requestStarts = new WeakMap<object, number>();
let lastServerMs = Number.NaN;
subscribe('http.server.request.start', (message) => requestStarts.set((message as { request: object }).request, performance.now()));
subscribe('http.server.response.finish', (message) => {
  const start = requestStarts.get((message as { request: object }).request);
  if (start !== undefined) lastServerMs = performance.now() - start;
});

/** One page's figures. */
interface PageSample {
  wall: number;
  server: number;
  store: number;
  bytes: number;
  rows: number;
}

/** A dashboard over `store` with its store-time counter. */
interface Served {
  url: string;
  spent: { ms: number };
}

async function getPage(served: Served, path: string): Promise<PageSample> {
  lastServerMs = Number.NaN;
  served.spent.ms = 0;
  const start = performance.now();
  const res = await fetch(served.url + path);
  const body = await res.text();
  const wall = performance.now() - start;
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 200)}`);
  if (Number.isNaN(lastServerMs)) await new Promise((r) => setImmediate(r));
  return { wall, server: lastServerMs, store: served.spent.ms, bytes: Buffer.byteLength(body), rows: body.split('<tr data-run=').length - 1 };
}

function runnerRuns(dbPath: string): { ms: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, 'runs', '--json', '--limit', '50'], {
    env: { ...process.env, RUNNER_DB: dbPath, RUNNER_STORE: 'sqlite' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`runner runs exited ${r.status}`);
  return { ms, stdout: r.stdout };
}

/** Wall time of `fn`, ms. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
try {
  const dbPath = join(dir, 'runs.db');
  const config = loadConfig({ cwd: dir, env: { RUNNER_DB: dbPath, RUNNER_STORE: 'sqlite', RUNNER_WORKFLOWS: workflowsDir } });
  const loadOptions = { tools: confluenceCatalogue() };
  const all = records(runs);

  // Fill: the SQLite store has no batch write, so one save (one transaction) per record.
  const sqlite = openSqliteRunStore(dbPath);
  cleanups.push(() => sqlite.close());
  let start = performance.now();
  for (const run of all) await sqlite.save(run);
  const sqliteFill = performance.now() - start;

  const redis = new Redis(REDIS_URL, { connectionName: 'bench-dashboard', maxRetriesPerRequest: 1 });
  cleanups.push(() => redis.quit());
  const prefix = benchPrefix('dash');
  cleanups.push(() => deleteKeys(redis, prefix));
  const redisStore = openRedisRunStore({ redis, prefix, retentionMs: 90 * DAY_MS });
  start = performance.now();
  // 200 saves in flight at a time: ioredis writes them back to back, one round trip per batch.
  for (let i = 0; i < all.length; i += 200) await Promise.all(all.slice(i, i + 200).map((run) => redisStore.save(run)));
  const redisFill = performance.now() - start;

  const serve = async (store: RunStore): Promise<Served> => {
    const spent = { ms: 0 };
    const watched = timedList(store, spent);
    const lifecycle = new RunLifecycle(watched, { secrets: config.secrets });
    const launcher = localLauncher({ config, lifecycle, notifier: silentNotifier });
    cleanups.push(() => launcher.close(0));
    const actions = createActions({ store: watched, secrets: config.secrets, launcher, loadOptions });
    const dashboard: DashboardHandle = await startDashboard({ store: watched, actions, workflowsDir, loadOptions, port: 0 });
    cleanups.push(() => dashboard.close());
    return { url: dashboard.url, spent };
  };
  const onSqlite = await serve(sqlite);
  const onRedis = await serve(redisStore);

  // Check each side answers what it should before timing it.
  const cli = runnerRuns(dbPath);
  const listed = JSON.parse(cli.stdout) as RunRecord[];
  if (listed.length !== 50 || listed[0]!.id !== all.at(-1)!.id) throw new Error(`runner runs listed ${listed.length} runs, not the newest 50`);
  const first = await getPage(onSqlite, '/');
  const firstRedis = await getPage(onRedis, '/');
  if (first.rows !== 50 || firstRedis.rows !== 50) throw new Error(`the runs page shows ${first.rows} (SQLite) and ${firstRedis.rows} (Redis) runs, not 50`);

  const samples = {
    page: [] as PageSample[],
    failed: [] as PageSample[],
    cli: [] as number[],
    list: [] as number[],
    redisPage: [] as PageSample[],
    redisFailed: [] as PageSample[],
    waiting: [] as number[],
    redisWaiting: [] as number[],
  };
  let keep = false;
  const add = <T>(xs: T[], x: T) => void (keep && xs.push(x));
  const steps: Array<() => Promise<void>> = [
    async () => add(samples.page, await getPage(onSqlite, '/')),
    async () => add(samples.failed, await getPage(onSqlite, '/?status=failed')),
    async () => add(samples.cli, runnerRuns(dbPath).ms),
    async () => add(samples.list, await timed(async () => JSON.stringify(await sqlite.list({ limit: 50 }), null, 2))),
    async () => add(samples.redisPage, await getPage(onRedis, '/')),
    async () => add(samples.redisFailed, await getPage(onRedis, '/?status=failed')),
    async () => add(samples.waiting, await timed(() => sqlite.list(WAITING_COUNT))),
    async () => add(samples.redisWaiting, await timed(() => redisStore.list(WAITING_COUNT))),
  ];
  for (let round = -WARMUP; round < rounds; round++) {
    keep = round >= 0;
    // Rotate the order so no measurement always follows the same one.
    for (let k = 0; k < steps.length; k++) await steps[(k + round + WARMUP) % steps.length]!();
  }

  const med = (xs: number[]) => quantile(xs, 0.5);
  const ms = (xs: number[]) => `${med(xs).toFixed(1).padStart(7)} ${quantile(xs, 0.95).toFixed(1).padStart(7)}`;
  const pageLines = (label: string, xs: PageSample[]) => [
    `${label.padEnd(44)}wall   ${ms(xs.map((s) => s.wall))}`,
    `${''.padEnd(44)}server ${ms(xs.map((s) => s.server))}`,
    `${''.padEnd(44)}list   ${ms(xs.map((s) => s.store))}   (${(xs[0]!.bytes / 1024).toFixed(0)} KB, ${xs[0]!.rows} rows)`,
  ];
  const size = statSync(dbPath).size + (existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0);
  console.log(
    `${runs.toLocaleString('en')} runs; SQLite filled in ${(sqliteFill / 1000).toFixed(2)} s (${((sqliteFill / runs) * 1000).toFixed(0)} µs a save, ${(size / 1e6).toFixed(1)} MB)`,
  );
  console.log(`Redis (${prefix}) filled in ${(redisFill / 1000).toFixed(2)} s (200 saves in flight)`);
  console.log(
    `first GET / (cold): SQLite ${first.wall.toFixed(1)} ms, Redis ${firstRedis.wall.toFixed(1)} ms; runner runs output ${(cli.stdout.length / 1024).toFixed(0)} KB`,
  );
  console.log(`\n${`ms, ${rounds} rounds`.padEnd(51)}${'median'.padStart(7)} ${'p95'.padStart(7)}`);
  for (const line of pageLines('GET /                (SQLite)', samples.page)) console.log(line);
  for (const line of pageLines('GET /?status=failed  (SQLite)', samples.failed)) console.log(line);
  console.log(`${'runner runs --json --limit 50 (SQLite)'.padEnd(44)}wall   ${ms(samples.cli)}`);
  console.log(`${'in-process list({ limit: 50 }) + stringify'.padEnd(44)}       ${ms(samples.list)}`);
  for (const line of pageLines('GET /                (Redis)', samples.redisPage)) console.log(line);
  for (const line of pageLines('GET /?status=failed  (Redis)', samples.redisFailed)) console.log(line);
  console.log(`${'waiting count list, SQLite (every 5 s)'.padEnd(44)}       ${ms(samples.waiting)}`);
  console.log(`${'waiting count list, Redis (every 5 s)'.padEnd(44)}       ${ms(samples.redisWaiting)}`);

  const page = med(samples.page.map((s) => s.wall));
  const server = med(samples.page.map((s) => s.server));
  console.log(`\nratio runs page (wall) / runner runs --json --limit 50: ${(page / med(samples.cli)).toFixed(3)}x`);
  console.log(`ratio runs page (wall) / in-process list + stringify:     ${(page / med(samples.list)).toFixed(1)}x`);
  console.log(`ratio runs page, Redis / SQLite (wall):                   ${(med(samples.redisPage.map((s) => s.wall)) / page).toFixed(2)}x`);
  console.log(
    `goal: runs page over ${runs.toLocaleString('en')} runs, median server time ${server.toFixed(1)} ms (wall ${page.toFixed(1)} ms) < ${GOAL_MS} ms: ${server < GOAL_MS ? 'met' : 'NOT met'}`,
  );
} finally {
  // In reverse order of opening; one that fails does not keep the others from running.
  for (const cleanup of cleanups.reverse())
    await Promise.resolve()
      .then(cleanup)
      .catch((error: Error) => console.error(`cleanup: ${error.message}`));
}
