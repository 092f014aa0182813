/**
 * e2e: secrets given to the runner (model key, Composio key, sandbox token) never show up in what it prints or
 * stores, whether the run succeeds or fails, and even when a server echoes a key back in its error.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import type { ModelRequestView } from '../../../src/testing/scripted-model-server.ts';
import { summaryWithoutPagesScript, weeklySummaryScript } from '../../fixtures/model-scripts.ts';
import { AT, WORKFLOWS, runIdOf, startModel, startSite, workspace } from './helpers.ts';

const OPENAI_KEY = 'sk-SENTINEL-openai-9f3a';
const COMPOSIO_KEY = 'ck-SENTINEL-composio-77aa';
const WRONG_COMPOSIO_KEY = 'ck-SENTINEL-composio-wrong-0b1e';
const SANDBOX_TOKEN = 'st-SENTINEL-sandbox-51c0';
/** Every sentinel carries this word, so a partly masked key is caught too. */
const LEAK = /SENTINEL/;

const ws = workspace('secrets');
let site: SandboxWithMcp;
/** Run ids of the runs made here, to read back through `runner runs show`. */
const runIds: string[] = [];

before(async () => {
  site = await startSite(ws.dir, {
    toolRouterApiKey: COMPOSIO_KEY,
    users: [{ email: 'sandbox@example.com', apiToken: SANDBOX_TOKEN, displayName: 'Sandbox User' }],
  });
});
after(async () => {
  await site?.close();
  ws.remove();
});

const secretEnv = (extra: Record<string, string>) => ({ OPENAI_API_KEY: OPENAI_KEY, RUNNER_SANDBOX_TOKEN: SANDBOX_TOKEN, ...extra });

/** Runs `runner run`, checks its exit code and that neither stream leaks, and remembers the run id. */
async function runClean(args: string[], extra: Record<string, string>, code: number): Promise<string> {
  const res = await ws.cli(['run', ...args], secretEnv(extra));
  assert.equal(res.code, code, res.stderr);
  assert.doesNotMatch(res.stdout, LEAK);
  assert.doesNotMatch(res.stderr, LEAK);
  const id = args.includes('--json') ? (JSON.parse(res.stdout) as { id: string }).id : runIdOf(res.stdout);
  runIds.push(id);
  return id;
}

test('a successful run with keys set: the model got the key, nothing shows it', async (t) => {
  const model = await startModel(t, weeklySummaryScript, { apiKey: OPENAI_KEY });
  await runClean([WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: model.url }, 0);
  await runClean([WORKFLOWS.weeklySummary, '--at', AT, '--json'], { OPENAI_BASE_URL: model.url }, 0);
  assert.ok(model.requests.every((r) => r.headers.authorization === `Bearer ${OPENAI_KEY}` && r.status === 200));
  assert.doesNotMatch(JSON.stringify(model.requests.map((r) => r.body)), LEAK, 'a secret was sent to the model');
});

test('failed runs: a model failure, a 401, and a server that echoes the key in its error', async (t) => {
  const model = await startModel(t, summaryWithoutPagesScript, { apiKey: OPENAI_KEY });
  await runClean([WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: model.url }, 1);

  const rejecting = await startModel(t, weeklySummaryScript, { apiKey: 'sk-some-other-key' });
  const id = await runClean([WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: rejecting.url }, 1);
  const run = (await ws.run(id))!;
  assert.equal(run.error?.kind, 'model');
  assert.match(run.error!.message, /401/);
  assert.equal(rejecting.requests[0]!.headers.authorization, `Bearer ${OPENAI_KEY}`);

  const echoing = await startModel(t, (request: ModelRequestView) => ({
    fault: { status: 401, message: `Incorrect API key provided: ${request.headers.authorization?.replace(/^Bearer /, '')}.` },
  }));
  const echoed = await runClean([WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: echoing.url }, 1);
  assert.match((await ws.run(echoed))!.error!.message, /Incorrect API key provided: \[redacted\]/);
});

test('composio runs: with the right key, and with a key the router rejects', async (t) => {
  const model = await startModel(t, weeklySummaryScript, { apiKey: OPENAI_KEY });
  const composio = { OPENAI_BASE_URL: model.url, RUNNER_BACKEND: 'composio', COMPOSIO_BASE_URL: site.url };
  await runClean([WORKFLOWS.weeklySummary, '--at', AT], { ...composio, COMPOSIO_API_KEY: COMPOSIO_KEY }, 0);
  assert.doesNotMatch(JSON.stringify(model.requests.map((r) => r.body)), LEAK, 'a secret was sent to the model');
  const id = await runClean([WORKFLOWS.weeklySummary, '--at', AT], { ...composio, COMPOSIO_API_KEY: WRONG_COMPOSIO_KEY }, 1);
  const run = (await ws.run(id))!;
  assert.equal(run.error?.kind, 'tool');
  assert.match(run.error!.message, /Composio did not create a Tool Router session \(HTTP 401\)/);
});

test('neither the records nor the SQLite file hold a secret', async () => {
  assert.equal(runIds.length, 7);
  for (const id of runIds) {
    for (const args of [
      ['runs', 'show', id, '--json'],
      ['runs', 'show', id],
    ]) {
      const shown = await ws.cli(args);
      assert.equal(shown.code, 0, shown.stderr);
      assert.doesNotMatch(shown.stdout, LEAK, `${args.join(' ')} shows a secret`);
    }
  }
  const files = [ws.dbPath, `${ws.dbPath}-wal`].filter((f) => existsSync(f));
  assert.ok(files.length > 0);
  for (const file of files) assert.equal(readFileSync(file).indexOf('SENTINEL'), -1, `${file} holds a secret`);
});
