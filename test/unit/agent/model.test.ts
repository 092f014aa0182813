import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner, type RetryPolicyContext } from '@openai/agents';
import { createModel, modelApi, requireModelConfig, type CreateModelOptions } from '../../../src/agent/model.ts';
import { ObservedModel } from '../../../src/agent/observed-model.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { ExternalError, UserError } from '../../../src/shared/errors.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';

const runner = new Runner({ tracingDisabled: true });
let dir: string;
let server: ScriptedModelServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'model-'));
  server = await startScriptedModelServer({ script: () => ({ text: 'fine', usage: { inputTokens: 1, outputTokens: 1 } }) });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (env: Record<string, string>) => loadConfig({ env, cwd: dir });

describe('modelApi', () => {
  test('auto: Chat Completions for an OPENAI_BASE_URL server, Responses for OpenAI itself', () => {
    assert.equal(modelApi(config({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' })), 'chat');
    assert.equal(modelApi(config({ OPENAI_API_KEY: 'sk-x' })), 'responses');
    assert.equal(modelApi(config({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', RUNNER_OPENAI_API: 'auto' })), 'chat');
  });

  test('RUNNER_OPENAI_API overrides the guess either way', () => {
    assert.equal(modelApi(config({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', RUNNER_OPENAI_API: 'responses' })), 'responses');
    assert.equal(modelApi(config({ OPENAI_API_KEY: 'sk-x', RUNNER_OPENAI_API: 'chat' })), 'chat');
  });
});

describe('requireModelConfig', () => {
  test('a configuration without key or base URL is a one-line user error saying what to set', () => {
    assert.throws(
      () => requireModelConfig(config({})),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.equal(
          error.message,
          'no model configured: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (an OpenAI-compatible server such as Ollama or vLLM), in the environment or .env',
        );
        return true;
      },
    );
    assert.throws(() => createModel(config({}), 'gpt-5'), UserError);
  });

  test('either a key or a base URL is enough', () => {
    requireModelConfig(config({ OPENAI_API_KEY: 'sk-x' }));
    requireModelConfig(config({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }));
  });

  test('an OPENAI_BASE_URL that is no http(s) URL is a one-line user error', () => {
    for (const url of ['127.0.0.1:11434/v1', 'localhost', 'ftp://example.com/v1']) {
      assert.throws(
        () => requireModelConfig(config({ OPENAI_BASE_URL: url })),
        (error: unknown) => {
          assert.ok(error instanceof UserError);
          assert.equal(error.message, `OPENAI_BASE_URL '${url}' is not an http(s) URL; give the server's API root, like http://127.0.0.1:11434/v1`);
          return true;
        },
      );
    }
  });
});

describe('createModel', () => {
  test('builds the model of the chosen API with the configured retries and timeout', () => {
    const chat = createModel(config({ OPENAI_BASE_URL: server.url, RUNNER_MODEL_RETRIES: '7', RUNNER_MODEL_TIMEOUT: '45s' }), 'llama3');
    assert.equal(chat.api, 'chat');
    assert.equal(chat.name, 'llama3');
    assert.ok(chat.model instanceof OpenAIChatCompletionsModel);
    assert.equal(chat.settings.timeoutMs, 45_000);
    assert.equal(chat.settings.retry?.maxRetries, 7);
    const responses = createModel(config({ OPENAI_API_KEY: 'sk-x' }), 'gpt-5');
    assert.equal(responses.api, 'responses');
    assert.ok(responses.model instanceof OpenAIResponsesModel);
    assert.equal(responses.settings.retry?.maxRetries, 4, 'RUNNER_MODEL_RETRIES defaults to 4');
  });

  /** Runs one single-turn agent on the scripted server with the model's own settings (inside an ObservedModel, as steps do). */
  async function ask(env: Record<string, string>, options: Omit<CreateModelOptions, 'onRetry'> = {}) {
    const retries: RetryPolicyContext[] = [];
    const choice = createModel(config({ OPENAI_BASE_URL: server.url, ...env }), 'scripted', { onRetry: (c) => retries.push(c), ...options });
    // Backoff without Retry-After is the policy's own business; keep it short here.
    choice.settings.retry!.backoff = { initialDelayMs: 1, maxDelayMs: 1, jitter: false };
    const agent = new Agent({ name: 'retry', model: new ObservedModel(choice.model), modelSettings: choice.settings });
    const before = server.requests.length;
    const outcome = await runner.run(agent, 'hello').then(
      (r) => ({ output: r.finalOutput, error: undefined }),
      (error: unknown) => ({ output: undefined, error }),
    );
    return { ...outcome, retries, statuses: server.requests.slice(before).map((r) => r.status) };
  }

  test('a 429 with Retry-After 0 is retried at once and reported through onRetry', async () => {
    server.failNext(1, { status: 429, retryAfterSeconds: 0, message: 'slow down' });
    const { output, retries, statuses } = await ask({});
    assert.equal(output, 'fine');
    assert.deepEqual(statuses, [429, 200]);
    assert.equal(retries.length, 1);
    assert.equal(retries[0]!.normalized.statusCode, 429);
    assert.equal(retries[0]!.normalized.retryAfterMs, 0);
  });

  test('5xx answers are retried too', async () => {
    server.failNext(2, { status: 503, retryAfterSeconds: 0 });
    const { output, statuses, retries } = await ask({});
    assert.equal(output, 'fine');
    assert.deepEqual(statuses, [503, 503, 200]);
    assert.equal(retries.length, 2);
  });

  test('a 400 is not retried', async () => {
    server.failNext(1, { status: 400, message: 'bad request' });
    const { error, retries, statuses } = await ask({});
    assert.ok(error, 'the run fails');
    assert.equal((error as { status?: number }).status, 400);
    assert.deepEqual(statuses, [400]);
    assert.equal(retries.length, 0);
  });

  test('retries stop after RUNNER_MODEL_RETRIES', async () => {
    server.setOutage({ status: 503, retryAfterSeconds: 0, message: 'down' });
    try {
      const { error, statuses } = await ask({ RUNNER_MODEL_RETRIES: '2' });
      assert.equal((error as { status?: number }).status, 503);
      assert.deepEqual(statuses, [503, 503, 503], 'one request and two retries');
      const none = await ask({ RUNNER_MODEL_RETRIES: '0' });
      assert.deepEqual(none.statuses, [503]);
      assert.equal(none.retries.length, 0);
    } finally {
      server.setOutage(undefined);
    }
  });

  test('an answer that cannot be read or holds nothing is retried like a 5xx', async () => {
    for (const api of ['chat', 'responses']) {
      server.failNext(1, { malformed: 'truncated' });
      server.failNext(1, { malformed: 'empty' });
      const { output, statuses, retries } = await ask({ RUNNER_OPENAI_API: api });
      assert.equal(output, 'fine', api);
      assert.deepEqual(statuses, [200, 200, 200]);
      assert.equal(retries.length, 2);
      assert.ok(retries.every((r) => r.error instanceof ExternalError && r.error.kind === 'model'));
    }
  });

  test("a Retry-After beyond the run's deadline fails at once, saying how long was asked and how long is left", async () => {
    server.failNext(1, { status: 429, retryAfterSeconds: 600, message: 'quota window' });
    const now = 1_800_000_000_000;
    // The injected clock never moves: only a refusal to wait can end this call (a sleep would outlast the test).
    const { error, statuses, retries } = await ask({}, { deadline: now + 130_000, now: () => now });
    assert.ok(error instanceof ExternalError, String(error));
    assert.equal(error.kind, 'model');
    assert.equal(error.message, 'the model server asked to wait 600 s (Retry-After, HTTP 429), beyond the 2m10s left of limits.timeout');
    assert.equal(error.retryable, true);
    assert.equal(error.status, 429);
    assert.deepEqual(statuses, [429]);
    assert.equal(retries.length, 0, 'not counted as a retry');
  });

  test('a Retry-After within the deadline is waited and retried', async () => {
    server.failNext(1, { status: 503, retryAfterSeconds: 1 });
    const { output, statuses, retries } = await ask({}, { deadline: Date.now() + 60_000 });
    assert.equal(output, 'fine');
    assert.deepEqual(statuses, [503, 200]);
    assert.equal(retries[0]!.normalized.retryAfterMs, 1000);
  });

  test("nothing is retried once the run's signal has aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    server.failNext(1, { status: 429, retryAfterSeconds: 0 });
    const { error, statuses, retries } = await ask({}, { signal: controller.signal });
    assert.equal((error as { status?: number }).status, 429);
    assert.deepEqual(statuses, [429]);
    assert.equal(retries.length, 0);
  });
});
