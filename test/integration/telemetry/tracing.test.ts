/**
 * OpenTelemetry traces of `runner run`, end to end: the real CLI runs a workflow (a tool step, then a prompt step
 * whose model calls a tool after one 503) against the scripted model server, with OTEL_EXPORTER_OTLP_ENDPOINT on a
 * real OTLP/HTTP receiver; the test decodes what arrived and checks the layout, that content stays out unless
 * RUNNER_TRACE_CONTENT=on (and is redacted then), that a process without the endpoint sends nothing and loads no
 * OpenTelemetry module, and that a collector nobody answers costs one warning line.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import type { ScriptedTurn } from '../../../src/testing/scripted-model-server.ts';
import { CONTENT_ATTRIBUTES } from '../../../src/telemetry/trace-attributes.ts';
import { looksClean, runIdOf, startModel, workspace } from '../e2e/helpers.ts';
import { type ReceivedSpan, startTraceReceiver, type TraceReceiver } from './trace-receiver.ts';

const KEY = 'sk-TRACE-SENTINEL-5d1e';
const LEAK = /SENTINEL/;
const PROMPT = 'Find the Q3 planning page in space PROD and name it.';

const ws = workspace('traces');
let receiver: TraceReceiver;
let file: string;
before(async () => {
  receiver = await startTraceReceiver();
  file = join(ws.dir, 'traced.yaml');
  writeFileSync(
    file,
    `version: 1
name: traced
inputs:
  space:
    type: string
    default: PROD
tools:
  allow:
    - CONFLUENCE_SEARCH_CONTENT
steps:
  - id: find
    tool: CONFLUENCE_SEARCH_CONTENT
    with:
      query: Q3 Planning
      spaceKey: "{{ inputs.space }}"
      limit: 5
  - id: ask
    prompt: "Find the Q3 planning page in space {{ inputs.space }} and name it."
`,
  );
});
after(async () => {
  await receiver?.close();
  ws.remove();
});

/** The model: a search whose arguments echo the API key it was sent, then an answer that echoes it too. */
const echoingModel = (request: { turn: number; headers: Record<string, string> }): ScriptedTurn =>
  request.turn === 0
    ? {
        toolCalls: [{ name: 'CONFLUENCE_SEARCH_CONTENT', arguments: { query: `Q3 ${request.headers.authorization}`, spaceKey: 'PROD' } }],
        usage: { inputTokens: 111, outputTokens: 22 },
      }
    : { text: `It is Q3 Planning (${request.headers.authorization})`, usage: { inputTokens: 333, outputTokens: 44 } };

/** Runs the workflow through the CLI (one model 503 first, retried) and returns the run id and the spans of its trace. */
async function tracedRun(t: TestContext, extra: Record<string, string> = {}) {
  const model = await startModel(t, echoingModel, { apiKey: KEY });
  model.failNext(1, { status: 503, retryAfterSeconds: 0 });
  const from = receiver.spans.length;
  const res = await ws.cli(['run', file], {
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: model.url,
    RUNNER_MODEL_RETRIES: '1',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    ...extra,
  });
  assert.equal(res.code, 0, res.stderr);
  assert.ok(looksClean(res.stderr), res.stderr);
  const runId = runIdOf(res.stdout);
  // The CLI sent its spans before it exited: nothing to wait for.
  const spans = receiver.spans.slice(from);
  const root = spans.find((s) => s.parentSpanId === '' && s.attributes['runner.run.id'] === runId);
  assert.ok(root, `no root span of run ${runId} among ${spans.map((s) => s.name).join(', ')}`);
  return { runId, root, spans: spans.filter((s) => s.traceId === root.traceId), all: spans };
}

/** The span named `name` under `parent` (exactly one). */
function childNamed(spans: ReceivedSpan[], parent: ReceivedSpan, name: string): ReceivedSpan {
  const found = spans.filter((s) => s.parentSpanId === parent.spanId && s.name === name);
  assert.equal(found.length, 1, `${name} under ${parent.name}: ${found.length} found`);
  return found[0]!;
}

/** Whether `ancestor` is on the parent chain of `span`. */
function isUnder(spans: ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let s = byId.get(span.parentSpanId); s; s = byId.get(s.parentSpanId)) if (s.spanId === ancestor.spanId) return true;
  return false;
}

