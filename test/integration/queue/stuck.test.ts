/**
 * Queue mode never leaves a run `running` once its job is gone: a job BullMQ gives up on (its worker died three
 * times: "stalled more than allowable limit") closes its run through the worker that failed it, and the reaper
 * (in every worker, and `runner runs --repair`) closes open runs whose job no longer exists.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { reapOrphans } from '../../../src/queue/reaper.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { SecretRegistry } from '../../../src/shared/secrets.ts';
import { startModel, startSite } from '../e2e/helpers.ts';
import { loadFixture, queueFixture, type Testbed, testbed, until } from './helpers.ts';

let bed: Testbed;
let site: SandboxWithMcp;
before(async () => {
  bed = testbed('stuck');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  await site?.close();
});

test('a run whose worker died three times ends failed (infrastructure) when BullMQ gives up on its job', { timeout: 90_000 }, async (t) => {
  // The model never answers, so every attempt is in flight when its worker is killed.
  const model = await startModel(t, () => ({ hang: true }));
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url, RUNNER_JOB_LOCK: '1s' };
  const enqueued = await bed.cli(['enqueue', queueFixture('create-page.yaml'), '--json'], env);
  assert.equal(enqueued.code, 0, enqueued.stderr);
  const { runId } = JSON.parse(enqueued.stdout) as { runId: string };

  for (let kill = 1; kill <= 3; kill++) {
    const worker = await bed.worker(env);
    await until(
      `attempt ${kill} on a live worker`,
      async () => {
        const run = await bed.store.get(runId);
        return run?.attempts.at(-1)?.worker === worker.identity && run.attempts.at(-1)?.status === 'running';
      },
      30_000,
    );
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  // The next worker's stalled check finds the job a third time and fails it; that worker closes the run.
  const judge = await bed.worker(env);
  const done = await until(
    'the run to be closed',
    async () => {
      const run = await bed.store.get(runId);
      return run && run.status !== 'running' && run.status !== 'queued' ? run : undefined;
    },
    30_000,
  );
  assert.equal(await bed.queue.getJobState(runId), 'failed');
  assert.equal(done.status, 'failed');
  assert.equal(done.error?.kind, 'infrastructure');
  assert.match(done.error!.message, /the queue gave up on the run's job: .*stalled more than allowable limit/);
  assert.ok(
    done.attempts.every((a) => a.status !== 'running'),
    'no attempt is left running',
  );
  await judge.waitFor(new RegExp(`closed run ${runId}: its job failed without it`));
  // Stopped, so no worker takes the job the next test adds to see the reaper leave it alone.
  judge.child.kill('SIGTERM');
  assert.equal(await judge.exited, 0);
});

test('the reaper closes open runs whose job is gone, and leaves runs whose job lives', async () => {
  const workflow = await loadFixture('manual-label.yaml');
  const lifecycle = new RunLifecycle(bed.store, { secrets: new SecretRegistry(), now: () => new Date(Date.now() - 120_000) });
  const fields = (id: string) => ({ id, trigger: { type: 'manual' as const }, inputs: {}, mode: 'live' as const, backend: 'sandbox', model: '' });
  // An orphan: running, but no job was ever added (or it was removed by hand).
  await lifecycle.begin(workflow, fields('orphan-running'));
  await lifecycle.queue(workflow, fields('orphan-queued'));
  // A live one: queued, with its job waiting in the queue.
  await lifecycle.queue(workflow, fields('live-queued'));
  await bed.queue.add(
    workflow.name,
    { workflow: workflow.name, file: workflow.file, hash: workflow.hash, source: workflow.source, runId: 'live-queued' },
    { jobId: 'live-queued' },
  );

  const closed = await reapOrphans(bed.queue, new RunLifecycle(bed.store, { secrets: new SecretRegistry() }));
  assert.deepEqual(closed.map((r) => r.id).sort(), ['orphan-queued', 'orphan-running']);
  for (const id of ['orphan-running', 'orphan-queued']) {
    const run = await bed.store.get(id);
    assert.equal(run?.status, 'failed', id);
    assert.equal(run?.error?.kind, 'infrastructure');
    assert.match(run!.error!.message, /job no longer exists.*closed by the reaper/);
  }
  assert.equal((await bed.store.get('live-queued'))?.status, 'queued');

  // `runner runs --repair` does the same from any machine; a second pass finds nothing left.
  await lifecycle.begin(workflow, fields('orphan-again'));
  const repaired = await bed.cli(['runs', '--repair', '--limit', '50'], { RUNNER_STORE: 'redis' });
  assert.equal(repaired.code, 0, repaired.stderr);
  assert.match(repaired.stderr, /repair: closed run orphan-again \(manual-label\): the run's job no longer exists/);
  assert.equal((await bed.store.get('orphan-again'))?.status, 'failed');
  const again = await bed.cli(['runs', '--repair'], { RUNNER_STORE: 'redis' });
  assert.match(again.stderr, /repair: no abandoned runs/);
  await bed.queue.remove('live-queued');
});
