import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { MaxTurnsExceededError, ModelBehaviorError, ModelTimeoutError } from '@openai/agents';
import { StepFailure, StopReason, classifyFailure } from '../../../src/engine/failure.ts';
import { ExternalError, UserError } from '../../../src/shared/errors.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';

const SECRET = 'sk-failure-secret-42';
const live = new AbortController().signal;

let server: ScriptedModelServer;
before(async () => {
  server = await startScriptedModelServer({ script: [{ text: 'unused' }] });
});
after(async () => {
  await server.close();
});

/** The error the real OpenAI client throws when the server answers `status`. */
async function httpError(status: number, message: string): Promise<unknown> {
  server.failNext(1, { status, message, retryAfterSeconds: 0 });
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.url, maxRetries: 0 });
  try {
    await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'hi' }] });
  } catch (error) {
    return error;
  }
  throw new Error('the request was expected to fail');
}

describe('classifyFailure', () => {
  test("a StopReason on the run's aborted signal wins over the error thrown", () => {
    const controller = new AbortController();
    controller.abort(new StopReason({ kind: 'limit', message: 'the run took longer than limits.timeout (1s)', retryable: false }));
    const failure = classifyFailure(new UserError('something else'), 'gather', controller.signal);
    assert.deepEqual(failure, { kind: 'limit', message: 'the run took longer than limits.timeout (1s)', retryable: false, step: 'gather' });
    const cancelled = new AbortController();
    cancelled.abort(new StopReason({ kind: 'cancelled', message: 'the run was cancelled', retryable: false }));
    assert.equal(classifyFailure(new Error('AbortError'), undefined, cancelled.signal).kind, 'cancelled');
  });

  test('an abort for another reason does not hide the error', () => {
    const controller = new AbortController();
    controller.abort(new Error('not ours'));
    assert.equal(classifyFailure(new UserError('bad'), 's', controller.signal).kind, 'validation');
  });

  test("a StepFailure carries the engine's own failure", () => {
    const failure = classifyFailure(new StepFailure({ kind: 'assertion', message: 'assertion failed: x', retryable: false }), 'label', live);
    assert.deepEqual(failure, { kind: 'assertion', message: 'assertion failed: x', retryable: false, step: 'label' });
  });

  test('MaxTurnsExceededError is a limit, not worth retrying', () => {
    assert.deepEqual(classifyFailure(new MaxTurnsExceededError('Max turns (3) exceeded'), 'gather', live), {
      kind: 'limit',
      message: 'the model used all its turns (limits.max_turns) without a final answer',
      retryable: false,
      step: 'gather',
    });
  });

  test('model timeouts and misbehaviour are retryable model failures', () => {
    const timeout = classifyFailure(new ModelTimeoutError({ timeoutMs: 1000 }), 's', live);
    assert.equal(timeout.kind, 'model');
    assert.equal(timeout.retryable, true);
    assert.match(timeout.message, /^the model did not answer in time: /);
    const behaviour = classifyFailure(new ModelBehaviorError(`tool args not JSON: ${SECRET}`), 's', live);
    assert.deepEqual(behaviour, { kind: 'model', message: `the model misbehaved: tool args not JSON: ${SECRET}`, retryable: true, step: 's' });
  });

  test('a UserError is a validation failure; messages stay as thrown (the run store redacts them)', () => {
    const failure = classifyFailure(new UserError(`cannot render p: bad ${SECRET}`), 'p', live);
    assert.deepEqual(failure, { kind: 'validation', message: `cannot render p: bad ${SECRET}`, retryable: false, step: 'p' });
  });

  test('an ExternalError keeps its retryability; model errors stay model, the rest are tool failures', () => {
    assert.deepEqual(classifyFailure(new ExternalError('tool', `cannot connect ${SECRET}`, { retryable: true }), undefined, live), {
      kind: 'tool',
      message: `cannot connect ${SECRET}`,
      retryable: true,
    });
    assert.deepEqual(classifyFailure(new ExternalError('model', 'quota gone', { retryable: false }), 's', live), {
      kind: 'model',
      message: 'quota gone',
      retryable: false,
      step: 's',
    });
  });

  test('HTTP errors of the model server: 429 and 5xx are retryable, other 4xx are not', async () => {
    const limited = classifyFailure(await httpError(429, 'Rate limit reached'), 'gather', live);
    assert.deepEqual(limited, { kind: 'model', message: 'the model server answered HTTP 429: 429 Rate limit reached', retryable: true, step: 'gather' });
    const down = classifyFailure(await httpError(503, 'overloaded'), 'gather', live);
    assert.equal(down.retryable, true);
    assert.match(down.message, /^the model server answered HTTP 503: /);
    const bad = classifyFailure(await httpError(400, `bad request with ${SECRET}`), 'gather', live);
    assert.deepEqual(bad, { kind: 'model', message: `the model server answered HTTP 400: 400 bad request with ${SECRET}`, retryable: false, step: 'gather' });
    assert.equal(classifyFailure(await httpError(401, 'Incorrect API key'), 'g', live).retryable, false);
  });

  test('a model server that cannot be reached is a retryable model failure', async () => {
    const closed = await startScriptedModelServer({ script: [] });
    await closed.close();
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: closed.url, maxRetries: 0 });
    const error = await client.models.list().then(
      () => undefined,
      (e: unknown) => e,
    );
    const failure = classifyFailure(error, 'g', live);
    assert.equal(failure.kind, 'model');
    assert.equal(failure.retryable, true);
    assert.match(failure.message, /^cannot reach the model server: /);
  });

  test('anything else is an internal error, first line only, without a step when none ran', () => {
    assert.deepEqual(classifyFailure(new TypeError(`x is undefined ${SECRET}\n    at somewhere`), undefined, live), {
      kind: 'internal',
      message: `internal error: x is undefined ${SECRET}`,
      retryable: false,
    });
    assert.deepEqual(classifyFailure('a string was thrown', 's', live), {
      kind: 'internal',
      message: 'internal error: a string was thrown',
      retryable: false,
      step: 's',
    });
  });
});
