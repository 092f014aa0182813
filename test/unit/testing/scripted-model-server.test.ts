import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import {
  Agent,
  OpenAIChatCompletionsModel,
  OpenAIResponsesModel,
  hostedMcpTool,
  retryPolicies,
  run,
  setTracingDisabled,
  tool,
  type Model,
  type ModelSettings,
} from '@openai/agents';
import {
  finalJson,
  finalText,
  startScriptedModelServer,
  toolCall,
  type ScriptedModelServer,
  type ScriptedModelServerOptions,
} from '../../../src/testing/scripted-model-server.ts';
import { startSandboxWithMcp, type SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';

setTracingDisabled(true);

type Api = 'chat' | 'responses';
const APIS: Api[] = ['chat', 'responses'];
const servers: ScriptedModelServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(options: ScriptedModelServerOptions): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer(options);
  servers.push(server);
  return server;
}

function modelFor(api: Api, server: ScriptedModelServer, apiKey = 'sk-test'): Model {
  const client = new OpenAI({ apiKey, baseURL: server.url, maxRetries: 0 });
  return api === 'chat' ? new OpenAIChatCompletionsModel(client, 'scripted') : new OpenAIResponsesModel(client, 'scripted');
}

const RETRY: ModelSettings['retry'] = {
  maxRetries: 2,
  backoff: { initialDelayMs: 1 },
  policy: retryPolicies.any(retryPolicies.httpStatus([429, 500, 503]), retryPolicies.retryAfter()),
};

/** Function tools that record the arguments they were called with. */
function recordingTools() {
  const calls: Array<{ name: string; args: any }> = [];
  const make = (name: string, properties: Record<string, unknown>, result: (args: any) => unknown) =>
    tool({
      name,
      description: `The ${name} tool.`,
      parameters: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false } as any,
      execute: async (args: any) => {
        calls.push({ name, args });
        return result(args);
      },
    });
  const findSpace = make('find_space', { query: { type: 'string' } }, (a) => ({ spaceId: `S-${a.query.length}` }));
  const getPages = make('get_pages', { spaceId: { type: 'string' } }, (a) => ({ pages: [`${a.spaceId} Home`, `${a.spaceId} Runbook`] }));
  return { calls, tools: [findSpace, getPages] };
}

