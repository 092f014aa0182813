/**
 * Queue mode, `runner rerun --enqueue`: the job carries the trigger and run.scheduled_at, so a real worker process
 * runs it as a re-run of the original with the original's scheduled_at; the original lists it, in whichever store
 * it lives (RUNNER_DB here, the shared store with RUNNER_STORE=redis).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord } from '../../../src/runs/types.ts';
import { AT, fixture, runIdOf, stepsOf } from '../e2e/helpers.ts';
import { testbedWithSite, until } from './helpers.ts';

const parts = testbedWithSite('rerun');
const { bed } = parts;

const AT_ISO = new Date(AT).toISOString();

/** The shared store's record once the run has ended. */
function ended(id: string): Promise<RunRecord> {
  return until(`run ${id} to end`, async () => {
    const run = await bed.store.get(id);
    return run && ['succeeded', 'failed', 'cancelled'].includes(run.status) && run;
  });
}

test("rerun --enqueue: a worker runs it as a re-run with the original's scheduled_at; both records link", { timeout: 40_000 }, async () => {
  const env = { RUNNER_SANDBOX_URL: parts.site.url };
  const first = await bed.cli(['run', fixture('rerun-label.yaml'), '--input', 'title=No Such Page', '--input', 'label=queued-rerun', '--at', AT], env);
  assert.equal(first.code, 1, first.stderr);
  const originalId = runIdOf(first.stdout);
  const worker = await bed.worker(env);

  const queued = await bed.cli(['rerun', originalId.slice(0, 8), '--enqueue', '--json', '--input', 'title=Q3 Planning'], { ...env, RUNNER_STORE: 'sqlite' });
  assert.equal(queued.code, 0, queued.stderr);
  const printed = JSON.parse(queued.stdout) as { runId: string; workflow: string; rerunOf: string };
  assert.deepEqual({ ...printed, runId: '' }, { runId: '', workflow: 'rerun-label', rerunOf: originalId });
  const job = await bed.queue.getJob(printed.runId);
  assert.equal(job?.data.rerunOf, originalId, 'the job carries the trigger');
  assert.equal(job?.data.scheduledAt, AT_ISO, 'and the scheduled_at');

  const rerun = await ended(printed.runId);
  assert.equal(rerun.status, 'succeeded', JSON.stringify(rerun.error));
  assert.equal(rerun.attempts[0]!.worker, worker.identity);
  assert.deepEqual(rerun.trigger, { type: 'rerun', of: originalId });
  assert.equal(rerun.scheduledAt, AT_ISO);
  assert.equal(stepsOf(rerun)[0]!.title, `rerun at ${AT_ISO}: find Q3 Planning`);
  assert.deepEqual(rerun.inputs, { title: 'Q3 Planning', label: 'queued-rerun' });
  const original = await bed.ws.run(originalId);
  assert.deepEqual(original?.reruns, [printed.runId], 'the original (in RUNNER_DB) lists it');
  assert.equal(rerun.workflowHash, original?.workflowHash);

  // A re-run of that re-run, read from the shared store: linked there, same scheduled_at.
  const again = await bed.cli(['rerun', printed.runId, '--enqueue'], { ...env, RUNNER_STORE: 'redis' });
  assert.equal(again.code, 0, again.stderr);
  const secondId = again.stdout.trim();
  const second = await ended(secondId);
  assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
  assert.deepEqual(second.trigger, { type: 'rerun', of: printed.runId });
  assert.equal(stepsOf(second)[0]!.title, `rerun at ${AT_ISO}: find Q3 Planning`);
  assert.deepEqual((await bed.store.get(printed.runId))?.reruns, [secondId]);
  const shown = await bed.cli(['runs', 'show', secondId], { RUNNER_STORE: 'redis' });
  assert.match(shown.stdout, new RegExp(`^ {2}trigger {3}rerun of ${printed.runId.slice(0, 8)}$`, 'm'));

  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0);
});
