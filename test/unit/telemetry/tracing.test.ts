/**
 * The attempt observer on its own: run events in, spans out (through the real OpenTelemetry SDK into its in-memory
 * exporter). One trace per attempt whose root only links to the span active when the attempt began, steps and
 * tool calls as children, retries as step events, failures as error statuses, content only when asked and then
 * redacted and cut. The Agents SDK's spans are covered end to end in test/integration/telemetry.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { RunEvents } from '../../../src/runs/events.ts';
import { observeAttempt } from '../../../src/runs/observer.ts';
import type { RunRecord, StepRecord, ToolCallRecord } from '../../../src/runs/types.ts';
import { createRedactor } from '../../../src/shared/redact.ts';
import { runSpans } from '../../../src/telemetry/run-spans.ts';
import { CONTENT_ATTRIBUTES } from '../../../src/telemetry/trace-attributes.ts';
import { CONTENT_MAX_CHARS, contentText } from '../../../src/telemetry/trace-content.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

const SECRET = 'tok-UNIT-SECRET-91';
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('test');
const redact = createRedactor([SECRET]);

before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

const step = (id: string, extra: Partial<StepRecord> = {}): StepRecord => ({
  id,
  kind: 'tool',
  status: 'running',
  toolCalls: [],
  startedAt: '2026-11-27T15:00:00.000Z',
  ...extra,
});
const call: ToolCallRecord = {
  tool: 'CONFLUENCE_ADD_CONTENT_LABEL',
  effect: 'write',
  args: { id: '42', labels: [SECRET] },
  status: 'error',
  error: 'HTTP 500',
  failure: { kind: 'tool', retryable: true, status: 500 },
  result: { ok: false },
  startedAt: '2026-11-27T15:00:01.000Z',
  durationMs: 250,
};

/** Runs one attempt through the observer, emitting `script`'s events on a redacting channel, inside `outer` when given. */
async function attempt(script: (events: RunEvents) => void, options: { content?: boolean; outer?: Span; fail?: Error } = {}) {
  exporter.reset();
  const observe = runSpans({ tracer, content: options.content, redact });
  let active: Span | undefined;
  const go = () =>
    observeAttempt(observe, { source: 'queue', job: { id: 'job-7', name: 'weekly-summary', attempt: 2 } }, async (onEvent) => {
      active = trace.getActiveSpan();
      const events = new RunEvents({ redact });
      if (onEvent) events.onAny(onEvent);
      script(events);
      if (options.fail) throw options.fail;
    });
  const outcome = options.outer ? context.with(trace.setSpan(context.active(), options.outer), go) : go();
  await outcome.catch(() => {});
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  return { spans, active, byName: (name: string) => spans.find((s) => s.name === name) as ReadableSpan };
}

function failedRun(): RunRecord {
  return sampleRun({ status: 'failed', error: { kind: 'tool', message: 'label failed', step: 'label', retryable: true } });
}

