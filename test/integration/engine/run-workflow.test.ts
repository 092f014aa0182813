/**
 * runWorkflow in-process with real parts: the sandbox backend (an embedded Confluence on a temporary SQLite
 * file, reached over MCP), the mcp backend over stdio and HTTP, the SQLite run store, and the scripted model
 * server speaking the OpenAI API to the real Agents SDK.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test, type TestContext } from 'node:test';
import { loadConfig, type RunnerConfig } from '../../../src/config/config.ts';
import type { RunEvent } from '../../../src/runs/events.ts';
import { runWorkflow, type RunOptions } from '../../../src/engine/run-workflow.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, ToolCallRecord } from '../../../src/runs/types.ts';
import { startSandboxWithMcp, type SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { UserError } from '../../../src/shared/errors.ts';
import { startScriptedModelServer, type Script } from '../../../src/testing/scripted-model-server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflow, loadWorkflowText } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';
import { weeklySummaryScript } from '../../fixtures/model-scripts.ts';

const catalogue = confluenceCatalogue();
const STDIO_ENTRY = fileURLToPath(new URL('../../../src/mcp/stdio-main.ts', import.meta.url));
const WEEKLY = fileURLToPath(new URL('../../../workflows/weekly-summary.yaml', import.meta.url));
const HOSTED_NOTE =
  "tools.mode is hosted: the model provider called the tools itself, so the runner could not gate, preview or journal them; they are recorded after the fact as 'hosted'";

let root: string;
let counter = 0;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'run-workflow-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** One test's world: its own folder, run store, sandbox file and (when scripted) model server; closed after the test. */
async function world(t: TestContext, options: { script?: Script; env?: Record<string, string> } = {}) {
  const dir = join(root, `t${++counter}`);
  const server = options.script ? await startScriptedModelServer({ script: options.script }) : undefined;
  const store = openSqliteRunStore(join(dir, 'runs.db'));
  const config = loadConfig({
    env: {
      RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'),
      RUNNER_MODEL_RETRIES: '0',
      ...(server ? { OPENAI_BASE_URL: server.url } : {}),
      ...options.env,
    },
    cwd: dir,
  });
  t.after(async () => {
    await store.close();
    await server?.close();
  });
  const events: RunEvent[] = [];
  const run = (workflow: Workflow, runOptions: RunOptions = {}, over: { config?: RunnerConfig } = {}) =>
    runWorkflow(workflow, runOptions, { config: over.config ?? config, store, onEvent: (e) => events.push(e) });
  return { dir, server, store, config, events, run };
}

/** Loads workflow YAML written in a test. */
function workflowOf(yaml: string): Workflow {
  const result = loadWorkflowText('test.yaml', yaml, { tools: catalogue });
  assert.deepEqual(result.diagnostics, [], 'the test workflow is valid');
  return result.workflow!;
}

const calls = (record: RunRecord): ToolCallRecord[] => record.attempts.flatMap((a) => a.steps.flatMap((s) => s.toolCalls));

