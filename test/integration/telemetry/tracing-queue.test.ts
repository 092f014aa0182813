/**
 * OpenTelemetry traces in queue mode, end to end on the real Redis (a unique RUNNER_QUEUE_PREFIX): `runner enqueue`
 * and a `runner worker` child both export to a real OTLP/HTTP receiver. BullMQ's job spans form one trace (the
 * enqueue's `add` span is the parent of the worker's `process` span, carried in the job); the attempt is a trace of
 * its own whose root links to that `process` span, with the job's id, name and attempt.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { testbed, until } from '../queue/helpers.ts';
import { startModel } from '../e2e/helpers.ts';
import { type ReceivedSpan, startTraceReceiver, type TraceReceiver } from './trace-receiver.ts';

const bed = testbed('traces');
let receiver: TraceReceiver;
let file: string;
before(async () => {
  receiver = await startTraceReceiver();
  file = join(bed.ws.dir, 'queued.yaml');
  writeFileSync(
    file,
    `version: 1
name: queued-traced
tools:
  allow:
    - CONFLUENCE_SEARCH_CONTENT
steps:
  - id: ask
    prompt: Find the Q3 planning page in space PROD.
`,
  );
});
after(async () => {
  await bed.close();
  await receiver?.close();
});

test('a queued run: the job trace (enqueue → process) and the attempt trace, linked', { timeout: 90_000 }, async (t) => {
  const model = await startModel(t, (request) =>
    request.turn === 0
      ? {
          toolCalls: [{ name: 'CONFLUENCE_SEARCH_CONTENT', arguments: { query: 'Q3 Planning', spaceKey: 'PROD' } }],
          usage: { inputTokens: 10, outputTokens: 5 },
        }
      : { text: 'Q3 Planning', usage: { inputTokens: 20, outputTokens: 7 } },
  );
  const env = { OPENAI_BASE_URL: model.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'runner-queue-test' };
  const worker = await bed.worker(env);
  const queued = await bed.cli(['enqueue', file], env);
  assert.equal(queued.code, 0, queued.stderr);
  const runId = queued.stdout.trim();

  const root = await until(
    'the attempt span',
    () => receiver.spans.find((s) => s.name === 'run queued-traced' && s.attributes['runner.run.id'] === runId),
    30_000,
  );
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0);
  const run = await bed.store.get(runId);
  assert.equal(run?.status, 'succeeded', JSON.stringify(run?.error));

  // BullMQ's spans: the enqueue's add, then the worker's process under it, in the trace the job carried.
  const jobSpans = receiver.spans.filter((s) => s.scope === 'bullmq' && s.attributes['bullmq.job.id'] === runId);
  const add = one(jobSpans, (s) => s.attributes['bullmq.queue.operation'] === 'add', 'add');
  const processed = one(jobSpans, (s) => s.attributes['bullmq.queue.operation'] === 'process', 'process');
  assert.equal(processed.traceId, add.traceId, 'the job carried the trace context from the enqueue to the worker');
  assert.equal(processed.parentSpanId, add.spanId);
  assert.equal(add.service, 'runner-queue-test');

  // The attempt: a trace of its own, whose root links to the job's process span.
  assert.equal(root.parentSpanId, '');
  assert.notEqual(root.traceId, processed.traceId, 'one trace per attempt, not one per job');
  assert.deepEqual(root.links, [
    {
      traceId: processed.traceId,
      spanId: processed.spanId,
      attributes: { 'runner.job.id': runId, 'runner.job.name': 'queued-traced', 'runner.job.attempt': 1 },
    },
  ]);
  assert.deepEqual(
    [root.attributes['runner.source'], root.attributes['runner.job.id'], root.attributes['runner.run.attempt'], root.attributes['runner.run.status']],
    ['queue', runId, 1, 'succeeded'],
  );
  const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
  const step = one(spans, (s) => s.name === 'step ask' && s.parentSpanId === root.spanId, 'step ask');
  const requests = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
  assert.deepEqual(requests.map((s) => s.attributes['gen_ai.usage.output_tokens']).sort(), [5, 7]);
  const call = one(spans, (s) => s.name === 'execute_tool CONFLUENCE_SEARCH_CONTENT', 'tool call');
  assert.deepEqual([call.attributes['runner.tool.effect'], call.attributes['runner.tool.status']], ['read', 'ok']);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (const span of [...requests, call]) {
    let up = byId.get(span.parentSpanId);
    while (up && up.spanId !== step.spanId) up = byId.get(up.parentSpanId);
    assert.ok(up, `${span.name} is under the step`);
  }
});

function one(spans: ReceivedSpan[], match: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const found = spans.filter(match);
  assert.equal(found.length, 1, `${what}: ${found.length} spans (${spans.map((s) => s.name).join(', ')})`);
  return found[0]!;
}
