import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, RunStore } from '../../../src/runs/types.ts';
import { openSqlitePauseStore } from '../../../src/schedules/pauses.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import { looksClean, ROOT } from './cli-process.ts';

/** Bound on the wait for a scheduled run; the workflow fires every 2 s (a six-field cron, seconds first). */
const RUN_WAIT_MS = 30_000;

let dir: string;
let workflowFile: string;
let child: ChildProcess | undefined;
let store: RunStore | undefined;
let stderr = '';
/** The slots of `nightly` that passed since its newest record, before serve starts: each more than an hour late. */
let nightlyMissed: string[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runner-serve-cli-'));
  mkdirSync(join(dir, 'workflows'));
  workflowFile = join(dir, 'workflows', 'label.yaml');
  const original = readFileSync(join(ROOT, 'workflows', 'label-q3-planning.yaml'), 'utf8');
  const scheduled = original.replace(/^description: .*$/m, (line) => `${line}\nschedule:\n  cron: "*/2 * * * * *"\n  timezone: UTC`);
  assert.notEqual(scheduled, original);
  writeFileSync(workflowFile, scheduled);

  // `nightly` fires daily at the minute an hour ago; its newest record is of three days ago: three slots passed
  // since, all late, and catchup is none, so they are recorded as missed when serve starts.
  const hourAgo = new Date(Date.now() - 3600_000);
  const at = (daysBack: number) =>
    new Date(
      Date.UTC(hourAgo.getUTCFullYear(), hourAgo.getUTCMonth(), hourAgo.getUTCDate() - daysBack, hourAgo.getUTCHours(), hourAgo.getUTCMinutes()),
    ).toISOString();
  nightlyMissed = [at(2), at(1), at(0)];
  writeFileSync(
    join(dir, 'workflows', 'nightly.yaml'),
    `version: 1\nname: nightly\nschedule:\n  cron: "${hourAgo.getUTCMinutes()} ${hourAgo.getUTCHours()} * * *"\n  timezone: UTC\nprompt: Summarise the day in TEAM.\n`,
  );
  // `pulse` fires every second but its schedule is paused: every slot is recorded as skipped, nothing runs.
  writeFileSync(
    join(dir, 'workflows', 'pulse.yaml'),
    'version: 1\nname: pulse\nschedule:\n  cron: "* * * * * *"\n  timezone: UTC\nprompt: Say hello in TEAM.\n',
  );
  const db = join(dir, 'runs.db');
  const seed = openSqliteRunStore(db);
  const last = at(3);
  await seed.save(sampleRun({ id: slotRunId('nightly', last), workflow: 'nightly', trigger: { type: 'schedule', slot: last } }));
  await seed.close();
  const pauses = openSqlitePauseStore(db);
  await pauses.pause('pulse', { by: 'ci', at: '2026-11-30T00:00:00.000Z', reason: 'testing pauses' });
  await pauses.close();
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits (bounded) until the server's stderr matches. */
async function stderrMatching(pattern: RegExp, what: string, ms = 20_000): Promise<RegExpMatchArray> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const m = stderr.match(pattern);
    if (m) return m;
    assert.equal(child!.exitCode, null, `the server exited early:\n${stderr}`);
  }
  assert.fail(`timed out waiting for ${what}; stderr so far:\n${stderr}`);
}

/** Polls the run store (bounded) until a run of `workflow` satisfies `check`. */
async function runMatching(check: (run: RunRecord) => boolean, what: string, ms: number, workflow = 'label-q3-planning'): Promise<RunRecord> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    const found = (await store!.list({ workflow, limit: 50 })).find(check);
    if (found) return found;
    assert.equal(child!.exitCode, null, `the server exited early:\n${stderr}`);
  }
  assert.fail(`timed out waiting for ${what}; stderr so far:\n${stderr}`);
}

