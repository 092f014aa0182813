/**
 * `runner runs` and the two run stores: RUNNER_STORE=auto (the default) reads the shared Redis store when REDIS_URL
 * is set, else RUNNER_DB; an empty listing says when the other store has runs, and looking there never hangs or
 * fails the command. Real SQLite files, real Redis under a prefix of each test's own.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { Redis } from 'ioredis';
import { SETTINGS } from '../../../src/config/settings.ts';
import { openRedisRunStore } from '../../../src/runs/redis-store.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import { keysUnder } from '../../fixtures/redis-keys.ts';
import { looksClean, runCli } from './cli-process.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

let dir: string;
let db: string;
let prefix: string;
let redis: Redis;
const saved: Record<string, string | undefined> = {};

before(() => {
  // The children inherit this process's environment: no runner setting of the developer's shell (or CI) may leak
  // in, or a test of `.env` would read the shell's REDIS_URL instead.
  for (const s of SETTINGS) {
    saved[s.env] = process.env[s.env];
    delete process.env[s.env];
  }
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});

after(async () => {
  for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  await redis.quit();
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-runs-stores-'));
  db = join(dir, 'runs.db');
  prefix = `runs-stores-${randomUUID().slice(0, 8)}`;
});

afterEach(async () => {
  const keys = await keysUnder(redis, prefix);
  if (keys.length) await redis.del(...keys);
  rmSync(dir, { recursive: true, force: true });
});

/** `runner ...args` with RUNNER_DB and the prefix of this test, then `env`. */
function cli(args: readonly string[], env: Record<string, string> = {}, cwd?: string) {
  return runCli(args, { env: { RUNNER_DB: db, RUNNER_QUEUE_PREFIX: prefix, TZ: 'UTC', ...env }, cwd });
}

/** `n` runs of `workflow`, created a minute apart up to now (inside Redis retention), the first one manual. */
function runs(n: number, workflow: string): RunRecord[] {
  return Array.from({ length: n }, (_, i) =>
    sampleRun({
      id: randomUUID(),
      workflow,
      createdAt: new Date(Date.now() - (n - i) * 60_000).toISOString(),
      ...(i === 0 ? { trigger: { type: 'manual' } } : {}),
    }),
  );
}

async function intoSqlite(records: RunRecord[]): Promise<void> {
  const store = openSqliteRunStore(db);
  try {
    for (const r of records) await store.save(r);
  } finally {
    await store.close();
  }
}

async function intoRedis(records: RunRecord[]): Promise<void> {
  const store = openRedisRunStore({ redis, prefix, retentionMs: 24 * 3600_000 });
  for (const r of records) await store.save(r);
  await store.close();
}

const ids = (stdout: string) => (JSON.parse(stdout) as RunRecord[]).map((r) => r.id);

