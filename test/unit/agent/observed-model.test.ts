import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner, hostedMcpTool, tool } from '@openai/agents';
import { ObservedModel, type HostedCall } from '../../../src/agent/observed-model.ts';
import { classifyFailure } from '../../../src/engine/failure.ts';
import { ExternalError } from '../../../src/shared/errors.ts';
import type { TokenUsage } from '../../../src/runs/types.ts';
import { startSandboxWithMcp, type SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedModelServerOptions } from '../../../src/testing/scripted-model-server.ts';

const runner = new Runner({ tracingDisabled: true });
const servers: ScriptedModelServer[] = [];
let dir: string;
let sandbox: SandboxWithMcp;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'observed-model-'));
  sandbox = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(options: ScriptedModelServerOptions): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer(options);
  servers.push(server);
  return server;
}

function client(server: ScriptedModelServer): OpenAI {
  return new OpenAI({ apiKey: 'sk-test', baseURL: server.url, maxRetries: 0 });
}

/** A function tool that answers with the page it was asked for. */
const getPage = tool({
  name: 'get_page',
  description: 'Reads a page.',
  parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
  strict: true,
  execute: async (input) => {
    const { id } = (typeof input === 'string' ? JSON.parse(input) : input) as { id: string };
    return { id, title: `Page ${id}` };
  },
});

describe('ObservedModel around the Chat Completions model', () => {
  test('counts turns, sums usage, and maps call ids to arguments and the turn that asked', async () => {
    const server = await serve({
      script: [
        {
          toolCalls: [
            { name: 'get_page', arguments: { id: '1' }, id: 'call_a' },
            { name: 'get_page', arguments: { id: '2' }, id: 'call_b' },
          ],
          usage: { inputTokens: 100, outputTokens: 10 },
        },
        { toolCalls: [{ name: 'get_page', arguments: { id: '3' }, id: 'call_c' }], usage: { inputTokens: 150, outputTokens: 5 } },
        { text: 'done', usage: { inputTokens: 200, outputTokens: 2 } },
      ],
    });
    const turns: Array<[number, TokenUsage]> = [];
    const observed = new ObservedModel(new OpenAIChatCompletionsModel(client(server) as never, 'scripted'), {
      onTurn: (turn, usage) => turns.push([turn, usage]),
    });
    const result = await runner.run(new Agent({ name: 'reader', model: observed, tools: [getPage] }), 'read pages');
    assert.equal(result.finalOutput, 'done');
    assert.equal(observed.turns, 3);
    assert.deepEqual(observed.usage, { requests: 3, inputTokens: 450, outputTokens: 17 });
    assert.deepEqual(turns, [
      [1, { requests: 1, inputTokens: 100, outputTokens: 10 }],
      [2, { requests: 1, inputTokens: 150, outputTokens: 5 }],
      [3, { requests: 1, inputTokens: 200, outputTokens: 2 }],
    ]);
    assert.deepEqual(
      [...observed.calls.entries()],
      [
        ['call_a', { name: 'get_page', args: { id: '1' }, turn: 1 }],
        ['call_b', { name: 'get_page', args: { id: '2' }, turn: 1 }],
        ['call_c', { name: 'get_page', args: { id: '3' }, turn: 2 }],
      ],
    );
  });

  test('keeps usage of a run that ends in an error', async () => {
    const server = await serve({ script: [{ toolCalls: [{ name: 'get_page', arguments: { id: '1' } }], usage: { inputTokens: 40, outputTokens: 4 } }] });
    const observed = new ObservedModel(new OpenAIChatCompletionsModel(client(server) as never, 'scripted'));
    await assert.rejects(runner.run(new Agent({ name: 'reader', model: observed, tools: [getPage] }), 'x'), /Script exhausted/);
    assert.equal(observed.turns, 1);
    assert.deepEqual(observed.usage, { requests: 1, inputTokens: 40, outputTokens: 4 });
  });

  test('awaits beforeRequest before each request, passing the request signal', async () => {
    const server = await serve({ script: [{ toolCalls: [{ name: 'get_page', arguments: { id: '1' } }] }, { text: 'ok' }] });
    const seen: Array<{ sent: number; signal: boolean }> = [];
    const observed = new ObservedModel(new OpenAIChatCompletionsModel(client(server) as never, 'scripted'), {
      beforeRequest: async (signal) => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push({ sent: server.requests.length, signal: signal instanceof AbortSignal });
      },
    });
    const controller = new AbortController();
    await runner.run(new Agent({ name: 'reader', model: observed, tools: [getPage] }), 'x', { signal: controller.signal });
    assert.deepEqual(
      seen,
      [
        { sent: 0, signal: true },
        { sent: 1, signal: true },
      ],
      'each hold ends before its request is sent',
    );
  });

  test('a beforeRequest that fails stops the request from being sent', async () => {
    const server = await serve({ script: [{ text: 'never' }] });
    const observed = new ObservedModel(new OpenAIChatCompletionsModel(client(server) as never, 'scripted'), {
      beforeRequest: async () => {
        await Promise.resolve();
        throw new Error('rate limit wait aborted');
      },
    });
    await assert.rejects(runner.run(new Agent({ name: 'reader', model: observed }), 'x'), /rate limit wait aborted/);
    assert.equal(server.requests.length, 0);
    assert.equal(observed.turns, 0);
  });
});

