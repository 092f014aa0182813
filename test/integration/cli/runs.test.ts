import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import { looksClean, runCli } from './cli-process.ts';

let dir: string;
let env: Record<string, string>;

const RUNS = [
  sampleRun(),
  sampleRun({
    id: 'b7e1d2c3-0000-4000-8000-000000000001',
    workflow: 'label-q3-planning',
    status: 'failed',
    trigger: { type: 'manual' },
    createdAt: '2026-11-28T09:00:00.000Z',
    startedAt: '2026-11-28T09:00:00.000Z',
    endedAt: '2026-11-28T09:00:03.000Z',
    error: { kind: 'tool', step: 'label', message: 'CONFLUENCE_ADD_CONTENT_LABEL failed: page 98310 not found (404)' },
  }),
  sampleRun({ id: 'b7e1d2c3-0000-4000-8000-000000000002', workflow: 'label-q3-planning', status: 'succeeded', createdAt: '2026-11-28T10:00:00.000Z' }),
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runner-runs-cli-'));
  // RUNNER_DB's runs, whatever REDIS_URL says; an empty listing looks in Redis under a prefix no one uses.
  env = { RUNNER_DB: join(dir, 'runs.db'), RUNNER_STORE: 'sqlite', RUNNER_QUEUE_PREFIX: `runs-cli-${randomUUID()}`, TZ: 'UTC' };
  const store = openSqliteRunStore(env.RUNNER_DB!);
  try {
    for (const run of RUNS) await store.save(run);
  } finally {
    await store.close();
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args, { env });

test('runner runs: a table, most recent first', async () => {
  const { code, stdout, stderr } = await cli('runs');
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID +WORKFLOW +STATUS +TRIGGER +STARTED +DURATION +ATTEMPTS +TOKENS$/);
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 4)),
    [
      ['b7e1d2c3', 'label-q3-planning', 'succeeded', 'schedule 2026-11-27 15:00'],
      ['b7e1d2c3', 'label-q3-planning', 'failed', 'manual'],
      ['3f2a9c1e', 'weekly-summary', 'succeeded', 'schedule 2026-11-27 15:00'],
    ],
  );
  assert.match(lines[3]!, /2026-11-27 15:00 +2m 04s +2 +6\.1k\/640$/);
});

test('runner runs filters by workflow and status and limits', async () => {
  const failed = await cli('runs', '--workflow', 'label-q3-planning', '--status', 'failed');
  assert.equal(failed.code, 0, failed.stderr);
  assert.deepEqual(
    failed.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[2]),
    ['failed'],
  );
  const one = await cli('runs', '-n', '1', '--json');
  assert.deepEqual(
    (JSON.parse(one.stdout) as RunRecord[]).map((r) => r.id),
    [RUNS[2]!.id],
  );
  const none = await cli('runs', '--workflow', 'nothing');
  assert.equal(none.stdout.trim(), "no runs of workflow 'nothing'; `runner runs` lists every run");
});

test('runner runs --json prints the records', async () => {
  const { code, stdout } = await cli('runs', '--json');
  assert.equal(code, 0);
  const records = JSON.parse(stdout) as RunRecord[];
  assert.equal(records.length, 3);
  assert.deepEqual(records[2], RUNS[0]);
});

test('runner runs show <prefix>: the whole story', async () => {
  const { code, stdout, stderr } = await cli('runs', 'show', '3f2a9c1e');
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^run 3f2a9c1e-7b44-4d1a-9e0f-5c6d7e8f9a0b {2}succeeded\n/);
  assert.match(stdout, /\n {2}workflow +weekly-summary {2}sha256 a1b2c3d4e5f6 {2}workflows\/weekly-summary\.yaml\n/);
  assert.match(stdout, /\nattempt 2 {2}succeeded on build-01:4242/);
  assert.match(stdout, /\n {6}→ CONFLUENCE_DELETE_PAGE \{"id":"98310"\} REFUSED \(never sent\) 0 ms · turn 2: /);
  assert.match(stdout, /\n {6}→ CONFLUENCE_ADD_CONTENT_LABEL .* SIMULATED \(preview: not executed\)/);
  const failed = await cli('runs', 'show', 'b7e1d2c3-0000-4000-8000-000000000001');
  assert.equal(failed.code, 0, failed.stderr);
  assert.match(failed.stdout, /\nfailed \(tool\) in step label: CONFLUENCE_ADD_CONTENT_LABEL failed: page 98310 not found \(404\)\n$/);
});

test('runner runs show --json prints the record', async () => {
  const { code, stdout } = await cli('runs', 'show', '3f2a9c', '--json');
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout), RUNS[0]);
});

test('unknown and ambiguous ids are clean one-line user errors (exit 2)', async () => {
  const unknown = await cli('runs', 'show', 'ffffffff');
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, '');
  assert.equal(unknown.stderr, "error: no run with id 'ffffffff'; `runner runs` lists them\n");
  const ambiguous = await cli('runs', 'show', 'b7e1d2');
  assert.equal(ambiguous.code, 2);
  assert.match(
    ambiguous.stderr,
    /^error: run id 'b7e1d2' is ambiguous; it matches b7e1d2c3-\S+ \(label-q3-planning, .*\), b7e1d2c3-\S+ .*; give more characters\n$/,
  );
  assert.ok(looksClean(unknown.stderr) && looksClean(ambiguous.stderr));
});

test('an absent database is an empty store and is not created', async () => {
  const absent = join(dir, 'elsewhere', 'runs.db');
  const list = await runCli(['runs'], { env: { ...env, RUNNER_DB: absent } });
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.stdout.trim(), 'no runs yet; start one with `runner run <file>`');
  const show = await runCli(['runs', 'show', '3f2a9c1e'], { env: { ...env, RUNNER_DB: absent } });
  assert.equal(show.code, 2);
  assert.ok(!existsSync(absent));
});
