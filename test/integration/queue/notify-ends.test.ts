/**
 * Queue mode tells the notifier of every run end that will not change by itself, and of no other: the processor
 * (a plain function, given real jobs from Redis) with a recording notifier. A failure BullMQ will retry is not an
 * end; the same failure on the job's last attempt, or one no retry can fix, is.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Job } from 'bullmq';
import { loadConfig } from '../../../src/config/config.ts';
import { jobData, type RunJobData } from '../../../src/queue/payload.ts';
import { createRunProcessor } from '../../../src/queue/processor.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { startModel, startSite } from '../e2e/helpers.ts';
import { fixtureVariant, recordingNotifier, testbed, type Testbed } from './helpers.ts';

let bed: Testbed;
let site: SandboxWithMcp;
before(async () => {
  bed = testbed('notify-ends');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  await site?.close();
});

test('a retryable failure is told only on the last attempt; a failure no retry can fix at once; a success always', { timeout: 30_000 }, async (t) => {
  let fail = true;
  const model = await startModel(t, () => (fail ? { fault: { status: 503 } } : { text: 'Hello, team.' }));
  const workflow = await fixtureVariant(bed.ws.dir, 'two-prompts.yaml', (text) => `${text}\nretry: { attempts: 2, backoff: 1s }\n`);
  const config = loadConfig({ env: bed.env({ OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url }), cwd: bed.ws.dir });
  const notifier = recordingNotifier();
  const last = () => {
    const end = notifier.ended.at(-1);
    return end && [end.runId, end.status];
  };
  const processJob = createRunProcessor({ config, store: bed.store, notifier });
  const add = async (runId: string): Promise<Job<RunJobData>> =>
    bed.queue.add(workflow.name, jobData(workflow, { runId }), { jobId: runId, attempts: 2, delay: 3_600_000 });

  const job = await add('retried-run');
  await assert.rejects(processJob(job, 'token'), /model/);
  assert.equal((await bed.store.get('retried-run'))?.status, 'failed');
  assert.equal(notifier.ended.length, 0, 'BullMQ will try again: not an end yet');

  job.attemptsMade = 1;
  await assert.rejects(processJob(job, 'token'), /model/);
  assert.deepEqual(
    notifier.ended.map((e) => [e.runId, e.status]),
    [['retried-run', 'failed']],
    'the last attempt failed: told once',
  );

  // Inputs the workflow refuses: the run never starts and no retry can help.
  const refused = await bed.queue.add(workflow.name, jobData(workflow, { runId: 'refused-run', inputs: { nope: 1 } }), {
    jobId: 'refused-run',
    attempts: 2,
    delay: 3_600_000,
  });
  await assert.rejects(processJob(refused, 'token'));
  assert.deepEqual(last(), ['refused-run', 'failed']);

  fail = false;
  const fine = await add('fine-run');
  assert.deepEqual(await processJob(fine, 'token'), { runId: 'fine-run', status: 'succeeded' });
  assert.deepEqual(last(), ['fine-run', 'succeeded']);
  // A duplicate delivery of a run that ended is not a second end.
  assert.equal((await processJob(fine, 'token')).duplicate, true);
  assert.equal(notifier.ended.length, 3);
});
