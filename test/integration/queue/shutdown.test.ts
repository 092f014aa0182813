/**
 * Queue mode, graceful shutdown of a worker process: on SIGTERM it takes no new job, lets the run in flight finish
 * within RUNNER_SHUTDOWN_GRACE and exits 0. A run still going when the grace period ends is recorded cancelled and
 * its job goes back to the queue, where another worker picks it up and completes it as a second attempt.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { startModel, startSite } from '../e2e/helpers.ts';
import { queueFixture, testbed, until, type Testbed } from './helpers.ts';

let bed: Testbed;
let site: SandboxWithMcp;
before(async () => {
  bed = testbed('shutdown');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  await site?.close();
});

/** Enqueues a two-prompts run through the CLI; answers its run id. */
async function enqueue(env: Record<string, string>): Promise<string> {
  const result = await bed.cli(['enqueue', queueFixture('two-prompts.yaml'), '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { runId: string }).runId;
}

test('SIGTERM: the worker takes no new job, the run in flight finishes complete, the process exits 0', { timeout: 30_000 }, async (t) => {
  const model = await startModel(t, () => ({ text: 'Hello, team.' }), { latencyMs: 1500 });
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url };
  const worker = await bed.worker(env);
  const first = await enqueue(env);
  const second = await enqueue(env);
  await until('the first model request of the run', () => model.requests.length >= 1);
  assert.equal((await bed.store.get(first))?.status, 'running');
  assert.equal(await bed.queue.getJobState(second), 'waiting', 'concurrency 1: the second run waits');

  worker.child.kill('SIGTERM');
  await worker.waitFor(/SIGTERM: no new jobs; 1 run\(s\) in flight get 1m to finish/);
  assert.equal(await worker.exited, 0);
  assert.ok(
    worker.lines.some((l) => l.endsWith(`finished two-prompts: succeeded (run ${first})`)),
    worker.lines.join('\n'),
  );
  assert.match(worker.lines.at(-1) ?? '', /worker stopped$/);

  const run = (await bed.store.get(first))!;
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.ok(run.endedAt);
  assert.equal(run.attempts.length, 1);
  assert.equal(run.attempts[0]!.status, 'succeeded');
  assert.ok(run.attempts[0]!.endedAt);
  assert.deepEqual(
    run.attempts[0]!.steps.map((s) => [s.id, s.status, Boolean(s.endedAt)]),
    [
      ['draft', 'succeeded', true],
      ['shorten', 'succeeded', true],
    ],
  );
  assert.deepEqual(run.outputs, { draft: 'Hello, team.', shorten: 'Hello, team.' });
  assert.deepEqual(
    model.requests.map((r) => r.status),
    [200, 200],
    'both requests were answered, none cut off',
  );
  assert.equal(await bed.queue.getJobState(first), 'completed');

  // Nothing took the second run: it is still queued for the next worker.
  assert.equal(await bed.queue.getJobState(second), 'waiting');
  assert.equal((await bed.store.get(second))?.status, 'queued');
  await bed.queue.remove(second);
});

test('past RUNNER_SHUTDOWN_GRACE the run is cancelled and its job re-queued; another worker completes it', { timeout: 30_000 }, async (t) => {
  let delayMs = 10_000;
  const hold = new AbortController();
  t.after(() => hold.abort());
  const model = await startModel(t, async () => {
    await sleep(delayMs, undefined, { signal: hold.signal }).catch(() => undefined);
    return { text: 'Hello, team.' };
  });
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url };
  const impatient = await bed.worker({ ...env, RUNNER_SHUTDOWN_GRACE: '300ms' });
  const runId = await enqueue(env);
  await until('the first model request of the run', () => model.requests.length >= 1);
  assert.equal((await bed.store.get(runId))?.status, 'running');

  impatient.child.kill('SIGTERM');
  assert.equal(await impatient.exited, 0);
  assert.ok(
    impatient.lines.some((l) => l.endsWith('grace period over: cancelling 1 run(s)')),
    impatient.lines.join('\n'),
  );
  const cancelled = (await bed.store.get(runId))!;
  assert.equal(cancelled.status, 'cancelled');
  assert.deepEqual(
    cancelled.attempts.map((a) => [a.status, a.worker]),
    [['cancelled', impatient.identity]],
  );
  assert.equal(cancelled.error?.kind, 'cancelled');
  assert.equal(await bed.queue.getJobState(runId), 'waiting', 'the job is back in the queue');

  delayMs = 0;
  const next = await bed.worker(env);
  const done = await until('the run to finish on the second worker', async () => {
    const run = await bed.store.get(runId);
    return run?.status === 'succeeded' || run?.status === 'failed' ? run : undefined;
  });
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  assert.deepEqual(
    done.attempts.map((a) => [a.number, a.status, a.worker]),
    [
      [1, 'cancelled', impatient.identity],
      [2, 'succeeded', next.identity],
    ],
  );
  assert.equal(done.error, undefined);
  await until('the job to complete', async () => (await bed.queue.getJobState(runId)) === 'completed');
});