test('runner run: one trace per attempt with the run, its steps, model requests and tool calls', { timeout: 60_000 }, async (t) => {
  const { runId, root, spans, all } = await tracedRun(t);
  const run = (await ws.run(runId))!;
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));

  assert.deepEqual(
    all.filter((s) => s.scope === 'confluence-runner').map((s) => s.traceId),
    spans.map(() => root.traceId),
    'every span of the attempt is in its trace',
  );
  assert.equal(spans.filter((s) => s.parentSpanId === '').length, 1, 'one root');
  assert.equal(root.name, 'run traced');
  assert.equal(root.service, 'confluence-runner');
  assert.deepEqual(
    { ...root.attributes },
    {
      'runner.source': 'cli',
      'runner.run.id': runId,
      'runner.workflow': 'traced',
      'runner.run.attempt': 1,
      'runner.run.trigger': 'manual',
      'runner.run.mode': 'live',
      'runner.run.backend': 'sandbox',
      'gen_ai.request.model': run.model,
      'runner.run.status': 'succeeded',
      'gen_ai.usage.input_tokens': 444,
      'gen_ai.usage.output_tokens': 66,
      'runner.model.retries': 1,
      'runner.tool.calls': 2,
    },
  );
  assert.equal(root.links.length, 0, 'no job to link to outside the queue');

  // The tool step: its call is its only child.
  const find = childNamed(spans, root, 'step find');
  assert.equal(find.attributes['runner.step.kind'], 'tool');
  assert.equal(find.attributes['runner.step.index'], 0);
  assert.equal(find.attributes['runner.step.status'], 'succeeded');
  const search = childNamed(spans, find, 'execute_tool CONFLUENCE_SEARCH_CONTENT');
  assert.equal(search.attributes['gen_ai.tool.name'], 'CONFLUENCE_SEARCH_CONTENT');
  assert.equal(search.attributes['runner.tool.effect'], 'read');
  assert.equal(search.attributes['runner.tool.status'], 'ok');
  assert.equal(typeof search.attributes['runner.tool.duration_ms'], 'number');

  // The prompt step: the agent, its turns, each model request (the failed one too) and the tool call under them.
  const ask = childNamed(spans, root, 'step ask');
  assert.equal(ask.attributes['runner.step.kind'], 'prompt');
  assert.equal(ask.attributes['runner.step.turns'], 2);
  assert.equal(ask.attributes['runner.model.retries'], 1);
  assert.equal(ask.attributes['gen_ai.usage.input_tokens'], 444);
  assert.deepEqual(
    ask.events.map((e) => [e.name, e.attributes['runner.model.retry'], e.attributes['http.response.status_code']]),
    [['model_retry', 1, 503]],
  );
  const agent = childNamed(spans, ask, 'invoke_agent traced');
  assert.equal(agent.attributes['gen_ai.agent.name'], 'traced');
  const requests = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat').sort((a, b) => a.startMs - b.startMs);
  assert.equal(requests.length, 3, 'the failed request, its retry, and the second turn');
  for (const request of requests) {
    assert.ok(isUnder(spans, request, agent), `${request.name} is under the agent`);
    assert.equal(request.name, `chat ${run.model}`);
    assert.equal(request.attributes['gen_ai.request.model'], run.model);
    assert.equal(request.attributes['runner.step.id'], 'ask');
  }
  const [failed, retried, second] = requests as [ReceivedSpan, ReceivedSpan, ReceivedSpan];
  assert.equal(failed.statusCode, 2, 'the 503 is an error');
  assert.equal(failed.attributes['gen_ai.usage.input_tokens'], undefined);
  assert.deepEqual(
    [retried.attributes['runner.model.retry'], retried.attributes['http.response.status_code'], retried.statusCode],
    [1, 503, 0],
    'the retry says which retry it is and what it repeats',
  );
  assert.deepEqual([retried.attributes['gen_ai.usage.input_tokens'], retried.attributes['gen_ai.usage.output_tokens']], [111, 22]);
  assert.deepEqual([second.attributes['gen_ai.usage.input_tokens'], second.attributes['gen_ai.usage.output_tokens']], [333, 44]);
  assert.equal(second.attributes['runner.model.retry'], undefined);
  const calls = spans.filter((s) => s.name === 'execute_tool CONFLUENCE_SEARCH_CONTENT' && isUnder(spans, s, ask));
  assert.equal(calls.length, 1, 'one span per tool call the model made');
  const call = calls[0]!;
  assert.ok(isUnder(spans, call, agent));
  assert.equal(spans.find((s) => s.spanId === call.parentSpanId)?.name, 'turn 1', 'the call sits in the turn that asked for it');
  assert.deepEqual(
    [call.attributes['runner.tool.effect'], call.attributes['runner.tool.status'], call.attributes['runner.turn'], call.statusCode],
    ['read', 'ok', 1, 0],
  );
  assert.equal(typeof call.attributes['runner.tool.duration_ms'], 'number');

  // Names, counts and timings only: no prompt, answer or tool payload, in attributes or anywhere in the bodies.
  for (const span of spans) for (const name of CONTENT_ATTRIBUTES) assert.equal(span.attributes[name], undefined, `${span.name} carries ${name}`);
  const sent = receiver.bodies.join('\n');
  assert.ok(!sent.includes(PROMPT), 'the prompt was sent');
  assert.ok(!sent.includes('Q3 Bearer'), 'tool arguments were sent');
  assert.doesNotMatch(sent, LEAK);
});