describe('runWorkflow with the sandbox backend', () => {
  test('weekly-summary: events in order, the final record stored, run.scheduled_at and step outputs reach later templates', async (t) => {
    const w = await world(t, { script: weeklySummaryScript });
    const workflow = await loadWorkflow(WEEKLY, { tools: catalogue });
    const record = await w.run(workflow, { scheduledAt: new Date('2025-03-07T15:00:00Z') });

    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    assert.deepEqual(await w.store.get(record.id), record, 'the store holds the final record');
    assert.deepEqual(
      w.events.map((e) => e.type),
      [
        'run_start',
        'step_start',
        'turn',
        'tool_start',
        'tool_end',
        'turn',
        'tool_start',
        'tool_end',
        'turn',
        'step_end',
        'step_start',
        'turn',
        'tool_start',
        'tool_end',
        'turn',
        'tool_start',
        'tool_end',
        'turn',
        'step_end',
        'step_start',
        'tool_start',
        'tool_end',
        'step_end',
        'run_end',
      ],
    );
    const ends = w.events.filter((e): e is Extract<RunEvent, { type: 'tool_end' }> => e.type === 'tool_end');
    assert.deepEqual(
      ends.map((e) => [e.step, e.call.tool, e.call.status, e.call.turn]),
      [
        ['gather', 'CONFLUENCE_SEARCH_CONTENT', 'ok', 1],
        ['gather', 'CONFLUENCE_GET_PAGE_BY_ID', 'ok', 2],
        ['publish', 'CONFLUENCE_GET_SPACES', 'ok', 1],
        ['publish', 'CONFLUENCE_CREATE_BLOGPOST', 'ok', 2],
        ['label', 'CONFLUENCE_ADD_CONTENT_LABEL', 'ok', undefined],
      ],
    );
    const last = w.events.at(-1) as Extract<RunEvent, { type: 'run_end' }>;
    assert.equal(last.run.status, 'succeeded');

    const [gather, publish, label] = record.attempts[0]!.steps;
    assert.equal(gather!.title, 'Read the meeting notes of 2025-W10', 'run.scheduled_at | iso_week in a title');
    assert.match(gather!.prompt!, /created from\s+2025-03-03 to 2025-03-07 \(week 2025-W10\)/);
    assert.match(w.server!.requests[0]!.userText, /week 2025-W10/, 'the model got the rendered prompt');
    assert.match(publish!.prompt!, /titled\s+"Weekly summary 2025-W10"/);
    assert.match(publish!.prompt!, /^## Topics$/m, "gather's output in publish's prompt");
    assert.match(gather!.instructions!, /maintain the Confluence space TEAM/);

    const postId = (record.outputs.publish as { id: string }).id;
    assert.match(postId, /^\d+$/);
    const labelCall = label!.toolCalls[0]!;
    assert.deepEqual(labelCall.args, { id: postId, labels: [{ prefix: 'global', name: 'weekly-summary' }] }, "publish's output in the label step's arguments");
    assert.equal(record.links.length, 1);
    assert.match(record.links[0]!, new RegExp(`/wiki/spaces/TEAM/blog/.*/${postId}/Weekly\\+summary\\+2025-W10$`));
    assert.equal(gather!.turns, 3);
    assert.deepEqual(record.usage, {
      requests: 6,
      inputTokens: gather!.usage!.inputTokens + publish!.usage!.inputTokens,
      outputTokens: gather!.usage!.outputTokens + publish!.usage!.outputTokens,
    });
    assert.equal(record.mode, 'live');
    assert.equal(record.backend, 'sandbox');
  });

  test("a tool step's failed assertion names path, expected and actual, and no later step runs", async (t) => {
    const w = await world(t);
    const workflow = workflowOf(`
version: 1
name: check-spaces
inputs:
  n: { type: number, default: 1 }
steps:
  - id: spaces
    tool: CONFLUENCE_GET_SPACES
    with:
      limit: "{{ inputs.n }}"
    assert:
      - path: successful
        equals: true
      - path: data.results[0].key
        equals: NOPE
  - id: never
    tool: CONFLUENCE_GET_CURRENT_USER
`);
    const record = await w.run(workflow);
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.error, {
      kind: 'assertion',
      message: 'assertion failed: data.results[0].key: expected "NOPE", got "MKT"',
      retryable: false,
      step: 'spaces',
    });
    assert.equal(record.model, '(none: tool steps only)');
    const steps = record.attempts[0]!.steps;
    assert.deepEqual(
      steps.map((s) => [s.id, s.status]),
      [['spaces', 'failed']],
    );
    assert.deepEqual(steps[0]!.toolCalls[0]!.args, { limit: 1 }, 'the rendered "1" was converted to the number the schema wants');
    assert.deepEqual(await w.store.get(record.id), record);
  });

  test('the same run id again is a second attempt whose identical writes come from the journal', async (t) => {
    const w = await world(t);
    // The write lands, then a later step fails: the retry must not write again.
    const workflow = workflowOf(`
version: 1
name: make-page
tools:
  allow: [CONFLUENCE_CREATE_PAGE, CONFLUENCE_GET_PAGE_BY_ID]
steps:
  - id: create
    tool: CONFLUENCE_CREATE_PAGE
    with:
      spaceId: "98307"
      title: Made once
      body: { storage: { value: "<p>once</p>" } }
  - id: check
    tool: CONFLUENCE_GET_PAGE_BY_ID
    with: { id: "999999999" }
`);
    const first = await w.run(workflow, { runId: 'run-journal-1' });
    assert.equal(first.status, 'failed');
    assert.equal(first.error?.step, 'check');
    const second = await w.run(workflow, { runId: 'run-journal-1' });
    assert.equal(second.status, 'failed');
    assert.equal(second.id, 'run-journal-1');
    assert.deepEqual(
      second.attempts.map((a) => [a.number, a.status]),
      [
        [1, 'failed'],
        [2, 'failed'],
      ],
    );
    const [made, replayed] = calls(second).filter((c) => c.tool === 'CONFLUENCE_CREATE_PAGE');
    assert.deepEqual([made!.status, replayed!.status, replayed!.note], ['ok', 'journaled', 'already done in attempt 1']);
    assert.deepEqual(replayed!.result, made!.result);
    assert.equal((await w.store.journal('run-journal-1')).length, 1);
  });

  test('preview simulates a tool step write', async (t) => {
    const w = await world(t);
    const workflow = workflowOf(`
version: 1
name: make-page
tools:
  allow: [CONFLUENCE_CREATE_PAGE]
steps:
  - id: create
    tool: CONFLUENCE_CREATE_PAGE
    with: { spaceId: "98307", title: Not really, body: { storage: { value: "<p/>" } } }
    assert:
      - path: data.id
        equals: preview-1
`);
    const record = await w.run(workflow, { preview: true });
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    assert.equal(record.mode, 'preview');
    assert.deepEqual(
      calls(record).map((c) => c.status),
      ['simulated'],
    );
    assert.deepEqual(record.links, [], 'nothing was created');
  });

  test('limits.timeout ends a run whose model never answers: failed, kind limit', { timeout: 10_000 }, async (t) => {
    const w = await world(t, { script: [{ hang: true }], env: { RUNNER_MODEL_RETRIES: '4' } });
    const workflow = workflowOf(`
version: 1
name: slow
limits:
  timeout: 1500ms
prompt: List the spaces.
`);
    // The timeout covers opening the in-process sandbox too, which takes a cold, busy process a good part of a second.
    const record = await w.run(workflow);
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.error, { kind: 'limit', message: 'the run took longer than limits.timeout (2s)', retryable: false, step: 'main' });
    assert.equal(w.server!.requests.length, 1, 'the aborted request is not retried');
    assert.equal((await w.store.get(record.id))?.status, 'failed');
  });

  test('aborting options.signal records the run as cancelled', { timeout: 10_000 }, async (t) => {
    const controller = new AbortController();
    const w = await world(t, {
      script: () => {
        controller.abort();
        return { hang: true };
      },
    });
    const record = await w.run(workflowOf('version: 1\nname: cancelled\nprompt: List the spaces.\n'), { signal: controller.signal });
    assert.equal(record.status, 'cancelled');
    assert.equal(record.error?.kind, 'cancelled');
    assert.equal(record.attempts[0]!.steps[0]!.status, 'cancelled');
  });

  test('a prompt step without any model configured is a user error before anything runs', async (t) => {
    const w = await world(t);
    await assert.rejects(w.run(workflowOf('version: 1\nname: no-model\nprompt: Hello.\n')), UserError);
    assert.deepEqual(await w.store.list(), []);
  });

  test("hosted mode: the provider calls the sandbox's MCP endpoint itself; the calls are recorded as hosted, with a note", async (t) => {
    const w = await world(t, {
      env: { RUNNER_OPENAI_API: 'responses' },
      script: [
        {
          hostedMcpCalls: [
            { name: 'CONFLUENCE_GET_SPACES', arguments: { limit: 1 } },
            { name: 'CONFLUENCE_GET_PAGE_BY_ID', arguments: { id: 'nope' } },
          ],
          text: 'MKT is the first space.',
        },
      ],
    });
    const workflow = workflowOf(`
version: 1
name: hosted
tools:
  mode: hosted
prompt: Name the first space.
`);
    const record = await w.run(workflow);
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    assert.equal(record.outputs.main, 'MKT is the first space.');
    assert.deepEqual(record.notes, [HOSTED_NOTE]);
    const [hosted, failed] = calls(record);
    assert.deepEqual([hosted!.tool, hosted!.status, hosted!.effect, hosted!.turn, hosted!.args], ['CONFLUENCE_GET_SPACES', 'hosted', 'read', 1, { limit: 1 }]);
    assert.equal((hosted!.result as { data: { results: Array<{ key: string }> } }).data.results[0]!.key, 'MKT');
    assert.equal(hosted!.error, undefined);
    assert.deepEqual([failed!.tool, failed!.status, failed!.args], ['CONFLUENCE_GET_PAGE_BY_ID', 'hosted', { id: 'nope' }]);
    assert.equal(typeof failed!.error, 'string', 'the error is text, as ToolCallRecord.error promises');
    assert.match(failed!.error!, /Invalid value for id: nope/);
    const request = w.server!.requests[0]!;
    assert.equal(request.api, 'responses');
    const mcp = request.tools[0] as {
      type: string;
      server_label: string;
      server_url: string;
      allowed_tools: { tool_names: string[] };
      require_approval: string;
    };
    assert.equal(mcp.type, 'mcp');
    assert.equal(mcp.server_label, 'confluence_sandbox');
    assert.match(mcp.server_url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    assert.deepEqual([...mcp.allowed_tools.tool_names].sort(), catalogue.slugsWithEffect('read').sort(), 'only the allowed tools are offered');
    assert.equal(mcp.require_approval, 'never');
    assert.deepEqual(request.toolNames, [], 'no function tools alongside');
  });
});

