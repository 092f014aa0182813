import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { execFile } from 'node:child_process';
import { afterEach, beforeEach, test } from 'node:test';
import { promisify } from 'node:util';
import { RUNS_SCHEMA_VERSION, openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunStore } from '../../../src/runs/types.ts';
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