/** A TCP server that accepts connections and never answers: a Redis that hangs. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: a Redis that is not running. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}

test('auto: REDIS_URL set in the environment or in .env lists the shared store; unset or empty, RUNNER_DB', async () => {
  const local = runs(1, 'local');
  const shared = runs(2, 'shared');
  await intoSqlite(local);
  await intoRedis(shared);
  const newestFirst = (records: RunRecord[]) => records.map((r) => r.id).reverse();

  const fromEnv = await cli(['runs', '--json'], { REDIS_URL });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.deepEqual(ids(fromEnv.stdout), newestFirst(shared));
  const explicitAuto = await cli(['runs', '--json'], { REDIS_URL, RUNNER_STORE: 'auto' });
  assert.deepEqual(ids(explicitAuto.stdout), newestFirst(shared));

  assert.deepEqual(ids((await cli(['runs', '--json'])).stdout), newestFirst(local), 'no REDIS_URL: RUNNER_DB');
  assert.deepEqual(ids((await cli(['runs', '--json'], { REDIS_URL: '' })).stdout), newestFirst(local), 'an empty one is unset');
  assert.deepEqual(ids((await cli(['runs', '--json'], { REDIS_URL, RUNNER_STORE: 'sqlite' })).stdout), newestFirst(local));

  writeFileSync(join(dir, '.env'), `REDIS_URL=${REDIS_URL}\n`);
  const fromDotEnv = await cli(['runs', '--json'], {}, dir);
  assert.equal(fromDotEnv.code, 0, fromDotEnv.stderr);
  assert.deepEqual(ids(fromDotEnv.stdout), newestFirst(shared));
  // `runs show` and the other readers follow the same store.
  const shown = await cli(['runs', 'show', shared[0]!.id, '--json'], {}, dir);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal((JSON.parse(shown.stdout) as RunRecord).workflow, 'shared');
});

test('an invalid RUNNER_STORE is a user error naming sqlite, redis and auto', async () => {
  const result = await cli(['runs'], { RUNNER_STORE: 'postgres' });
  assert.equal(result.code, 2);
  assert.equal(result.stderr, "error: RUNNER_STORE must be sqlite, redis or auto, not 'postgres'\n");
});

test('an empty Redis store says how many runs RUNNER_DB has and how to list them; --json stays []', async () => {
  await intoSqlite(runs(25, 'local'));
  const env = { REDIS_URL };
  const listed = await cli(['runs'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(
    listed.stdout,
    `no runs in Redis (redis://127.0.0.1:6379, prefix ${prefix}); RUNNER_DB (${db}) has more than 20 — set RUNNER_STORE=sqlite to list them\n`,
  );
  assert.equal(listed.stderr, '');
  const manual = await cli(['runs', '--trigger', 'manual'], env);
  assert.equal(
    manual.stdout,
    `no runs with trigger manual in Redis (redis://127.0.0.1:6379, prefix ${prefix}); RUNNER_DB (${db}) has 1 — set RUNNER_STORE=sqlite to list them\n`,
    'the hint counts what the same filter finds there',
  );
  const none = await cli(['runs', '--workflow', 'elsewhere'], env);
  assert.equal(none.stdout, "no runs of workflow 'elsewhere'; `runner runs` lists every run\n", 'nothing there either: the usual message');
  const json = await cli(['runs', '--json'], env);
  assert.equal(json.code, 0);
  assert.equal(json.stdout, '[]\n');
  assert.deepEqual(await keysUnder(redis, prefix), [], 'looking wrote nothing to Redis');
});

test('an empty RUNNER_DB says how many runs Redis has and how to list them, without creating the file', async () => {
  await intoRedis(runs(3, 'shared'));
  const hint = `no runs in RUNNER_DB (${db}); Redis (redis://127.0.0.1:6379, prefix ${prefix}) has 3 — set RUNNER_STORE=redis to list them\n`;
  const auto = await cli(['runs']);
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(auto.stdout, hint, 'auto without REDIS_URL still looks at the default Redis');
  const asked = await cli(['runs'], { REDIS_URL, RUNNER_STORE: 'sqlite' });
  assert.equal(asked.stdout, hint);
  assert.equal((await cli(['runs', '--json'])).stdout, '[]\n');
  assert.ok(!existsSync(db), 'reading never creates RUNNER_DB');

  // An empty file (the table, no runs) is looked past the same way.
  await intoSqlite([]);
  assert.equal((await cli(['runs'])).stdout, hint);
});

test('runs show of a run only the other store has names that store', async () => {
  const [local] = runs(1, 'local');
  await intoSqlite([local!]);
  const shown = await cli(['runs', 'show', local!.id.slice(0, 8)], { REDIS_URL });
  assert.equal(shown.code, 2);
  assert.equal(
    shown.stderr,
    `error: no run with id '${local!.id.slice(0, 8)}' in Redis (redis://127.0.0.1:6379, prefix ${prefix}); RUNNER_DB (${db}) has it — set RUNNER_STORE=sqlite to use it\n`,
  );
  const nowhere = await cli(['runs', 'show', 'ffffffff'], { REDIS_URL });
  assert.equal(nowhere.stderr, "error: no run with id 'ffffffff'; `runner runs` lists them\n");
});

test('a Redis that is down or silent adds nothing to an empty listing, and costs at most about a second', async () => {
  const silent = await silentServer();
  try {
    for (const url of [await closedPortUrl(), silent.url]) {
      const started = Date.now();
      const result = await cli(['runs'], { REDIS_URL: url, RUNNER_STORE: 'sqlite' });
      const took = Date.now() - started;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'no runs yet; start one with `runner run <file>`\n', url);
      assert.equal(result.stderr, '');
      assert.ok(took < 3000, `${url}: took ${took} ms`);
    }
  } finally {
    await silent.close();
  }
});

test('a RUNNER_DB that is no SQLite file adds nothing to an empty Redis listing', async () => {
  writeFileSync(db, 'not a database\n');
  const result = await cli(['runs'], { REDIS_URL });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'no runs yet; start one with `runner run <file>`\n');
  assert.equal(result.stderr, '');
});

test('auto picked Redis and it does not answer: the error says RUNNER_STORE=sqlite reads RUNNER_DB', { timeout: 20_000 }, async () => {
  const silent = await silentServer();
  try {
    const result = await cli(['runs'], { REDIS_URL: silent.url });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: .*; RUNNER_STORE=sqlite reads RUNNER_DB instead\n$/);
    assert.ok(looksClean(result.stderr));
  } finally {
    await silent.close();
  }
});

test('--trigger and --since filter; a bad value is a user error (exit 2) saying what is allowed', async () => {
  const base = Date.parse('2026-11-20T00:00:00.000Z');
  const at = (days: number) => new Date(base + days * 86_400_000).toISOString();
  await intoSqlite([
    sampleRun({ id: 'aaaaaaaa-1', trigger: { type: 'manual' }, createdAt: at(0) }),
    sampleRun({ id: 'aaaaaaaa-2', trigger: { type: 'schedule', slot: at(1) }, createdAt: at(1) }),
    sampleRun({ id: 'aaaaaaaa-3', trigger: { type: 'rerun', of: 'aaaaaaaa-1' }, createdAt: at(2) }),
    sampleRun({ id: 'aaaaaaaa-4', trigger: { type: 'manual' }, createdAt: at(3) }),
  ]);
  const env = { RUNNER_STORE: 'sqlite' };
  assert.deepEqual(ids((await cli(['runs', '--json', '--trigger', 'manual'], env)).stdout), ['aaaaaaaa-4', 'aaaaaaaa-1']);
  assert.deepEqual(ids((await cli(['runs', '--json', '--since', '2026-11-21'], env)).stdout), ['aaaaaaaa-4', 'aaaaaaaa-3', 'aaaaaaaa-2']);
  assert.deepEqual(ids((await cli(['runs', '--json', '--since', '2026-11-22T01:00:00+01:00', '--trigger', 'manual'], env)).stdout), ['aaaaaaaa-4']);
  const table = await cli(['runs', '--trigger', 'rerun'], env);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^aaaaaaaa +weekly-summary +succeeded +rerun of aaaaaaaa/m);

  const trigger = await cli(['runs', '--trigger', 'cron'], env);
  assert.equal(trigger.code, 2);
  assert.match(trigger.stderr, /^error: invalid value 'cron' for --trigger .*\(allowed: manual, schedule, rerun\)\n/);
  const since = await cli(['runs', '--since', 'last week'], env);
  assert.equal(since.code, 2);
  assert.equal(since.stderr, "error: --since 'last week' is not a date; use an ISO time like 2026-11-27, 2026-11-27T09:00:00Z or 2026-11-27T10:00:00+01:00\n");
  assert.ok(looksClean(trigger.stderr) && looksClean(since.stderr));
});
