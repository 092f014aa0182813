/**
 * runWorkflow against a model that misbehaves the ways open models behind OpenAI-compatible servers and broken
 * proxies do: decorated tool names, arguments that are not JSON, answers that cannot be read, and a Retry-After
 * longer than the run has left. Real parts: the sandbox backend over MCP, the SQLite run store, the scripted
 * model server speaking HTTP to the real Agents SDK.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, ToolCallRecord } from '../../../src/runs/types.ts';
import { startScriptedModelServer, type Script } from '../../../src/testing/scripted-model-server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';

const catalogue = confluenceCatalogue();
let root: string;
let counter = 0;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'hostile-model-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function workflowOf(yaml: string): Workflow {
  const result = loadWorkflowText('test.yaml', yaml, { tools: catalogue });
  assert.deepEqual(result.diagnostics, [], 'the test workflow is valid');
  return result.workflow!;
}

const SEARCH = workflowOf(`
version: 1
name: hostile
tools:
  allow: [CONFLUENCE_SEARCH_CONTENT, CONFLUENCE_GET_SPACES]
limits: { timeout: 2m }
prompt: Find the planning page.
`);

/** Runs SEARCH once against `script` on a fresh store and sandbox. */
async function runAgainst(t: TestContext, script: Script, env: Record<string, string> = {}) {
  const dir = join(root, `t${++counter}`);
  const server = await startScriptedModelServer({ script });
  const store = openSqliteRunStore(join(dir, 'runs.db'));
  t.after(async () => {
    await store.close();
    await server.close();
  });
  const config = loadConfig({
    env: { RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'), OPENAI_BASE_URL: server.url, RUNNER_MODEL_RETRIES: '0', ...env },
    cwd: dir,
  });
  const record = await runWorkflow(SEARCH, {}, { config, store });
  return { record, server };
}

const calls = (record: RunRecord): ToolCallRecord[] => record.attempts.flatMap((a) => a.steps.flatMap((s) => s.toolCalls));

describe('runWorkflow with a misbehaving model', () => {
  test('decorated tool names run the tool they mean, and the record names it plainly', async (t) => {
    const { record } = await runAgainst(t, [
      {
        toolCalls: [
          { name: 'functions.CONFLUENCE_SEARCH_CONTENT', arguments: { query: 'Q3 Planning' } },
          { name: 'confluence.CONFLUENCE_GET_SPACES ', arguments: {} },
          { name: 'CONFLUENCE_GET_SPACES<|channel|>commentary', arguments: {} },
        ],
      },
      { text: 'Found it.' },
    ]);
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    assert.deepEqual(
      calls(record).map((c) => [c.tool, c.status]),
      [
        ['CONFLUENCE_SEARCH_CONTENT', 'ok'],
        ['CONFLUENCE_GET_SPACES', 'ok'],
        ['CONFLUENCE_GET_SPACES', 'ok'],
      ],
    );
  });

  test('a decorated name of no offered tool is refused as written, and the conversation goes on', async (t) => {
    const { record, server } = await runAgainst(t, (req) =>
      req.turn === 0 ? { toolCalls: [{ name: 'functions.CONFLUENCE_DELETE_PAGE', arguments: { id: '1' } }] } : { text: 'Could not delete.' },
    );
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    const [refused] = calls(record);
    assert.deepEqual([refused!.tool, refused!.status, refused!.args], ['functions.CONFLUENCE_DELETE_PAGE', 'refused', { id: '1' }]);
    assert.equal(server.requests.length, 2, 'the history with the refused call was sent again');
    assert.match(server.requests[1]!.toolResults[0]!.output, /Refused by the runner: functions\.CONFLUENCE_DELETE_PAGE/);
  });

  test('arguments that are not JSON are a refused call with the raw text; the model is told why and the run goes on', async (t) => {
    const raw = '{"query": "Q3 Planning';
    const { record, server } = await runAgainst(t, (req) => {
      if (req.turn === 0) return { toolCalls: [{ name: 'CONFLUENCE_SEARCH_CONTENT', arguments: raw }] };
      if (req.turn === 1) return { toolCalls: [{ name: 'CONFLUENCE_SEARCH_CONTENT', arguments: { query: 'Q3 Planning' } }] };
      return { text: 'Found it.' };
    });
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    const [refused, ok] = calls(record);
    assert.equal(refused!.status, 'refused');
    assert.equal(refused!.args, raw, 'the record keeps the text as the model sent it');
    assert.deepEqual(refused!.failure, { kind: 'validation', retryable: false });
    assert.match(
      refused!.error!,
      /^Refused by the runner: the arguments are not valid JSON \(.+\); send the call again with its arguments as one JSON object\./,
    );
    assert.equal(ok!.status, 'ok');
    const told = JSON.parse(server.requests[1]!.toolResults[0]!.output) as { successful: boolean; error: string };
    assert.equal(told.successful, false);
    assert.equal(told.error, refused!.error, 'the model saw the reason the record keeps');
  });

  test('an answer that cannot be read is a retryable model failure; a retry that gets a good answer succeeds', async (t) => {
    const broken = await runAgainst(t, [{ malformed: 'truncated' }]);
    assert.equal(broken.record.status, 'failed');
    assert.equal(broken.record.error?.kind, 'model');
    assert.equal(broken.record.error?.retryable, true);
    assert.match(broken.record.error!.message, /^the model server's answer cannot be read: /);

    const dir = join(root, `t${++counter}`);
    const server = await startScriptedModelServer({ script: [{ text: 'Found it.' }] });
    t.after(() => server.close());
    server.failNext(1, { malformed: 'html' });
    const store = openSqliteRunStore(join(dir, 'runs.db'));
    t.after(() => store.close());
    const config = loadConfig({ env: { RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'), OPENAI_BASE_URL: server.url, RUNNER_MODEL_RETRIES: '1' }, cwd: dir });
    const record = await runWorkflow(SEARCH, {}, { config, store });
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    assert.equal(record.attempts[0]!.steps[0]!.modelRetries, 1);
    assert.deepEqual(
      server.requests.map((r) => r.status),
      [200, 200],
    );
  });

  test('a Retry-After past limits.timeout fails the run at once, saying so', async (t) => {
    // Sleeping towards the deadline would end as a limits.timeout failure, not with the message checked below.
    const { record, server } = await runAgainst(t, [{ fault: { status: 429, retryAfterSeconds: 600, message: 'quota' } }], { RUNNER_MODEL_RETRIES: '3' });
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.kind, 'model');
    assert.equal(record.error?.retryable, true);
    assert.match(record.error!.message, /^the model server asked to wait 600 s \(Retry-After, HTTP 429\), beyond the (1m5\ds|2m) left of limits\.timeout$/);
    assert.equal(server.requests.length, 1);
  });
});