test('RUNNER_TRACE_CONTENT=on: prompts, answers and tool payloads are on the spans, redacted', { timeout: 60_000 }, async (t) => {
  const { spans } = await tracedRun(t, { RUNNER_TRACE_CONTENT: 'on' });
  const ask = spans.find((s) => s.name === 'step ask')!;
  assert.equal(ask.attributes['runner.step.prompt'], PROMPT);
  assert.equal(ask.attributes['runner.step.output'], 'It is Q3 Planning (Bearer [redacted])');
  const call = spans.find((s) => s.name === 'execute_tool CONFLUENCE_SEARCH_CONTENT' && s.attributes['runner.step.id'] === 'ask')!;
  assert.deepEqual(JSON.parse(String(call.attributes['gen_ai.tool.call.arguments'])), { query: 'Q3 Bearer [redacted]', spaceKey: 'PROD' });
  assert.match(String(call.attributes['gen_ai.tool.call.result']), /"totalSize":0/);
  const step = spans.find((s) => s.name === 'execute_tool CONFLUENCE_SEARCH_CONTENT' && s.attributes['runner.step.id'] === 'find')!;
  assert.deepEqual(JSON.parse(String(step.attributes['gen_ai.tool.call.arguments'])), { query: 'Q3 Planning', spaceKey: 'PROD', limit: 5 });
  const requests = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat' && s.statusCode !== 2).sort((a, b) => a.startMs - b.startMs);
  assert.equal(requests.length, 2);
  assert.match(String(requests[0]!.attributes['gen_ai.input.messages']), /Find the Q3 planning page in space PROD/);
  assert.match(String(requests[0]!.attributes['gen_ai.output.messages']), /CONFLUENCE_SEARCH_CONTENT/);
  // The model's own words came back in the second request, unredacted by anyone but the trace.
  assert.match(String(requests[1]!.attributes['gen_ai.input.messages']), /Q3 Bearer \[redacted\]/);
  assert.match(String(requests[1]!.attributes['gen_ai.output.messages']), /It is Q3 Planning \(Bearer \[redacted\]\)/);
  assert.doesNotMatch(receiver.bodies.join('\n'), LEAK, 'a secret reached the collector');
});

test('without OTEL_EXPORTER_OTLP_ENDPOINT: nothing is sent and no OpenTelemetry module is loaded', { timeout: 60_000 }, async (t) => {
  const model = await startModel(t, echoingModel, { apiKey: KEY });
  const before = receiver.requests;
  const hook = new URL('./trace-load-hook.ts', import.meta.url).pathname;
  const res = await ws.cli(['run', file], {
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: model.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    // The exporter's own variable: nothing reads it when the SDK is never loaded.
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    RUNNER_TRACE_CONTENT: 'on',
    NODE_OPTIONS: `--import=${hook}`,
  });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /^otel modules: \[\]$/m);
  assert.equal(receiver.requests, before);
});

test('a collector that does not answer costs one warning line, not the run', { timeout: 60_000 }, async (t) => {
  const model = await startModel(t, echoingModel, { apiKey: KEY });
  const closed = await startTraceReceiver();
  await closed.close();
  const res = await ws.cli(['run', file], { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: model.url, OTEL_EXPORTER_OTLP_ENDPOINT: closed.url });
  assert.equal(res.code, 0, res.stderr);
  assert.ok(looksClean(res.stderr), res.stderr);
  const warnings = res.stderr.split('\n').filter((line) => /traces:|otlp|opentelemetry/i.test(line));
  assert.equal(warnings.length, 1, res.stderr);
  assert.match(warnings[0]!, new RegExp(`^warning: traces: could not send spans to ${closed.url}/v1/traces \\(`));
});
