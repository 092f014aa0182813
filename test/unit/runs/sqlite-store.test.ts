import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, test } from 'node:test';
import { newRunId } from '../../../src/runs/ids.ts';
import { RUNS_SCHEMA_VERSION, openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { JournalEntry, RunRecord, RunStore } from '../../../src/runs/types.ts';
import { UserError } from '../../../src/shared/errors.ts';
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

/** A small record with its own id, workflow, status and creation time. */
function run(id: string, workflow: string, status: RunRecord['status'], createdAt: string): RunRecord {
  return sampleRun({ id, workflow, status, createdAt, attempts: [] });
}

function entry(key: string, at: string, result: unknown = { id: key }): JournalEntry {
  return { key, tool: 'CONFLUENCE_CREATE_PAGE', args: { title: key }, result, attempt: 1, step: 'publish', at };
}

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
  assert.throws(() => openSqliteRunStore(path), (e: unknown) => e instanceof UserError && /newer confluence-runner/.test(e.message));
});

test('a full record (attempts, steps, tool calls) round-trips unchanged', async () => {
  const store = open();
  const record = sampleRun();
  await store.save(record);
  assert.deepEqual(await store.get(record.id), record);
});

test('save replaces an existing record and keeps one row per id', async () => {
  const store = open();
  const record = sampleRun({ status: 'running', endedAt: undefined });
  await store.save(record);
  await store.save({ ...record, status: 'failed', error: { kind: 'tool', message: 'backend down' } });
  const got = await store.get(record.id);
  assert.equal(got?.status, 'failed');
  assert.equal(got?.error?.message, 'backend down');
  assert.equal((await store.list()).length, 1);
  assert.deepEqual((await store.list({ status: 'running' })).length, 0, 'the status column follows the record');
});

test('get accepts a unique prefix of at least six characters', async () => {
  const store = open();
  await store.save(run('abcdef01-aaaa', 'a', 'succeeded', '2026-01-01T00:00:00Z'));
  await store.save(run('abcdef02-bbbb', 'b', 'failed', '2026-01-02T00:00:00Z'));
  await store.save(run('123456ff-cccc', 'c', 'failed', '2026-01-03T00:00:00Z'));
  assert.equal((await store.get('abcdef01'))?.workflow, 'a');
  assert.equal((await store.get('123456'))?.workflow, 'c');
  assert.equal(await store.get('12345'), undefined, 'five characters are too few');
  assert.equal(await store.get('999999'), undefined);
  assert.equal((await store.get('abcdef02-bbbb'))?.workflow, 'b');
});

test('an ambiguous prefix is a user error naming the candidates', async () => {
  const store = open();
  await store.save(run('abcdef01-aaaa', 'a', 'succeeded', '2026-01-01T00:00:00Z'));
  await store.save(run('abcdef02-bbbb', 'b', 'failed', '2026-01-02T00:00:00Z'));
  await assert.rejects(store.get('abcdef'), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /^run id 'abcdef' is ambiguous; it matches abcdef01-aaaa \(a, .*\), abcdef02-bbbb \(b, .*\); give more characters$/);
    return true;
  });
});

test('list: most recent first, filtered by workflow and status, limited (default 20)', async () => {
  const store = open();
  for (let i = 0; i < 25; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    await store.save(run(`run-${String(i).padStart(2, '0')}`, i % 2 ? 'odd' : 'even', i % 3 ? 'succeeded' : 'failed', `2026-02-${day}T00:00:00Z`));
  }
  const all = await store.list();
  assert.equal(all.length, 20);
  assert.deepEqual(all.slice(0, 3).map((r) => r.id), ['run-24', 'run-23', 'run-22']);
  assert.deepEqual((await store.list({ limit: 3, workflow: 'odd' })).map((r) => r.id), ['run-23', 'run-21', 'run-19']);
  assert.deepEqual((await store.list({ status: 'failed', limit: 2 })).map((r) => r.id), ['run-24', 'run-21']);
  assert.deepEqual((await store.list({ workflow: 'even', status: 'failed', limit: 100 })).map((r) => r.id), ['run-24', 'run-18', 'run-12', 'run-06', 'run-00']);
  assert.deepEqual(await store.list({ workflow: 'none' }), []);
});

test('list breaks ties on creation time by insertion order, newest first', async () => {
  const store = open();
  for (const id of ['first', 'second', 'third']) await store.save(run(id, 'w', 'succeeded', '2026-03-01T00:00:00Z'));
  await store.save(run('first', 'w', 'failed', '2026-03-01T00:00:00Z'));
  assert.deepEqual((await store.list()).map((r) => r.id), ['third', 'second', 'first'], 'an upsert keeps its place');
});

test('journal: oldest first, per run, same key replaces and moves to the end', async () => {
  const store = open();
  await store.addJournal('r1', entry('k1', '2026-01-01T00:00:01Z'));
  await store.addJournal('r1', entry('k2', '2026-01-01T00:00:02Z'));
  await store.addJournal('r2', entry('k1', '2026-01-01T00:00:03Z'));
  await store.addJournal('r1', entry('k1', '2026-01-01T00:00:04Z', { id: 'again' }));
  const journal = await store.journal('r1');
  assert.deepEqual(journal.map((e) => [e.key, e.at]), [['k2', '2026-01-01T00:00:02Z'], ['k1', '2026-01-01T00:00:04Z']]);
  assert.deepEqual(journal[1]!.result, { id: 'again' });
  assert.deepEqual((await store.journal('r2')).map((e) => e.key), ['k1']);
  assert.deepEqual(await store.journal('none'), []);
});

test('two stores on one file (two processes) see each other\'s writes', async () => {
  const a = open();
  const b = open();
  const record = sampleRun({ id: newRunId(), status: 'running' });
  await a.save(record);
  assert.equal((await b.get(record.id))?.status, 'running');
  await b.save({ ...record, status: 'succeeded' });
  await b.addJournal(record.id, entry('k', '2026-01-01T00:00:00Z'));
  assert.equal((await a.get(record.id.slice(0, 8)))?.status, 'succeeded');
  assert.equal((await a.journal(record.id)).length, 1);
});

test('close is safe twice; a closed store refuses work', async () => {
  const store = openSqliteRunStore(path);
  await store.close();
  await store.close();
  await assert.rejects(store.list(), /closed/);
});

test('newRunId gives distinct UUIDs', () => {
  const ids = new Set(Array.from({ length: 100 }, newRunId));
  assert.equal(ids.size, 100);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
