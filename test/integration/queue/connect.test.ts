/**
 * Queue mode: a run whose Composio user has no Confluence connection fails with kind `auth` on its first attempt
 * and is not retried, though the workflow asks for three attempts; no model request is spent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { weeklySummaryScript } from '../../fixtures/model-scripts.ts';
import { WORKFLOWS, startModel } from '../e2e/helpers.ts';
import { testbedWithSite, until } from './helpers.ts';

const parts = testbedWithSite('connect');
const { bed } = parts;

test('a run without a Confluence connection fails once with kind auth and is not retried', { timeout: 60_000 }, async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const env = {
    OPENAI_BASE_URL: model.url,
    RUNNER_BACKEND: 'composio',
    COMPOSIO_API_KEY: parts.site.toolRouterApiKey,
    COMPOSIO_BASE_URL: parts.site.url,
    COMPOSIO_USER_ID: 'queue-user-without-connection',
  };
  await bed.worker(env);
  const queued = await bed.cli(['enqueue', WORKFLOWS.weeklySummary, '--json'], env);
  assert.equal(queued.code, 0, queued.stderr);
  const { runId } = JSON.parse(queued.stdout) as { runId: string };
  const run = await until('the run to fail', async () => {
    const record = await bed.store.get(runId);
    return record?.status === 'failed' ? record : undefined;
  });
  assert.equal(run.error?.kind, 'auth');
  assert.equal(run.error?.retryable, false);
  assert.match(run.error?.message ?? '', /runner connect --user queue-user-without-connection/);
  // The state first, then the job: a job read while still active keeps attemptsMade 0 however its state moves on.
  const job = await until('the job to fail', async () => ((await bed.queue.getJobState(runId)) === 'failed' ? bed.queue.getJob(runId) : undefined));
  assert.equal(job.attemptsMade, 1, 'one attempt of three: not retried');
  assert.equal(job.opts.attempts, 3);
  assert.equal(run.attempts.length, 1);
  assert.equal(model.requests.length, 0);
});
