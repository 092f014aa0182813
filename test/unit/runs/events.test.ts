import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type RunEvent, RunEvents } from '../../../src/runs/events.ts';
import type { ToolCallRecord } from '../../../src/runs/types.ts';
import { createRedactor, type Redactor } from '../../../src/shared/redact.ts';

const SECRET = 'tok-events-0123456789';

const call: ToolCallRecord = {
  tool: 'CONFLUENCE_CREATE_PAGE',
  effect: 'write',
  args: { title: `key ${SECRET}` },
  status: 'ok',
  startedAt: '2025-03-07T15:00:00.000Z',
  durationMs: 3,
};

/** A redactor over `secrets` that counts how often it runs. */
function counting(secrets: string[] = [SECRET]): { redact: Redactor; calls: () => number } {
  const inner = createRedactor(secrets);
  let n = 0;
  const redact: Redactor = (value) => {
    n++;
    return inner(value);
  };
  return { redact, calls: () => n };
}

describe('RunEvents', () => {
  test('on() hears only its type, with the typed payload; onAny() hears everything, in emit order', () => {
    const events = new RunEvents();
    const turns: number[] = [];
    const all: string[] = [];
    events.on('turn', (event) => turns.push(event.turn + event.usage.inputTokens));
    events.onAny((event) => all.push(event.type));
    events.emit('turn', { step: 's', turn: 1, usage: { requests: 1, inputTokens: 10, outputTokens: 2 } });
    events.emit('model_retry', { step: 's', attempt: 1, status: 429 });
    events.emit('turn', { step: 's', turn: 2, usage: { requests: 1, inputTokens: 20, outputTokens: 2 } });
    assert.deepEqual(turns, [11, 22]);
    assert.deepEqual(all, ['turn', 'model_retry', 'turn']);
  });

  test('the event is the payload with its type', () => {
    const events = new RunEvents();
    const seen: RunEvent[] = [];
    events.onAny((event) => seen.push(event));
    events.emit('tool_end', { step: 'publish', call, links: ['https://site/1'] });
    assert.deepEqual(seen, [{ type: 'tool_end', step: 'publish', call, links: ['https://site/1'] }]);
  });

  test('the functions on() and onAny() return stop listening; others keep listening', () => {
    const events = new RunEvents();
    const heard: string[] = [];
    const stopA = events.on('model_retry', () => heard.push('a'));
    events.on('model_retry', () => heard.push('b'));
    const stopAny = events.onAny(() => heard.push('any'));
    events.emit('model_retry', { step: 's', attempt: 1 });
    stopA();
    stopAny();
    events.emit('model_retry', { step: 's', attempt: 2 });
    assert.deepEqual(heard, ['a', 'b', 'any', 'b']);
  });

  test('payloads are redacted once, before any listener sees them, and the emitted object is left alone', () => {
    const { redact, calls } = counting();
    const events = new RunEvents({ redact });
    const seen: RunEvent[] = [];
    events.on('tool_end', (event) => seen.push(event));
    events.on('tool_end', (event) => seen.push(event));
    events.onAny((event) => seen.push(event));
    const payload = { step: 'publish', call, links: [`https://site/${SECRET}`] };
    events.emit('tool_end', payload);
    assert.equal(calls(), 1, 'three listeners, one redaction');
    assert.equal(seen.length, 3);
    for (const event of seen) {
      assert.equal(JSON.stringify(event).includes(SECRET), false);
      assert.equal(event.type === 'tool_end' && (event.call.args as { title: string }).title, 'key [redacted]');
      assert.deepEqual(event.type === 'tool_end' && event.links, ['https://site/[redacted]']);
    }
    assert.equal((payload.call.args as { title: string }).title, `key ${SECRET}`, 'the producer keeps its own object');
  });

  test('a listener that throws stops neither the other listeners nor the producer', () => {
    const events = new RunEvents();
    const heard: string[] = [];
    events.on('step_end', () => {
      throw new Error('progress output broke');
    });
    events.on('step_end', () => heard.push('typed'));
    events.onAny(() => {
      throw new Error('metrics broke');
    });
    events.onAny(() => heard.push('any'));
    const step = { id: 's', kind: 'tool' as const, status: 'succeeded' as const, toolCalls: [], startedAt: '2025-03-07T15:00:00.000Z' };
    assert.doesNotThrow(() => events.emit('step_end', { step }));
    assert.deepEqual(heard, ['typed', 'any']);
  });

  test('nothing is redacted when nobody listens to the event', () => {
    const { redact, calls } = counting();
    const events = new RunEvents({ redact });
    events.emit('turn', { step: 's', turn: 1, usage: { requests: 1, inputTokens: 1, outputTokens: 1 } });
    assert.equal(calls(), 0, 'no listeners at all');
    const stop = events.on('model_retry', () => {});
    events.emit('turn', { step: 's', turn: 2, usage: { requests: 1, inputTokens: 1, outputTokens: 1 } });
    assert.equal(calls(), 0, 'listeners of other events only');
    events.emit('model_retry', { step: 's', attempt: 1 });
    assert.equal(calls(), 1, 'a listener of this event');
    stop();
    events.emit('model_retry', { step: 's', attempt: 2 });
    assert.equal(calls(), 1, 'that listener stopped');
  });
});