/** Waits until `condition` holds (polling; fails after ~5 s so a broken server cannot hang the suite). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), `timed out waiting for: ${what}`);
}

for (const api of APIS) {
  describe(`scripted model server with the Agents SDK (${api})`, () => {
    it('drives a two-tool conversation where the second call uses the first result', async () => {
      const server = await serve({
        script: (req) => {
          if (req.turn === 0) return toolCall('find_space', { query: req.userText });
          if (req.turn === 1) return toolCall('get_pages', { spaceId: req.lastToolResult().spaceId });
          return finalText(`Pages: ${req.lastToolResult().pages.join(', ')}`);
        },
      });
      const { calls, tools } = recordingTools();
      const agent = new Agent({ name: 'reader', instructions: 'List the pages.', model: modelFor(api, server), tools });
      const result = await run(agent, 'platform');
      assert.equal(result.finalOutput, 'Pages: S-8 Home, S-8 Runbook');
      assert.deepEqual(calls, [
        { name: 'find_space', args: { query: 'platform' } },
        { name: 'get_pages', args: { spaceId: 'S-8' } },
      ]);
      assert.deepEqual(
        server.requests.map((r) => [r.api, r.turn, r.status, r.stream]),
        [
          [api, 0, 200, false],
          [api, 1, 200, false],
          [api, 2, 200, false],
        ],
      );
      const last = server.requests[2]!;
      assert.equal(last.instructions, 'List the pages.');
      assert.equal(last.userText, 'platform');
      assert.deepEqual(last.toolNames, ['find_space', 'get_pages']);
      assert.equal(last.tools.length, 2);
      assert.deepEqual(
        last.toolResults.map((t) => JSON.parse(t.output)),
        [{ spaceId: 'S-8' }, { pages: ['S-8 Home', 'S-8 Runbook'] }],
      );
      assert.ok(
        last.toolResults.every((t) => /^call_\d+$/.test(t.callId)),
        'generated call ids look like call_<n>',
      );
      assert.notEqual(last.toolResults[0]!.callId, last.toolResults[1]!.callId);
      assert.equal(last.path, api === 'chat' ? '/v1/chat/completions' : '/v1/responses');
      assert.equal(last.headers.authorization, 'Bearer sk-test');
    });

    it('walks an array script by turn, so concurrent conversations each follow it', async () => {
      const server = await serve({ script: [toolCall('find_space', { query: 'x' }), finalText('done')] });
      const { tools } = recordingTools();
      const agent = new Agent({ name: 'a', model: modelFor(api, server), tools });
      const results = await Promise.all([run(agent, 'one'), run(agent, 'two'), run(agent, 'three')]);
      assert.deepEqual(
        results.map((r) => r.finalOutput),
        ['done', 'done', 'done'],
      );
      assert.deepEqual(server.requests.map((r) => r.turn).sort(), [0, 0, 0, 1, 1, 1]);
    });

    it('counts the assistant turns a continued conversation already holds', async () => {
      const server = await serve({ script: (req) => finalText(`turn ${req.turn}: ${req.lastUserText}`) });
      const agent = new Agent({ name: 'chat', model: modelFor(api, server) });
      const first = await run(agent, 'hello');
      assert.equal(first.finalOutput, 'turn 0: hello');
      const second = await run(agent, [...first.history, { role: 'user', content: 'again' }]);
      assert.equal(second.finalOutput, 'turn 1: again');
      assert.equal(server.requests[1]!.userText, 'hello');
      assert.equal(server.requests[1]!.lastUserText, 'again');
    });

    it('answers structured output with JSON the SDK parses, and sees the requested schema', async () => {
      const schema = {
        type: 'object' as const,
        properties: { title: { type: 'string' }, pages: { type: 'integer' } },
        required: ['title', 'pages'],
        additionalProperties: false as const,
      };
      const server = await serve({ script: [finalJson({ title: 'Digest', pages: 3 })] });
      const agent = new Agent({
        name: 'digest',
        model: modelFor(api, server),
        outputType: { type: 'json_schema', name: 'digest', strict: true, schema },
      });
      const result = await run(agent, 'summarise');
      assert.deepEqual(result.finalOutput, { title: 'Digest', pages: 3 });
      const req = server.requests[0]!;
      assert.deepEqual(req.outputSchema, schema);
      if (api === 'chat') assert.deepEqual(req.body.response_format, { type: 'json_schema', json_schema: { name: 'digest', strict: true, schema } });
      else assert.deepEqual(req.body.text, { format: { type: 'json_schema', name: 'digest', strict: true, schema } });
    });

    it('makes parallel tool calls in one turn', async () => {
      const server = await serve({
        script: (req) =>
          req.turn === 0
            ? {
                text: 'Looking both up.',
                toolCalls: [
                  { name: 'find_space', arguments: { query: 'ab' } },
                  { name: 'get_pages', arguments: { spaceId: 'S-9' }, id: 'call_custom' },
                ],
              }
            : finalText(`${req.toolResults.length} results`),
      });
      const { calls, tools } = recordingTools();
      const agent = new Agent({ name: 'p', model: modelFor(api, server), tools });
      const result = await run(agent, 'go');
      assert.equal(result.finalOutput, '2 results');
      assert.deepEqual(calls.map((c) => c.name).sort(), ['find_space', 'get_pages']);
      const results = server.requests[1]!.toolResults;
      assert.deepEqual(results.map((r) => r.callId).sort(), ['call_1', 'call_custom']);
      assert.equal(server.requests[1]!.turn, 1, 'text plus a batch of parallel calls is one assistant turn');
    });

    it('recovers through SDK retries from a 429 with Retry-After and a 500', async () => {
      const server = await serve({ script: [finalText('made it')] });
      server.failNext(1, { status: 429, retryAfterSeconds: 0 });
      server.failNext(1, { status: 500, message: 'boom' });
      const agent = new Agent({ name: 'r', model: modelFor(api, server), modelSettings: { retry: RETRY } });
      const result = await run(agent, 'try');
      assert.equal(result.finalOutput, 'made it');
      assert.deepEqual(
        server.requests.map((r) => r.status),
        [429, 500, 200],
      );
    });

    it('surfaces an outage as a thrown error once retries run out, and recovers when it ends', async () => {
      const server = await serve({ script: [finalText('back')] });
      server.setOutage({ status: 503, message: 'model is down' });
      const agent = new Agent({ name: 'o', model: modelFor(api, server), modelSettings: { retry: RETRY } });
      await assert.rejects(run(agent, 'hello'), (err: any) => err.status === 503 && /model is down/.test(err.message));
      assert.deepEqual(
        server.requests.map((r) => r.status),
        [503, 503, 503],
      );
      server.setOutage(undefined);
      assert.equal((await run(agent, 'hello')).finalOutput, 'back');
    });

    it('answers 429 with Retry-After once the per-minute rate limit is used up', async () => {
      const server = await serve({ script: [finalText('ok')], rateLimit: { perMinute: 2 } });
      const agent = new Agent({ name: 'l', model: modelFor(api, server) });
      assert.equal((await run(agent, 'a')).finalOutput, 'ok');
      assert.equal((await run(agent, 'b')).finalOutput, 'ok');
      await assert.rejects(run(agent, 'c'), (err: any) => {
        assert.equal(err.status, 429);
        const retryAfter = Number(err.headers?.get?.('retry-after'));
        assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
        return true;
      });
      assert.deepEqual(
        server.requests.map((r) => r.status),
        [200, 200, 429],
      );
    });

    it('rejects a wrong API key with 401', async () => {
      const server = await serve({ script: [finalText('welcome')], apiKey: 'sk-right' });
      const wrong = new Agent({ name: 'k', model: modelFor(api, server, 'sk-wrong') });
      await assert.rejects(run(wrong, 'hi'), (err: any) => err.status === 401);
      const right = new Agent({ name: 'k', model: modelFor(api, server, 'sk-right') });
      assert.equal((await run(right, 'hi')).finalOutput, 'welcome');
      assert.deepEqual(
        server.requests.map((r) => r.status),
        [401, 200],
      );
    });

    it('streams tool calls and text deltas', async () => {
      const server = await serve({
        script: (req) =>
          req.turn === 0
            ? { toolCalls: [{ name: 'find_space', arguments: { query: 'streaming is fun' } }], usage: { inputTokens: 50, outputTokens: 5 } }
            : { text: 'The space is S-16, found while streaming a longer answer.', usage: { inputTokens: 70, outputTokens: 12 } },
      });
      const { calls, tools } = recordingTools();
      const agent = new Agent({ name: 's', model: modelFor(api, server), tools });
      const stream = await run(agent, 'find it', { stream: true });
      let text = '';
      let deltas = 0;
      for await (const piece of stream.toTextStream()) {
        text += piece;
        deltas++;
      }
      await stream.completed;
      assert.equal(stream.finalOutput, 'The space is S-16, found while streaming a longer answer.');
      assert.equal(text, stream.finalOutput);
      assert.ok(deltas > 1, 'the text arrives in several deltas');
      assert.deepEqual(calls, [{ name: 'find_space', args: { query: 'streaming is fun' } }]);
      assert.ok(server.requests.every((r) => r.stream && r.status === 200));
      assert.deepEqual(
        server.requests[1]!.toolResults.map((t) => JSON.parse(t.output)),
        [{ spaceId: 'S-16' }],
      );
      const usage = stream.state.usage;
      assert.deepEqual([usage.requests, usage.inputTokens, usage.outputTokens, usage.totalTokens], [2, 120, 17, 137]);
    });

    it('reports scripted usage, and estimates it when the script gives none', async () => {
      const server = await serve({
        script: [{ toolCalls: [{ name: 'find_space', arguments: { query: 'q' } }], usage: { inputTokens: 100, outputTokens: 10 } }, finalText('abcdefghi')],
      });
      const { tools } = recordingTools();
      const agent = new Agent({ name: 'u', model: modelFor(api, server), tools });
      const result = await run(agent, 'count');
      const body = server.requests[1]!.body;
      const estimatedIn = Math.ceil((JSON.stringify(body.messages ?? body.input).length + JSON.stringify(body.tools).length) / 4);
      const usage = result.state.usage;
      assert.equal(usage.requests, 2);
      assert.equal(usage.inputTokens, 100 + estimatedIn);
      assert.equal(usage.outputTokens, 10 + Math.ceil('abcdefghi'.length / 4));
      assert.equal(usage.totalTokens, usage.inputTokens + usage.outputTokens);
    });

    it('keeps a hung request open until the run is aborted', async () => {
      const server = await serve({ script: [{ hang: true }] });
      const agent = new Agent({ name: 'h', model: modelFor(api, server) });
      const controller = new AbortController();
      const running = run(agent, 'wait', { signal: controller.signal });
      await until(() => server.requests.length === 1, 'the request to arrive');
      assert.equal(server.requests[0]!.status, 0, 'nothing answered yet');
      controller.abort();
      await assert.rejects(running);
      await until(() => server.requests[0]!.status === 499, 'the server to notice the client left');
    });
  });
}

describe('hosted MCP emulation (Responses API) against the sandbox', () => {
  let dir: string;
  let sandbox: SandboxWithMcp;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scripted-model-mcp-'));
    sandbox = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
  });
  after(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const stream of [false, true]) {
    it(`runs the calls on the MCP server and returns mcp_list_tools and mcp_call items (${stream ? 'streamed' : 'plain'})`, async () => {
      const server = await serve({
        script: [
          {
            hostedMcpCalls: [
              { name: 'CONFLUENCE_GET_SPACES', arguments: {} },
              { name: 'NO_SUCH_TOOL', arguments: { x: 1 } },
            ],
            text: 'Found the spaces.',
          },
        ],
      });
      const agent = new Agent({
        name: 'mcp',
        model: modelFor('responses', server),
        tools: [hostedMcpTool({ serverLabel: 'confluence', serverUrl: sandbox.mcpUrl, headers: sandbox.mcpHeaders, requireApproval: 'never' })],
      });
      let result;
      if (stream) {
        const streamed = await run(agent, 'list spaces', { stream: true });
        for await (const _ of streamed) {
          /* drain */
        }
        await streamed.completed;
        result = streamed;
      } else {
        result = await run(agent, 'list spaces');
      }
      assert.equal(result.finalOutput, 'Found the spaces.');
      const raw = result.newItems.filter((i) => i.type === 'tool_call_item').map((i) => i.rawItem as any);
      const listing = raw.find((r) => r.providerData?.type === 'mcp_list_tools');
      assert.equal(listing.providerData.server_label, 'confluence');
      assert.equal(listing.providerData.tools.length, 57);
      const [spaces, missing] = raw.filter((r) => r.providerData?.type === 'mcp_call');
      assert.equal(spaces.type, 'hosted_tool_call');
      assert.equal(spaces.providerData.name, 'CONFLUENCE_GET_SPACES');
      assert.equal(spaces.providerData.error, null);
      assert.match(spaces.output, /Platform Team/);
      assert.equal(JSON.parse(spaces.output).successful, true);
      assert.equal(missing.providerData.error.type, 'mcp_protocol_error');
      assert.match(missing.providerData.error.message, /NO_SUCH_TOOL not found/);
      const req = server.requests[0]!;
      assert.deepEqual([req.status, req.stream], [200, stream]);
      assert.deepEqual(req.toolNames, [], 'a hosted MCP tool is not a function tool');
      assert.equal((req.tools[0] as any).type, 'mcp');
      assert.equal((req.tools[0] as any).server_url, sandbox.mcpUrl);
      assert.equal((req.tools[0] as any).require_approval, 'never');
    });
  }

  it("lists a server's tools once per conversation and counts hosted items as an assistant turn", async () => {
    const server = await serve({
      script: (req) => ({
        hostedMcpCalls: [{ name: req.turn === 0 ? 'CONFLUENCE_GET_SPACES' : 'CONFLUENCE_GET_CURRENT_USER', arguments: {} }],
        text: `answer ${req.turn}`,
      }),
    });
    const agent = new Agent({
      name: 'mcp',
      model: modelFor('responses', server),
      tools: [
        hostedMcpTool({
          serverLabel: 'confluence',
          serverUrl: sandbox.mcpUrl,
          headers: sandbox.mcpHeaders,
          allowedTools: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_CURRENT_USER'],
        }),
      ],
    });
    const first = await run(agent, 'spaces?');
    const second = await run(agent, [...first.history, { role: 'user', content: 'and me?' }]);
    assert.equal(second.finalOutput, 'answer 1');
    assert.equal(server.requests[1]!.turn, 1);
    const types = (r: typeof second) => r.newItems.map((i) => (i.rawItem as any).providerData?.type).filter(Boolean);
    assert.deepEqual(types(first), ['mcp_list_tools', 'mcp_call']);
    assert.deepEqual(types(second), ['mcp_call'], 'already listed in the conversation');
    const listing = first.newItems.find((i) => (i.rawItem as any).providerData?.type === 'mcp_list_tools')!.rawItem as any;
    assert.deepEqual(listing.providerData.tools.map((t: any) => t.name).sort(), ['CONFLUENCE_GET_CURRENT_USER', 'CONFLUENCE_GET_SPACES']);
    const me = second.newItems.find((i) => (i.rawItem as any).providerData?.type === 'mcp_call')!.rawItem as any;
    assert.equal(JSON.parse(me.output).successful, true);
  });

  it('refuses hostedMcpCalls on Chat Completions with a 400', async () => {
    const server = await serve({ script: [{ hostedMcpCalls: [{ name: 'CONFLUENCE_GET_SPACES', arguments: {} }], text: 'x' }] });
    const agent = new Agent({ name: 'c', model: modelFor('chat', server) });
    await assert.rejects(run(agent, 'hi'), (err: any) => err.status === 400 && /Responses API/.test(err.message));
  });
});

