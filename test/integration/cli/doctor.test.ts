/**
 * `runner doctor` as a child process in a temp folder: every check passing against a scripted model server, the
 * embedded sandbox and a real Redis; and each kind of trouble as a ✗ line naming what was tried and the fix.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox/server.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import { looksClean, runCli } from './cli-process.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const GOOD_WORKFLOW = ['version: 1', 'name: ok', 'steps:', '  - id: spaces', '    tool: CONFLUENCE_GET_SPACES', '    with: {}', ''].join('\n');

let dir: string;
let model: ScriptedModelServer;
let site: SandboxHandle;
const prefix = `doctor-${randomUUID().slice(0, 8)}`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runner-doctor-'));
  model = await startScriptedModelServer({ script: [] });
  site = await startSandbox({ port: 0, dbPath: ':memory:', seed: true });
});
after(async () => {
  await model?.close();
  await site?.close();
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

/** A project folder with a `.env` and a workflows folder holding these files. */
function project(files: Record<string, string>): string {
  const folder = mkdtempSync(join(dir, 'project-'));
  mkdirSync(join(folder, 'workflows'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, 'workflows', name), text);
  writeFileSync(join(folder, '.env'), '# settings come from the test\n');
  return folder;
}

/** `runner doctor` in `cwd`: every setting a developer's shell could set blanked, then `env`. */
function doctor(cwd: string, env: Record<string, string>, args: string[] = []) {
  return runCli(['doctor', ...args], {
    cwd,
    env: {
      OPENAI_API_KEY: '',
      OPENAI_BASE_URL: '',
      RUNNER_MODEL: '',
      RUNNER_BACKEND: '',
      RUNNER_SANDBOX_URL: '',
      RUNNER_SANDBOX_EMAIL: '',
      RUNNER_SANDBOX_TOKEN: '',
      RUNNER_DB: '',
      RUNNER_WORKFLOWS: '',
      RUNNER_STORE: '',
      RUNNER_QUEUE_PREFIX: prefix,
      REDIS_URL: '',
      COMPOSIO_API_KEY: '',
      CONFLUENCE_BASE_URL: '',
      CONFLUENCE_EMAIL: '',
      CONFLUENCE_API_TOKEN: '',
      ...env,
    },
  });
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('all good: model, sandbox, Redis, the Redis store and the workflows each get a ✓, exit 0', async () => {
  const cwd = project({ 'ok.yaml': GOOD_WORKFLOW });
  const res = await doctor(cwd, { OPENAI_BASE_URL: model.url, RUNNER_MODEL: 'scripted', REDIS_URL, RUNNER_STORE: 'redis' });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const lines = res.stdout.trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.slice(0, l.indexOf(':'))),
    ['✓ node', '✓ .env', '✓ model', '✓ backend', '✓ redis', '✓ run store', '✓ workflows'],
  );
  assert.match(res.stdout, new RegExp(`✓ model: ${model.url}/models answers`));
  assert.match(res.stdout, /✓ backend: sandbox in-process over .* answers \(57 tools\)/);
  assert.match(res.stdout, /✓ redis: redis:\/\/127\.0\.0\.1:6379 answers PONG/);
  assert.match(res.stdout, /✓ workflows: 1 file in workflows valid/);
  assert.equal(res.stderr, '');

  const json = await doctor(cwd, { OPENAI_BASE_URL: model.url, RUNNER_MODEL: 'scripted', REDIS_URL }, ['--json']);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { ok: boolean; checks: Array<{ name: string; status: string }> };
  assert.equal(report.ok, true);
  assert.ok(report.checks.every((c) => c.status === 'ok'));
});

test('a model URL that refuses connections: ✗ naming the URL, exit 1', async () => {
  const cwd = project({ 'ok.yaml': GOOD_WORKFLOW });
  const url = `http://127.0.0.1:${await closedPort()}/v1`;
  const res = await doctor(cwd, { OPENAI_BASE_URL: url });
  assert.equal(res.code, 1, res.stdout + res.stderr);
  assert.match(res.stdout, new RegExp(`^✗ model: cannot reach ${url}/models: .*ECONNREFUSED.* → start the model server or correct OPENAI_BASE_URL$`, 'm'));
  // REDIS_URL unset is a warning, not a failure.
  assert.match(res.stdout, /^! redis: REDIS_URL is not set/m);
  assert.ok(looksClean(res.stdout + res.stderr));
});

test('a broken workflow file: ✗ with its file:line:col', async () => {
  const cwd = project({ 'ok.yaml': GOOD_WORKFLOW, 'broken.yaml': GOOD_WORKFLOW.replace('tool: CONFLUENCE_GET_SPACES', 'tool: CONFLUENCE_GET_SPACEZ') });
  const res = await doctor(cwd, {});
  assert.equal(res.code, 1, res.stdout + res.stderr);
  assert.match(res.stdout, /^✗ workflows: 1 of 2 files in workflows invalid → /m);
  assert.match(res.stdout, /^ {4}workflows\/broken\.yaml:5:11: .*CONFLUENCE_GET_SPACEZ/m);
  assert.match(res.stdout, /^! model: no model configured: skipped/m);
});

test('backend confluence with a wrong token: ✗ with the fix; with the right one: ✓', async () => {
  const cwd = project({ 'ok.yaml': GOOD_WORKFLOW });
  const settings = { RUNNER_BACKEND: 'confluence', CONFLUENCE_BASE_URL: site.url, CONFLUENCE_EMAIL: site.email };
  const wrong = await doctor(cwd, { ...settings, CONFLUENCE_API_TOKEN: 'wrong-token' });
  assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
  assert.match(
    wrong.stdout,
    new RegExp(`^✗ backend: confluence: Confluence at ${site.url} refused the login \\(401\\) → check CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN`, 'm'),
  );
  assert.doesNotMatch(wrong.stdout + wrong.stderr, /wrong-token/);

  const right = await doctor(cwd, { ...settings, CONFLUENCE_API_TOKEN: site.apiToken });
  assert.match(right.stdout, new RegExp(`^✓ backend: confluence: ${site.url} answers as Sandbox User$`, 'm'));

  const missing = await doctor(cwd, { RUNNER_BACKEND: 'confluence' });
  assert.match(missing.stdout, /^✗ backend: confluence: the confluence backend needs CONFLUENCE_BASE_URL, CONFLUENCE_EMAIL, CONFLUENCE_API_TOKEN/m);
});
