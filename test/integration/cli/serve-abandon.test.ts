/**
 * `runner serve` never leaves a run `running` for ever: a second Ctrl-C records the runs in flight as cancelled
 * before the process exits, and a serve that was killed outright (SIGKILL) has its runs closed by the next serve
 * that starts on the same machine.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import { ROOT, looksClean } from './cli-process.ts';

let dir: string;
let model: ScriptedModelServer;
const children: ChildProcess[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runner-serve-abandon-'));
  mkdirSync(join(dir, 'workflows'));
  // The model never answers: every run stays in its first model request until something stops it.
  model = await startScriptedModelServer({ script: () => ({ hang: true }) });
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await model?.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeWorkflow(scheduled: boolean): void {
  writeFileSync(
    join(dir, 'workflows', 'hang.yaml'),
    `version: 1
name: hang
${scheduled ? 'schedule:\n  cron: "* * * * * *"\n  timezone: UTC\n' : ''}prompt: Wait for ever.
`,
  );
}

/** `runner serve` on the folder, with its stderr collected. */
function serve(): { child: ChildProcess; stderr: () => string; exited: Promise<number | string> } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUNNER_DB: join(dir, 'runs.db'),
    RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'),
    RUNNER_BACKEND: 'sandbox',
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: 'sk-test',
    RUNNER_MODEL_RETRIES: '0',
    RUNNER_SHUTDOWN_GRACE: '60s',
    NO_COLOR: '1',
  };
  delete env.RUNNER_SANDBOX_URL;
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'serve', join(dir, 'workflows')], {
    cwd: dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? String(signal))));
  return { child, stderr: () => stderr, exited };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, output: () => string, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const found = await probe();
    if (found) return found;
  }
  assert.fail(`timed out waiting for ${what}; stderr:\n${output()}`);
}

async function record(id: string): Promise<RunRecord | undefined> {
  const store = openSqliteRunStore(join(dir, 'runs.db'));
  try {
    return await store.get(id);
  } finally {
    await store.close();
  }
}

/** Waits until serve fired a run and its record says running; returns the run id. */
async function runningRun(server: ReturnType<typeof serve>): Promise<string> {
  const id = await until('a fired run', () => /fired hang slot \S+ run ([0-9a-f-]{36})/.exec(server.stderr())?.[1], server.stderr);
  await until('the record to say running', async () => (await record(id))?.status === 'running', server.stderr);
  return id;
}

test('a second SIGINT records the run in flight as cancelled, then exits 130', { timeout: 90_000 }, async () => {
  writeWorkflow(true);
  const server = serve();
  const id = await runningRun(server);
  server.child.kill('SIGINT');
  await until('the first signal to be heard', () => /SIGINT received/.test(server.stderr()), server.stderr);
  server.child.kill('SIGINT');
  assert.equal(await server.exited, 130, server.stderr());
  const run = await record(id);
  assert.equal(run?.status, 'cancelled', JSON.stringify(run));
  assert.equal(run?.error?.kind, 'cancelled');
  assert.match(run?.error?.message ?? '', /told twice to stop/);
  assert.equal(run?.attempts.at(-1)?.status, 'cancelled');
  assert.ok(looksClean(server.stderr()), server.stderr());
});

test('runs of a serve that was killed outright are closed by the next serve on this machine', { timeout: 90_000 }, async () => {
  writeWorkflow(true);
  const killed = serve();
  const id = await runningRun(killed);
  killed.child.kill('SIGKILL');
  await killed.exited;
  assert.equal((await record(id))?.status, 'running', 'SIGKILL leaves the record running');

  writeWorkflow(false);
  const next = serve();
  await until('the next serve to close the run', () => new RegExp(`closed run ${id} \\(hang\\)`).test(next.stderr()), next.stderr);
  const run = await record(id);
  assert.equal(run?.status, 'failed');
  assert.equal(run?.error?.kind, 'infrastructure');
  assert.match(run?.error?.message ?? '', /exited before the run ended/);
  next.child.kill('SIGTERM');
  assert.equal(await next.exited, 0, next.stderr());
});