test('runner serve runs a scheduled tool-only workflow under its slot run id, records missed and paused slots, reloads it when the file changes, keeps its schedule while the file is invalid and stops cleanly on SIGTERM', {
  timeout: 2 * RUN_WAIT_MS + 60_000,
}, async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUNNER_DB: join(dir, 'runs.db'),
    RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'),
    RUNNER_BACKEND: 'sandbox',
    RUNNER_SHUTDOWN_GRACE: '30s',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  delete env.RUNNER_SANDBOX_URL;
  delete env.RUNNER_WORKFLOWS;
  // cwd is the temp folder, so no .env of the repository is read.
  child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'serve', join(dir, 'workflows')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

  await stderrMatching(/started: 3 workflows scheduled from .*\n/, 'the started line');
  await stderrMatching(/ {2}label-q3-planning: \*\/2 \* \* \* \* \* \(UTC\), next \d{4}-\d\d-\d\dT\d\d:\d\d:\d[02468]Z\n/, 'its schedule');
  await stderrMatching(
    new RegExp(
      `nightly: 3 slots from ${nightlyMissed[0]!.replace(/\./g, '\\.')} came late \\(runner serve was not running\\); running none; 3 recorded as missed \\(catchup: none\\)\n`,
    ),
    'the missed slots of nightly',
  );
  await stderrMatching(/watching .* for changes/, 'the watching line');
  store = openSqliteRunStore(env.RUNNER_DB!);
  for (const slot of nightlyMissed) {
    const missed = await store.get(slotRunId('nightly', slot));
    assert.equal(missed?.status, 'missed', slot);
    assert.match(missed?.notes[0] ?? '', /^nothing ran this slot: runner serve was not running \(noticed at \d{4}-.*Z\)$/);
  }
  const skipped = await runMatching((r) => r.status === 'skipped', 'a skipped slot of the paused workflow', RUN_WAIT_MS, 'pulse');
  assert.deepEqual(skipped.notes, ['the schedule was paused by ci at 2026-11-30T00:00:00.000Z: testing pauses']);
  assert.equal(skipped.id, slotRunId('pulse', skipped.trigger.type === 'schedule' ? skipped.trigger.slot : ''));
  assert.match(stderr, /skipped pulse slot \S+: the schedule was paused by ci/);

  writeFileSync(workflowFile, readFileSync(workflowFile, 'utf8').replace('default: urgent', 'default: serve-reloaded'));
  await stderrMatching(/reloaded: changed label-q3-planning \(\*\/2 \* \* \* \* \* \(UTC\), next .*\)\n/, 'the reload line');

  const run = await runMatching(
    (r) => r.status === 'succeeded' && r.inputs.label === 'serve-reloaded',
    'a succeeded scheduled run of the reloaded workflow',
    RUN_WAIT_MS,
  );
  assert.equal(run.trigger.type, 'schedule');
  const slot = run.trigger.type === 'schedule' ? run.trigger.slot : '';
  assert.match(slot, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d[02468]\.000Z$/, 'the slot is an even second, as the cron names');
  assert.equal(run.id, slotRunId('label-q3-planning', slot), 'the run id is the slot run id, as in queue mode');
  assert.equal(run.model, '(none: tool steps only)');
  assert.deepEqual(
    run.attempts.at(-1)!.steps.map((s) => [s.id, s.status]),
    [
      ['find', 'succeeded'],
      ['label', 'succeeded'],
      ['check', 'succeeded'],
    ],
  );
  await stderrMatching(new RegExp(`fired label-q3-planning slot ${slot.replace(/\./g, '\\.')} run ${run.id}\n`), 'the fired line');
  await stderrMatching(new RegExp(`finished label-q3-planning run ${run.id}: succeeded in `), 'the finished line');

  // The file turns invalid: its last valid schedule keeps firing.
  writeFileSync(workflowFile, `${readFileSync(workflowFile, 'utf8')}\nbogus_key: 1\n`);
  await stderrMatching(/reloaded: invalid .*label\.yaml \(see above\); kept the last valid schedule of label-q3-planning\n/, 'the kept line');
  const invalidSince = new Date().toISOString();
  await runMatching(
    (r) => r.status === 'succeeded' && r.trigger.type === 'schedule' && r.trigger.slot > invalidSince,
    'a run of the kept schedule after the file turned invalid',
    RUN_WAIT_MS,
  );

  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /SIGTERM received/);
  assert.match(stderr, /stopping: /);
  assert.match(stderr, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stopped\n$/);
  assert.ok(looksClean(stderr), stderr);
  assert.equal(stdout, '', 'serve logs to stderr only');
  assert.deepEqual(
    (await store.list({ status: 'running' })).map((r) => r.id),
    [],
    'no run is left running',
  );
  assert.deepEqual(
    (await store.list({ workflow: 'pulse', limit: 1000 })).filter((r) => r.status !== 'skipped'),
    [],
    'the paused workflow ran nothing',
  );
});