describe('ObservedModel around the Responses model', () => {
  test('counts streamed turns the same way', async () => {
    const server = await serve({
      script: [
        { toolCalls: [{ name: 'get_page', arguments: { id: '9' }, id: 'call_s' }], usage: { inputTokens: 30, outputTokens: 3 } },
        { text: 'streamed', usage: { inputTokens: 60, outputTokens: 6 } },
      ],
    });
    const observed = new ObservedModel(new OpenAIResponsesModel(client(server) as never, 'scripted'));
    const result = await runner.run(new Agent({ name: 'reader', model: observed, tools: [getPage] }), 'x', { stream: true });
    await result.completed;
    assert.equal(result.finalOutput, 'streamed');
    assert.equal(observed.turns, 2);
    assert.deepEqual(observed.usage, { requests: 2, inputTokens: 90, outputTokens: 9 });
    assert.deepEqual(observed.calls.get('call_s'), { name: 'get_page', args: { id: '9' }, turn: 1 });
    assert.ok(server.requests.every((r) => r.stream));
  });

  test('surfaces the hosted MCP calls the provider ran, with arguments, output, errors and turn', async () => {
    const server = await serve({
      script: [
        {
          text: 'Looked at the spaces.',
          hostedMcpCalls: [
            { name: 'CONFLUENCE_GET_SPACES', arguments: { limit: 1 } },
            { name: 'CONFLUENCE_GET_PAGE_BY_ID', arguments: { id: 'nope' } },
          ],
        },
      ],
    });
    const hosted: HostedCall[] = [];
    const observed = new ObservedModel(new OpenAIResponsesModel(client(server) as never, 'scripted'), { onHostedCall: (call) => hosted.push(call) });
    const agent = new Agent({
      name: 'hosted',
      model: observed,
      tools: [hostedMcpTool({ serverLabel: 'confluence_sandbox', serverUrl: sandbox.mcpUrl, headers: sandbox.mcpHeaders, requireApproval: 'never' })],
    });
    const result = await runner.run(agent, 'list spaces');
    assert.equal(result.finalOutput, 'Looked at the spaces.');
    assert.equal(hosted.length, 2);
    const [spaces, missing] = hosted;
    assert.deepEqual([spaces!.name, spaces!.args, spaces!.turn, spaces!.error], ['CONFLUENCE_GET_SPACES', { limit: 1 }, 1, undefined]);
    const output = spaces!.output as { successful: boolean; data: { results: Array<{ key: string }> } };
    assert.equal(output.successful, true);
    assert.equal(output.data.results[0]!.key, 'MKT', 'the real sandbox answered');
    assert.deepEqual([missing!.name, missing!.args, missing!.turn], ['CONFLUENCE_GET_PAGE_BY_ID', { id: 'nope' }, 1]);
    assert.equal(typeof missing!.error, 'string', 'the provider error object is described as text');
    assert.equal(
      missing!.error,
      '{"data":null,"error":"invalid request: Invalid value for id: nope","successful":false,"failure":{"kind":"tool","retryable":false,"status":400}}',
    );
    assert.equal(observed.calls.size, 0, 'hosted calls are not function calls');
  });
});