describe('runWorkflow with the mcp backend', () => {
  let dir: string;
  let sandbox: SandboxWithMcp;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'run-workflow-mcp-'));
    // Its token is what the `url` test sends as a bearer token read from the environment.
    sandbox = await startSandboxWithMcp({
      dbPath: join(dir, 'sandbox.db'),
      port: 0,
      seed: true,
      users: [{ email: 'sandbox@example.com', apiToken: 'mcp-header-secret-77', displayName: 'Sandbox User' }],
    });
  });
  after(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A model that reads the current user, then answers with the name it got. */
  const whoAmI: Script = (request) =>
    request.turn === 0
      ? { toolCalls: [{ name: 'CONFLUENCE_GET_CURRENT_USER', arguments: {} }] }
      : { text: `You are ${String(request.lastToolResult()?.data?.displayName ?? 'unknown')}.` };

  test('command: a stdio MCP server started for the run', async (t) => {
    const w = await world(t, { script: whoAmI });
    const args = [STDIO_ENTRY, sandbox.url, sandbox.email, sandbox.apiToken].map((a) => JSON.stringify(a)).join(', ');
    const workflow = workflowOf(`
version: 1
name: mcp-stdio
tools:
  backend: mcp
  mcp:
    command: ${JSON.stringify(process.execPath)}
    args: [${args}]
steps:
  - id: spaces
    tool: CONFLUENCE_GET_SPACES
    with: { limit: 2 }
    assert:
      - path: data.results.1.key
        equals: TEAM
  - id: ask
    prompt: Who am I? (there are {{ steps.spaces.output.data.results.size }} spaces)
`);
    const record = await w.run(workflow);
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    assert.equal(record.backend, 'mcp');
    assert.match(record.outputs.ask as string, /^You are .+\.$/);
    assert.doesNotMatch(record.outputs.ask as string, /unknown/);
    assert.deepEqual(
      calls(record).map((c) => [c.tool, c.status]),
      [
        ['CONFLUENCE_GET_SPACES', 'ok'],
        ['CONFLUENCE_GET_CURRENT_USER', 'ok'],
      ],
    );
    assert.match(w.server!.requests[0]!.userText, /there are 2 spaces/);
    assert.ok(w.server!.requests[0]!.toolNames.includes('CONFLUENCE_GET_CURRENT_USER'));
    assert.equal(w.server!.requests[0]!.toolNames.includes('CONFLUENCE_CREATE_PAGE'), false, 'writes are not offered without tools.allow');
  });

  test('url: a running MCP server over HTTP, headers read from the environment', async (t) => {
    const w = await world(t, { script: whoAmI, env: { SANDBOX_MCP_TOKEN: 'Bearer mcp-header-secret-77' } });
    const workflow = workflowOf(`
version: 1
name: mcp-url
tools:
  backend: mcp
  mcp:
    url: ${sandbox.mcpUrl}
    headers:
      Authorization: { env: SANDBOX_MCP_TOKEN }
      X-Team: docs
prompt: Who am I?
`);
    const record = await w.run(workflow);
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    assert.equal(record.backend, 'mcp');
    assert.match(record.outputs.main as string, /^You are .+\.$/);
    assert.deepEqual(
      calls(record).map((c) => [c.tool, c.status, c.turn]),
      [['CONFLUENCE_GET_CURRENT_USER', 'ok', 1]],
    );
    assert.ok(w.config.secrets.has('mcp-header-secret-77'), 'a header read from the environment counts as a secret');
  });

  test('url: an MCP server that is not there fails the run as a tool failure', async (t) => {
    const w = await world(t);
    const workflow = workflowOf(`
version: 1
name: mcp-gone
tools:
  backend: mcp
  mcp:
    url: http://127.0.0.1:9/mcp
steps:
  - id: spaces
    tool: CONFLUENCE_GET_SPACES
`);
    const record = await w.run(workflow);
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.kind, 'tool');
    assert.match(record.error!.message, /^cannot connect to the mcp MCP server: /);
    assert.deepEqual(record.attempts[0]!.steps, [], 'no step started');
  });
});