test('an attempt is a trace of its own: root active while it runs, linked to the span that was active', async () => {
  const job = tracer.startSpan('process runs');
  const { spans, active, byName } = await attempt(
    (events) => {
      events.emit('run_start', { run: sampleRun({ status: 'running' }), attempt: 2 });
      events.emit('step_start', { step: step('label'), index: 0, total: 1 });
      events.emit('tool_end', { step: 'label', call, links: [] });
      events.emit('step_end', { step: step('label', { status: 'failed', toolCalls: [call], error: { kind: 'tool', message: 'HTTP 500' } }) });
      events.emit('run_end', { run: failedRun() });
    },
    { outer: job },
  );
  job.end();
  const root = byName('run weekly-summary');
  assert.equal(active?.spanContext().spanId, root.spanContext().spanId, 'the root is the active span inside the attempt');
  assert.notEqual(root.spanContext().traceId, job.spanContext().traceId);
  assert.equal(root.parentSpanContext, undefined);
  assert.deepEqual(
    root.links.map((l) => [l.context.spanId, l.attributes]),
    [[job.spanContext().spanId, { 'runner.job.id': 'job-7', 'runner.job.name': 'weekly-summary', 'runner.job.attempt': 2 }]],
  );
  assert.equal(root.attributes['runner.run.attempt'], 2);
  assert.equal(root.attributes['runner.run.status'], 'failed');
  assert.equal(root.attributes['error.type'], 'tool');
  assert.deepEqual(root.status, { code: SpanStatusCode.ERROR, message: 'label failed' });

  const stepSpan = byName('step label');
  assert.equal(stepSpan.parentSpanContext?.spanId, root.spanContext().spanId);
  assert.equal(stepSpan.status.code, SpanStatusCode.ERROR);
  const tool = byName('execute_tool CONFLUENCE_ADD_CONTENT_LABEL');
  assert.equal(tool.parentSpanContext?.spanId, stepSpan.spanContext().spanId);
  assert.deepEqual(
    [tool.attributes['runner.tool.effect'], tool.attributes['runner.tool.status'], tool.attributes['runner.tool.duration_ms'], tool.attributes['error.type']],
    ['write', 'error', 250, 'tool'],
  );
  assert.deepEqual(
    [tool.startTime, tool.duration],
    [
      [Date.parse(call.startedAt) / 1000, 0],
      [0, 250_000_000],
    ],
    'timed as the gateway measured it',
  );
  assert.deepEqual(spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId).length, 3, 'root, step, tool call');
  for (const span of spans) for (const name of CONTENT_ATTRIBUTES) assert.equal(span.attributes[name], undefined);
});

test('retries are events of their step; content is there only when asked, redacted and cut', async () => {
  const long = 'x'.repeat(CONTENT_MAX_CHARS + 10);
  const { byName } = await attempt(
    (events) => {
      events.emit('run_start', { run: sampleRun({ status: 'running' }), attempt: 1 });
      events.emit('step_start', { step: step('gather', { kind: 'prompt' }), index: 0, total: 1 });
      events.emit('model_retry', { step: 'gather', attempt: 1, status: 429, delayMs: 2000 });
      events.emit('tool_end', { step: 'gather', call: { ...call, status: 'ok', result: long }, links: [] });
      events.emit('step_end', { step: step('gather', { kind: 'prompt', status: 'succeeded', prompt: `use ${SECRET}`, output: 'done', modelRetries: 1 }) });
      events.emit('run_end', { run: sampleRun() });
    },
    { content: true },
  );
  const gather = byName('step gather');
  assert.deepEqual(
    gather.events.map((e) => [e.name, e.attributes]),
    [['model_retry', { 'runner.model.retry': 1, 'http.response.status_code': 429, 'runner.model.retry.delay_ms': 2000 }]],
  );
  assert.equal(gather.attributes['runner.model.retries'], 1);
  assert.equal(gather.attributes['runner.step.prompt'], 'use [redacted]');
  assert.equal(gather.attributes['runner.step.output'], 'done');
  const tool = byName('execute_tool CONFLUENCE_ADD_CONTENT_LABEL');
  assert.equal(tool.attributes['gen_ai.tool.call.arguments'], '{"id":"42","labels":["[redacted]"]}');
  assert.equal(String(tool.attributes['gen_ai.tool.call.result']).length, CONTENT_MAX_CHARS + 1);
  assert.equal(byName('run weekly-summary').status.code, SpanStatusCode.UNSET);
});

test('an attempt the engine refuses to start still ends its root, as an error', async () => {
  const { spans } = await attempt(() => {}, { fail: new Error(`bad input ${SECRET}`) });
  assert.equal(spans.length, 1);
  assert.equal(spans[0]!.name, 'run weekly-summary', 'named after the job');
  assert.deepEqual(spans[0]!.status, { code: SpanStatusCode.ERROR, message: 'bad input [redacted]' });
});

test('content values: redacted before they are cut, JSON unless text', () => {
  assert.equal(contentText({ a: SECRET }, redact), '{"a":"[redacted]"}');
  assert.equal(contentText(`${'y'.repeat(CONTENT_MAX_CHARS - 3)}${SECRET}`, redact), `${'y'.repeat(CONTENT_MAX_CHARS - 3)}[re…`);
  assert.equal(contentText(undefined, redact), undefined);
});