/** Runs an agent once, streamed or not: resolves with the final output, rejects with the run's error. */
async function runOnce(agent: Agent<any, any>, stream: boolean, maxTurns = 10): Promise<unknown> {
  if (!stream) return (await runner.run(agent, 'x', { maxTurns })).finalOutput;
  const result = await runner.run(agent, 'x', { stream: true, maxTurns });
  for await (const _ of result) {
    /* drain */
  }
  await result.completed;
  if (result.error) throw result.error;
  return result.finalOutput;
}

describe('ObservedModel before the SDK sees an answer', () => {
  const live = new AbortController().signal;
  const modelOf = (api: 'chat' | 'responses', server: ScriptedModelServer) =>
    api === 'chat' ? new OpenAIChatCompletionsModel(client(server) as never, 'scripted') : new OpenAIResponsesModel(client(server) as never, 'scripted');

  for (const api of ['chat', 'responses'] as const) {
    for (const stream of [false, true]) {
      const how = `${api}, ${stream ? 'streamed' : 'plain'}`;

      test(`answers that cannot be read or hold nothing are retryable model failures, not internal ones (${how})`, async () => {
        for (const malformed of ['truncated', 'null', 'html', 'empty'] as const) {
          const server = await serve({ script: [{ malformed }] });
          const observed = new ObservedModel(modelOf(api, server));
          const agent = new Agent({ name: 'reader', model: observed });
          const error = await runOnce(agent, stream, 3).then(
            () => undefined,
            (caught: unknown) => caught,
          );
          assert.ok(error, `${malformed}: the run fails instead of looping on empty answers`);
          const failure = classifyFailure(error, 'gather', live);
          assert.equal(failure.kind, 'model', `${malformed}: ${failure.message}`);
          assert.equal(failure.retryable, true, malformed);
          assert.equal(server.requests.length, 1, `${malformed}: one request, no turn after an empty answer`);
          if (error instanceof ExternalError) assert.match(error.message, /^the model server's answer (cannot be read|holds no message and no tool call)/);
          assert.equal(observed.turns, 0, 'a malformed answer is no turn');
        }
      });

      test(`decorated tool names reach the offered tool; arguments that are not one object are set aside (${how})`, async () => {
        const server = await serve({
          script: [
            {
              toolCalls: [
                { name: 'functions.get_page', arguments: { id: '1' }, id: 'call_decorated' },
                { name: 'get_page ', arguments: '{"id": "2"', id: 'call_cut' },
                { name: 'tools.get_page<|channel|>commentary', arguments: '', id: 'call_empty' },
              ],
            },
            { text: 'done' },
          ],
        });
        const executed: unknown[] = [];
        const recording = tool({
          name: 'get_page',
          description: 'Reads a page.',
          parameters: { type: 'object', properties: { id: { type: 'string' } }, required: [], additionalProperties: true } as never,
          strict: false,
          execute: async (input) => {
            executed.push(input);
            return 'page';
          },
        });
        const observed = new ObservedModel(modelOf(api, server));
        assert.equal(await runOnce(new Agent({ name: 'reader', model: observed, tools: [recording] }), stream), 'done');
        assert.deepEqual(executed, [{ id: '1' }, {}, {}], 'every call reached the tool; the cut one with {} in place of its text');
        assert.deepEqual(
          [...observed.calls.entries()],
          [
            ['call_decorated', { name: 'get_page', askedAs: 'functions.get_page', args: { id: '1' }, turn: 1 }],
            ['call_cut', { name: 'get_page', askedAs: 'get_page ', args: '{"id": "2"', turn: 1 }],
            ['call_empty', { name: 'get_page', askedAs: 'tools.get_page<|channel|>commentary', args: {}, turn: 1 }],
          ],
        );
        assert.deepEqual([...observed.invalidArguments.keys()], ['call_cut']);
        assert.equal(observed.invalidArguments.get('call_cut')!.raw, '{"id": "2"');
        assert.match(observed.invalidArguments.get('call_cut')!.problem, /^the arguments are not valid JSON \(/);
        const history = server.requests[1]!;
        assert.equal(history.toolResults.length, 3, 'the model got an answer for each call');
      });
    }
  }
});
