/** `runner sandbox seed` and `reset` empty a whole file: they refuse one that holds run records or chat sessions. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteSession } from '../../../src/agent/sqlite-session.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import { looksClean, runCli } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'runner-sandbox-db-guard-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A runs database with one recorded run, as RUNNER_DB holds it. */
async function runsDb(name: string): Promise<string> {
  const path = join(dir, name);
  const store = openSqliteRunStore(path);
  await store.save(sampleRun());
  await store.close();
  return path;
}

async function runCount(path: string): Promise<number> {
  const store = openSqliteRunStore(path);
  try {
    return (await store.list({ limit: 100 })).length;
  } finally {
    await store.close();
  }
}

test('seed and reset refuse a database of run records with one line, exit 2, and leave it untouched', async () => {
  const path = await runsDb('runs.db');
  for (const command of ['seed', 'reset']) {
    const res = await runCli(['sandbox', command, '--db', path], { cwd: dir });
    assert.equal(res.code, 2, `${command}: ${res.stderr}`);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /--db .*runs\.db is not a sandbox database: it holds run records; point --db at the sandbox's file/);
    assert.ok(looksClean(res.stderr), res.stderr);
    assert.equal(res.stdout, '');
  }
  assert.equal(await runCount(path), 1, 'the run record is still there');
});

test('the same when RUNNER_SANDBOX_DB names the runs database', async () => {
  const path = await runsDb('shared.db');
  const res = await runCli(['sandbox', 'reset'], { cwd: dir, env: { RUNNER_SANDBOX_DB: path } });
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /RUNNER_SANDBOX_DB .*shared\.db is not a sandbox database: it holds run records/);
  assert.equal(await runCount(path), 1);
});

test('a database with chat sessions is refused too', async () => {
  const path = join(dir, 'chat.db');
  const session = new SqliteSession({ path, sessionId: 'default' });
  await session.addItems([{ role: 'user', content: 'hello' }]);
  await session.close();
  const res = await runCli(['sandbox', 'seed', '--db', path], { cwd: dir });
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /holds chat sessions/);
  const again = new SqliteSession({ path, sessionId: 'default' });
  assert.equal((await again.getItems()).length, 1, 'the conversation is still there');
  await again.close();
});

test('a sandbox database, or a new file, is still seeded and reset', async () => {
  const path = join(dir, 'sandbox.db');
  const seeded = await runCli(['sandbox', 'seed', '--db', path], { cwd: dir });
  assert.equal(seeded.code, 0, seeded.stderr);
  const reset = await runCli(['sandbox', 'reset', '--db', path], { cwd: dir });
  assert.equal(reset.code, 0, reset.stderr);
});
