/**
 * Approvals in queue mode: the worker that paused a run is gone when a person approves (a waiting run holds no
 * worker, session or lock), so another worker continues it from the shared store and the post is made once; and
 * an expired wait is ended by exactly one of the workers that notice it.
 */
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { expireWaiting } from '../../../src/queue/reaper.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { SecretRegistry } from '../../../src/shared/secrets.ts';
import { heldPostScript } from '../../fixtures/model-scripts.ts';
import { fixture, siteClient, startModel, startSite } from '../e2e/helpers.ts';
import { type Testbed, testbed, until, type WorkerProcess } from './helpers.ts';

let bed: Testbed;
let site: SandboxWithMcp;
before(async () => {
  bed = testbed('approval');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  await site?.close();
});

const ended = (status: string) => status !== 'queued' && status !== 'running';

/** Stops these workers when the test ends, so the next test's jobs are not taken by a worker of this one's model. */
function retire(t: TestContext, ...workers: WorkerProcess[]): void {
  t.after(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
  });
}

test('approved after the pausing worker died: another worker continues the run, one post', { timeout: 90_000 }, async (t) => {
  const model = await startModel(t, heldPostScript);
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url };
  const title = 'Approved across workers';
  const first = await bed.worker(env);
  retire(t, first);
  const queued = await bed.cli(['enqueue', fixture('held-post.yaml'), '--input', `title=${title}`, '--json'], env);
  assert.equal(queued.code, 0, queued.stderr);
  const { runId } = JSON.parse(queued.stdout) as { runId: string };
  const waiting = await until('the run to wait', async () => {
    const run = await bed.store.get(runId);
    return run && ended(run.status) ? run : undefined;
  });
  assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
  await first.waitFor(/finished held-post: waiting/);
  first.child.kill('SIGKILL');
  await first.exited;

  // Nobody runs now: the approval only queues the continuation.
  const approved = await bed.cli(['approve', runId, '--by', 'ana'], { ...env, RUNNER_STORE: 'redis' });
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, new RegExp(`run ${runId} goes on in a worker \\(job ${runId}:resume:1\\)`));
  const posts = async () => (await siteClient(site).blogposts('TEAM')).filter((p) => p.title === title);
  assert.deepEqual(await posts(), []);

  const second = await bed.worker(env);
  retire(t, second);
  const done = await until(
    'the run to end',
    async () => {
      const run = await bed.store.get(runId);
      return run && run.status !== 'waiting' && ended(run.status) ? run : undefined;
    },
    30_000,
  );
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  assert.equal((await posts()).length, 1);
  assert.equal(done.attempts.length, 1);
  assert.equal(done.attempts[0]!.worker, first.identity, 'paused by the first worker');
  assert.equal(done.approvals![0]!.resumedBy, second.identity, 'continued by the second');
  assert.equal(done.approvals![0]!.calls[0]!.decision?.by, 'ana');
});

test('the worker that resumed the run is killed after the approved write: another one finishes, one post, nobody asked twice', {
  timeout: 120_000,
}, async (t) => {
  // As `heldPostScript`, but the first request after the write hangs, so the kill lands right after the write.
  let hung = false;
  const model = await startModel(t, (request) => {
    if (request.turn === 2 && !hung) {
      hung = true;
      return { hang: true };
    }
    return heldPostScript(request);
  });
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url, RUNNER_JOB_LOCK: '2s' };
  const title = 'Resumed, then killed';
  const workers = await Promise.all([bed.worker(env), bed.worker(env)]);
  retire(t, ...workers);
  const queued = await bed.cli(['enqueue', fixture('held-post.yaml'), '--input', `title=${title}`, '--json'], env);
  const { runId } = JSON.parse(queued.stdout) as { runId: string };
  await until('the run to wait', async () => ((await bed.store.get(runId))?.status === 'waiting' ? true : undefined));
  const approved = await bed.cli(['approve', runId, '--by', 'ana'], { ...env, RUNNER_STORE: 'redis' });
  assert.equal(approved.code, 0, approved.stderr);

  await until('the hung request after the write', () => model.requests.some((r) => r.turn === 2 && r.status === 0));
  const posts = async () => (await siteClient(site).blogposts('TEAM')).filter((p) => p.title === title);
  assert.equal((await posts()).length, 1);
  const running = (await bed.store.get(runId))!;
  const owner = workers.find((w) => w.identity === running.approvals![0]!.resumedBy)!;
  assert.ok(owner, `the resume names one of the workers: ${running.approvals![0]!.resumedBy}`);
  owner.child.kill('SIGKILL');
  await owner.exited;

  // Generous: on a loaded 2-core CI machine the survivor first has to notice the stalled job (lock 2 s, checked
  // every 2 s) while other test files run workers of their own. On failure, say where the run and the survivor were.
  const survivor = workers.find((w) => w !== owner)!;
  const done = await until(
    'the run to end on the other worker',
    async () => {
      const run = await bed.store.get(runId);
      return run && ended(run.status) && run.status !== 'waiting' ? run : undefined;
    },
    60_000,
  ).catch(async (error: Error) => {
    const run = await bed.store.get(runId);
    const where = run ? `${run.status}, attempts ${JSON.stringify(run.attempts.map((a) => [a.status, a.worker, a.error?.kind]))}` : 'no record';
    throw new Error(`${error.message}\nthe run: ${where}\nthe survivor's stderr:\n${survivor.lines.slice(-30).join('\n')}`);
  });
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  assert.equal((await posts()).length, 1, 'one post');
  assert.equal(done.approvals!.length, 1, 'nobody was asked twice');
  assert.deepEqual(
    done.attempts.map((a) => [a.status, a.error?.kind]),
    [
      ['failed', 'infrastructure'],
      ['succeeded', undefined],
    ],
  );
  const post = done.attempts[1]!.steps[0]!.toolCalls.find((c) => c.tool === 'CONFLUENCE_CREATE_BLOGPOST');
  assert.equal(post?.status, 'journaled', "the second attempt got the first one's post from the journal");
});

test('an expired wait is ended once, however many workers notice it', async () => {
  const workflow = (await import('../../../src/workflow/load.ts')).loadWorkflow;
  const wf = await workflow(fixture('held-post.yaml'), { tools: (await import('../../../src/toolkit/catalogue.ts')).confluenceCatalogue() });
  const now = new RunLifecycle(bed.store, { secrets: new SecretRegistry() });
  const attempt = await now.begin(wf, { id: 'expiring-run', trigger: { type: 'manual' }, inputs: { title: 'x' }, mode: 'live', backend: 'sandbox', model: '' });
  const step = attempt.startStep({ id: 'main', kind: 'prompt' }, 0, 1);
  await attempt.wait(step, {
    calls: [{ tool: 'CONFLUENCE_CREATE_BLOGPOST', effect: 'write', args: {}, step: 'main' }],
    resume: { step: 'main', index: 0, state: '{}' },
    timeoutMs: 1000,
  });
  const later = () => new RunLifecycle(bed.store, { secrets: new SecretRegistry(), now: () => new Date(Date.now() + 60_000) });
  const results = await Promise.all(Array.from({ length: 4 }, () => expireWaiting(bed.redis, bed.prefix, later())));
  assert.equal(results.flat().filter((r) => r.id === 'expiring-run').length, 1, 'one worker ended it');
  const run = await bed.store.get('expiring-run');
  assert.equal(run?.status, 'failed');
  assert.equal(run?.error?.kind, 'approval');
});
