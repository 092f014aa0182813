/**
 * e2e: Ctrl-C during a model request, bad input, a missing model configuration, and a tool-only workflow that
 * needs no model at all.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { hangScript } from '../../fixtures/model-scripts.ts';
import { AT, ROOT, WORKFLOWS, looksClean, runCli, runIdOf, siteClient, startModel, startSite, stepsOf, workspace } from './helpers.ts';

const ws = workspace('cancel-input');
let site: SandboxWithMcp;

before(async () => {
  site = await startSite(ws.dir);
});
after(async () => {
  await site?.close();
  ws.remove();
});

/** Polls until `check` holds; gives up (failing the test) after many tries, so a bug cannot hang the suite. */
async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A folder with a copy of a workflow and no `.env`, to run the CLI in. */
function bareFolder(name: string, workflow: string): { cwd: string; file: string } {
  const cwd = join(ws.dir, name);
  mkdirSync(cwd);
  const file = join(cwd, 'workflow.yaml');
  copyFileSync(workflow, file);
  return { cwd, file: 'workflow.yaml' };
}

test('Ctrl-C during a model request cancels the run: exit 130, recorded as cancelled', async (t) => {
  const model = await startModel(t, hangScript);
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'run', WORKFLOWS.weeklySummary, '--at', AT], {
    cwd: ROOT,
    env: { ...process.env, ...ws.env({ OPENAI_BASE_URL: model.url }), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  await waitFor(() => model.requests.length > 0, 'the model request');
  child.kill('SIGINT');
  const { code, signal } = await exited;
  assert.equal(signal, null, stderr);
  assert.equal(code, 130, stderr);
  assert.match(stderr, /cancelling…/);
  assert.match(stdout, /■ cancelled/);

  const run = (await ws.run(runIdOf(stdout)))!;
  assert.equal(run.status, 'cancelled');
  assert.equal(run.error?.kind, 'cancelled');
  assert.equal(run.attempts[0]!.status, 'cancelled');
  assert.deepEqual(
    stepsOf(run).map((s) => [s.id, s.status]),
    [['gather', 'cancelled']],
  );
  assert.ok(run.endedAt);
  // The hung request was abandoned, not left open, and not retried.
  await waitFor(() => model.requests[0]!.status !== 0, 'the request to close');
  assert.equal(model.requests[0]!.status, 499);
  assert.equal(model.requests.length, 1);
});

test('an unknown --input is one clean line on stderr (exit 2) and records nothing', async (t) => {
  const model = await startModel(t, hangScript);
  const before = (await ws.runs()).length;
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--input', 'spcae=TEAM'], { OPENAI_BASE_URL: model.url });
  assert.equal(res.code, 2, res.stderr);
  assert.equal(res.stdout, '');
  assert.equal(res.stderr, "error: unknown input 'spcae'; did you mean 'space'? (inputs: space, label)\n");
  assert.ok(looksClean(res.stderr), res.stderr);
  assert.equal((await ws.runs()).length, before);
  assert.equal(model.requests.length, 0);
});

test('without any model configuration a prompt workflow stops with one line (exit 2) and records nothing', async () => {
  const { cwd, file } = bareFolder('no-model', WORKFLOWS.weeklySummary);
  const before = (await ws.runs()).length;
  const res = await runCli(['run', file], { cwd, env: ws.env() });
  assert.equal(res.code, 2, res.stderr);
  assert.equal(res.stdout, '');
  assert.equal(
    res.stderr,
    'error: no model configured: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (an OpenAI-compatible server such as Ollama or vLLM), in the environment or .env\n',
  );
  assert.equal((await ws.runs()).length, before);
});

test('a tool-only workflow runs without any model configuration and labels the page', async () => {
  const { cwd, file } = bareFolder('tool-only', WORKFLOWS.labelQ3);
  const rest = siteClient(site);
  const [page] = await rest.pagesTitled('PROD', 'Q3 Planning');
  const labelsOf = async () => (await rest.get(`/wiki/api/v2/pages/${page!.id}/labels`)).json.results.map((l: { name: string }) => l.name) as string[];
  assert.ok(!(await labelsOf()).includes('urgent'));

  const res = await runCli(['run', file], { cwd, env: ws.env({ RUNNER_SANDBOX_URL: site.url }) });
  assert.equal(res.code, 0, res.stderr);
  assert.ok((await labelsOf()).includes('urgent'));
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'succeeded');
  assert.equal(run.usage.requests, 0);
  assert.deepEqual(
    stepsOf(run).map((s) => [s.id, s.kind, s.status]),
    [
      ['find', 'tool', 'succeeded'],
      ['label', 'tool', 'succeeded'],
      ['check', 'tool', 'succeeded'],
    ],
  );
  assert.deepEqual(
    stepsOf(run)
      .flatMap((s) => s.toolCalls)
      .map((c) => c.status),
    ['ok', 'ok', 'ok'],
  );
});
