import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { execFile } from 'node:child_process';
import { afterEach, beforeEach, test } from 'node:test';
import { promisify } from 'node:util';
import { RUNS_SCHEMA_VERSION, openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunFilter, RunStore } from '../../../src/runs/types.ts';
import { UserError } from '../../../src/shared/errors.ts';
import { runStoreContract } from '../../fixtures/run-store-contract.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

let dir: string;
let path: string;
const opened: RunStore[] = [];

/** Opens a store on this test's file and closes it after the test. */
function open(): RunStore {
  const store = openSqliteRunStore(path);
  opened.push(store);
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-runs-'));
  path = join(dir, 'nested', 'runs.db');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

runStoreContract(open);

test('creates the folder and file, in WAL mode, with the schema version set', async () => {
  open();
  assert.ok(existsSync(path));
  const db = new DatabaseSync(path);
  try {
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, RUNS_SCHEMA_VERSION);
  } finally {
    db.close();
  }
});

test('a database from a newer runner is refused with a user error', async () => {
  open();
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA user_version = ${RUNS_SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(
    () => openSqliteRunStore(path),
    (e: unknown) => e instanceof UserError && /newer confluence-runner/.test(e.message),
  );
});

test('update is atomic across processes: four processes changing one record at once lose none of their changes', async () => {
  const store = open();
  const record = sampleRun({ id: 'shared-record-1', status: 'succeeded', reruns: [] });
  await store.save(record);
  const storeModule = new URL('../../../src/runs/sqlite-store.ts', import.meta.url).href;
  // Each process appends its own tags, one update each, as fast as it can, all starting at the same moment.
  const startAt = Date.now() + 1500;
  const child = (name: string) =>
    promisify(execFile)(process.execPath, [
      '--input-type=module',
      '-e',
      `const { openSqliteRunStore } = await import(${JSON.stringify(storeModule)});
       const store = openSqliteRunStore(${JSON.stringify(path)});
       await new Promise((go) => setTimeout(go, ${startAt} - Date.now()));
       for (let i = 0; i < 100; i++) await store.update('shared-record-1', (r) => ({ ...r, reruns: [...r.reruns, '${name}' + i] }));
       await store.close();`,
    ]);
  await Promise.all(['p', 'q', 'r', 's'].map(child));
  const reruns = (await store.get(record.id))?.reruns ?? [];
  assert.equal(reruns.length, 400);
  assert.equal(new Set(reruns).size, 400);
});

/** The schema as version 1 of the runner wrote it. */
const V1_DDL = `CREATE TABLE runs (
    id TEXT PRIMARY KEY, workflow TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, record TEXT NOT NULL);
  CREATE INDEX runs_created ON runs (created_at);
  CREATE INDEX runs_workflow ON runs (workflow, created_at);
  CREATE INDEX runs_status ON runs (status, created_at);
  CREATE TABLE journal (run_id TEXT NOT NULL, key TEXT NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (run_id, key));
  PRAGMA user_version = 1;`;

test('a version 1 file with records migrates: the trigger filter, since and until work on the old records and new ones', async () => {
  mkdirSync(join(dir, 'nested'));
  const v1 = new DatabaseSync(path);
  v1.exec(V1_DDL);
  const insert = v1.prepare('INSERT INTO runs (id, workflow, status, created_at, record) VALUES (?, ?, ?, ?, ?)');
  const old = [
    sampleRun({ id: 'old-manual', trigger: { type: 'manual' }, createdAt: '2026-01-01T10:00:00.000Z' }),
    // Written in another ISO form: the migration rewrites the column, the record keeps its own text.
    sampleRun({ id: 'old-schedule', trigger: { type: 'schedule', slot: '2026-01-02T00:00:00Z' }, createdAt: '2026-01-02T01:00:00+01:00' }),
    sampleRun({ id: 'old-rerun', trigger: { type: 'rerun', of: 'old-manual' }, createdAt: '2026-01-03T10:00:00Z' }),
  ];
  for (const r of old) insert.run(r.id, r.workflow, r.status, r.createdAt, JSON.stringify(r));
  v1.prepare("INSERT INTO journal (run_id, key, entry) VALUES ('old-manual', 'k1', '{}')").run();
  v1.close();

  const store = open();
  await store.save(sampleRun({ id: 'new-manual', trigger: { type: 'manual' }, createdAt: '2026-01-04T10:00:00.000Z' }));
  const ids = async (filter: RunFilter) => (await store.list(filter)).map((r) => r.id);
  assert.deepEqual(await ids({ trigger: 'manual' }), ['new-manual', 'old-manual']);
  assert.deepEqual(await ids({ trigger: 'schedule' }), ['old-schedule']);
  assert.deepEqual(await ids({ trigger: 'rerun' }), ['old-rerun']);
  assert.deepEqual(await ids({ since: '2026-01-02T00:00:00Z', until: '2026-01-03T10:00:00Z' }), ['old-schedule']);
  assert.deepEqual(await ids({ order: 'oldest', limit: 2 }), ['old-manual', 'old-schedule']);
  assert.deepEqual(await store.get('old-schedule'), old[1], 'records are unchanged');
  assert.equal((await store.journal('old-manual')).length, 1);

  const db = new DatabaseSync(path);
  try {
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, RUNS_SCHEMA_VERSION);
    assert.deepEqual(
      db
        .prepare('SELECT id, trigger_type AS type, created_at AS at FROM runs ORDER BY id')
        .all()
        .map((r) => ({ ...r })),
      [
        { id: 'new-manual', type: 'manual', at: '2026-01-04T10:00:00.000Z' },
        { id: 'old-manual', type: 'manual', at: '2026-01-01T10:00:00.000Z' },
        { id: 'old-rerun', type: 'rerun', at: '2026-01-03T10:00:00.000Z' },
        { id: 'old-schedule', type: 'schedule', at: '2026-01-02T00:00:00.000Z' },
      ],
    );
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    assert.match(plan("SELECT record FROM runs WHERE trigger_type = 'manual' ORDER BY created_at DESC, rowid DESC LIMIT 20"), /USING INDEX runs_trigger/);
    assert.doesNotMatch(
      plan("SELECT record FROM runs WHERE status = 'waiting' AND created_at < '2026' ORDER BY created_at DESC, rowid DESC LIMIT 20"),
      /TEMP B-TREE/,
    );
  } finally {
    db.close();
  }
});