describe('runWorkflow keeps a run bounded', () => {
  test('limits.max_tool_calls: calls past the budget are refused unexecuted and the run fails with kind limit', async (t) => {
    const many = Array.from({ length: 6 }, (_, i) => ({ name: 'CONFLUENCE_GET_SPACES', arguments: { limit: i + 1 } }));
    const w = await world(t, { script: [{ toolCalls: many }, { text: 'done' }] });
    const workflow = workflowOf(`
version: 1
name: chatty
limits: { max_tool_calls: 4 }
prompt: Look around.
`);
    const record = await w.run(workflow);
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.kind, 'limit');
    assert.match(record.error!.message, /more than limits\.max_tool_calls \(4\) tool calls/);
    const statuses = calls(record).map((c) => c.status);
    assert.equal(statuses.filter((s) => s === 'ok').length, 4, statuses.join());
    const refused = calls(record).filter((c) => c.status === 'refused');
    assert.ok(refused.length >= 1);
    assert.deepEqual(refused[0]!.failure, { kind: 'limit', retryable: false });
    assert.match(refused[0]!.error!, /already made 4 tool calls, the most limits\.max_tool_calls allows/);
  });

  test('a final answer longer than RUNNER_MAX_OUTPUT_CHARS fails the step with kind limit and is not kept', async (t) => {
    const w = await world(t, { script: [{ text: 'x'.repeat(5000) }], env: { RUNNER_MAX_OUTPUT_CHARS: '1000' } });
    const record = await w.run(workflowOf('version: 1\nname: wordy\nprompt: Say a lot.\n'));
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.kind, 'limit');
    assert.match(record.error!.message, /the final answer is 5,000 characters, more than the 1,000 a step may keep/);
    assert.deepEqual(record.outputs, {});
    assert.ok(JSON.stringify(record).length < 5000, 'the record does not hold the answer');
  });

  test('an answer far past the bound is cut off while it is read, not held whole: a model failure, nothing kept', async (t) => {
    const w = await world(t, { script: [{ text: 'y'.repeat(2_000_000) }], env: { RUNNER_MAX_OUTPUT_CHARS: '1000' } });
    const record = await w.run(workflowOf('version: 1\nname: flood\nprompt: Say a lot.\n'));
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.kind, 'model');
    assert.match(record.error!.message, /answer passed 260 KB and was cut off/);
    assert.ok(JSON.stringify(record).length < 20_000, 'the record does not hold the answer');
  });

  test('arguments longer than RUNNER_RECORD_RESULT_CHARS are cut in the record, and the call still runs with all of them', async (t) => {
    const query = `Q3 Planning ${'padding '.repeat(200)}`;
    const w = await world(t, {
      script: [{ toolCalls: [{ name: 'CONFLUENCE_SEARCH_CONTENT', arguments: { query } }] }, { text: 'ok' }],
      env: { RUNNER_RECORD_RESULT_CHARS: '200' },
    });
    const record = await w.run(workflowOf('version: 1\nname: long-args\nprompt: Search.\n'));
    assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
    const [call] = calls(record);
    assert.equal(call?.status, 'ok');
    assert.equal(call?.argsTruncated, true);
    assert.equal(typeof call?.args, 'string');
    assert.ok((call!.args as string).length <= 201);
    assert.ok(w.server!.requests[1]!.toolResults.length === 1, 'the tool answered the full query');
  });

  test('a runaway template fails the step at once (validation), not the process', async (t) => {
    const w = await world(t);
    const record = await w.run(
      workflowOf(`
version: 1
name: runaway
steps:
  - id: spaces
    title: "{% for i in (1..100000000) %}x{% endfor %}"
    tool: CONFLUENCE_GET_SPACES
`),
    );
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.kind, 'validation');
    assert.match(record.error!.message, /builds more than 10,000,000 items or characters/);
  });
});