describe('scripted model server over plain HTTP', () => {
  let server: ScriptedModelServer;
  before(async () => {
    server = await serve({ script: [finalText('hi')] });
  });
  const post = (path: string, body: string) =>
    fetch(`${server.url.replace(/\/v1$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  it('lists the scripted model with and without the /v1 prefix', async () => {
    for (const path of ['/v1/models', '/models']) {
      const res = await fetch(`${server.url.replace(/\/v1$/, '')}${path}`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as any;
      assert.deepEqual(
        body.data.map((m: any) => m.id),
        ['scripted'],
      );
    }
  });

  it('answers chat completions without the /v1 prefix too', async () => {
    const res = await post('/chat/completions', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
    const body = (await res.json()) as any;
    assert.equal(body.choices[0].message.content, 'hi');
    assert.equal(body.model, 'm');
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('answers unknown paths with 404 in OpenAI error shape', async () => {
    const res = await post('/v1/embeddings', '{}');
    assert.equal(res.status, 404);
    const body = (await res.json()) as any;
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.match(body.error.message, /POST \/v1\/embeddings/);
  });

  it('answers a body that is not JSON with 400 and records it', async () => {
    const before = server.requests.length;
    const res = await post('/v1/responses', 'not json{');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as any).error.type, 'invalid_request_error');
    assert.equal(server.requests.length, before + 1);
    assert.equal(server.requests.at(-1)!.status, 400);
    assert.equal(server.requests.at(-1)!.body, 'not json{');
  });

  it('sets retry-after on faults and answers 500 once the script is exhausted', async () => {
    server.failNext(1, { status: 429, retryAfterSeconds: 1, message: 'slow down' });
    const limited = await post('/v1/responses', JSON.stringify({ model: 'm', input: 'x' }));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.deepEqual(await limited.json(), { error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    const exhausted = await post(
      '/v1/responses',
      JSON.stringify({
        model: 'm',
        input: [
          { role: 'user', content: 'x' },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] },
          { role: 'user', content: 'more' },
        ],
      }),
    );
    assert.equal(exhausted.status, 500);
    assert.match(((await exhausted.json()) as any).error.message, /Script exhausted: no turn 1/);
  });

  it('counts Responses turns by runs of model items', async () => {
    const seen: number[] = [];
    const counting = await serve({
      script: (req) => {
        seen.push(req.turn);
        return finalText('ok');
      },
    });
    const input = [
      { role: 'user', content: 'q' },
      { type: 'reasoning', id: 'rs_1', summary: [] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'let me look' }] },
      { type: 'function_call', call_id: 'a', name: 'f', arguments: '{}' },
      { type: 'function_call', call_id: 'b', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'a', output: '1' },
      { type: 'function_call_output', call_id: 'b', output: '[2]' },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      {
        type: 'function_call_output',
        call_id: 'c',
        output: [
          { type: 'input_text', text: '{"n":' },
          { type: 'input_text', text: '3}' },
        ],
      },
    ];
    const res = await fetch(`${counting.url}/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input }) });
    assert.equal(res.status, 200);
    assert.deepEqual(seen, [2]);
    assert.deepEqual(counting.requests[0]!.lastToolResult(), { n: 3 });
    assert.deepEqual(
      counting.requests[0]!.toolResults.map((t) => t.callId),
      ['a', 'b', 'c'],
    );
  });

  it('answers malformed answers with status 200: truncated JSON, null, an HTML page, no choices or output', async () => {
    const chat = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    const responses = JSON.stringify({ model: 'm', input: 'x' });
    server.failNext(1, { malformed: 'truncated' });
    const truncated = await post('/v1/chat/completions', chat);
    assert.equal(truncated.status, 200);
    assert.equal(truncated.headers.get('content-type'), 'application/json');
    const cut = await truncated.text();
    assert.ok(cut.startsWith('{"id":"chatcmpl_'), cut);
    assert.throws(() => JSON.parse(cut), SyntaxError);
    server.failNext(1, { malformed: 'null' });
    const nothing = await post('/v1/responses', responses);
    assert.deepEqual([nothing.status, nothing.headers.get('content-type'), await nothing.text()], [200, 'application/json', 'null']);
    server.failNext(1, { malformed: 'html' });
    const page = await post('/v1/chat/completions', chat);
    assert.deepEqual([page.status, page.headers.get('content-type')], [200, 'text/html; charset=utf-8']);
    assert.match(await page.text(), /^<!DOCTYPE html>/);
    server.failNext(2, { malformed: 'empty' });
    const noChoices = (await (await post('/v1/chat/completions', chat)).json()) as any;
    assert.deepEqual([noChoices.object, noChoices.choices], ['chat.completion', []]);
    const noOutput = (await (await post('/v1/responses', responses)).json()) as any;
    assert.deepEqual([noOutput.object, noOutput.status, noOutput.output], ['response', 'completed', []]);
    assert.deepEqual(
      server.requests.slice(-5).map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
  });

  it('streams malformed answers too: an event stream cut in half, and one that completes without a choice', async () => {
    const malformed = await serve({ script: [{ malformed: 'truncated' }, { malformed: 'empty' }] });
    const chat = (turn: number) =>
      fetch(`${malformed.url}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'm',
          stream: true,
          messages: [{ role: 'user', content: 'x' }, ...Array.from({ length: turn }, () => ({ role: 'assistant', content: 'y' }))],
        }),
      });
    const cut = await chat(0);
    assert.equal(cut.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const text = await cut.text();
    assert.ok(text.startsWith('data: {'), text);
    assert.ok(!text.includes('[DONE]'), 'the stream ends before its end');
    const empty = await (await chat(1)).text();
    const chunks = empty
      .split('\n\n')
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ''));
    assert.equal(chunks.at(-1), '[DONE]');
    assert.deepEqual(
      chunks.slice(0, -1).map((c) => JSON.parse(c).choices),
      [[]],
    );
  });

  it('sends string tool-call arguments as they are (arguments that are not JSON)', async () => {
    const raw = '{"query": "unterminated';
    const verbatim = await serve({ script: [{ toolCalls: [{ name: 'find_space', arguments: raw, id: 'call_raw' }] }] });
    const chat = (await (
      await fetch(`${verbatim.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) })
    ).json()) as any;
    assert.deepEqual(chat.choices[0].message.tool_calls[0].function, { name: 'find_space', arguments: raw });
    const responses = (await (await fetch(`${verbatim.url}/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'x' }) })).json()) as any;
    assert.equal(responses.output[0].arguments, raw);
  });

  it('close() cuts short an answer still waiting out its latency', async () => {
    const slow = await serve({ script: [finalText('late')], latencyMs: 60_000 });
    const pending = fetch(`${slow.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) });
    await until(() => slow.requests.length === 1, 'the request to arrive');
    await slow.close();
    await assert.rejects(pending);
    assert.equal(slow.requests[0]!.status, 0, 'never answered');
  });

  it('ends hung requests on close, and close is safe to call twice', async () => {
    const hanging = await serve({ script: [{ hang: true }] });
    const pending = fetch(`${hanging.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) });
    await until(() => hanging.requests.length === 1, 'the request to arrive');
    await Promise.all([hanging.close(), hanging.close()]);
    await assert.rejects(pending);
    assert.equal(hanging.requests[0]!.status, 0, 'never answered');
  });
});
