/**
 * Queue mode, a worker dies mid-run: three worker processes; the one running a manual run is SIGKILLed after the
 * run's page write reached the sandbox (the model hangs on the turn after the write, so the kill always lands
 * there). Its job lock expires (RUNNER_JOB_LOCK=2s), another worker takes the job, and the second attempt answers
 * the write from the run's journal: one page, a succeeded run of two attempts on two workers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import type { ModelRequestView, ScriptedTurn } from '../../../src/testing/scripted-model-server.ts';
import { siteClient, startModel, startSite } from '../e2e/helpers.ts';
import { queueFixture, testbed, until, type Testbed } from './helpers.ts';

let bed: Testbed;
let site: SandboxWithMcp;
before(async () => {
  bed = testbed('crash');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  await site?.close();
});

/**
 * create-page: looks the space up, creates the page (the same arguments every attempt), answers its id. The first
 * request after a write hangs, so the run is stuck right after the write until its worker is killed.
 */
function createPageScript(): (request: ModelRequestView) => ScriptedTurn {
  let hung = false;
  return (request) => {
    const space = /in space (\S+) with/.exec(request.userText)?.[1] ?? 'missing';
    const title = /titled "([^"]+)"/.exec(request.userText)?.[1] ?? 'missing';
    if (request.turn === 0) return { toolCalls: [{ name: 'CONFLUENCE_GET_SPACES', arguments: { spaceKey: [space] } }] };
    if (request.turn === 1) {
      const spaceId = request.lastToolResult()?.data?.results?.[0]?.id ?? 'missing';
      const body = { storage: { representation: 'storage', value: '<ul><li>Freeze the branch</li><li>Tag the release</li></ul>' } };
      return { toolCalls: [{ name: 'CONFLUENCE_CREATE_PAGE', arguments: { spaceId, title, body } }] };
    }
    if (!hung) {
      hung = true;
      return { hang: true };
    }
    return { text: JSON.stringify({ id: String(request.lastToolResult()?.data?.id ?? 'missing') }) };
  };
}

test('a worker killed after the write landed: another worker finishes the run, the write is journaled, one page exists', { timeout: 40_000 }, async (t) => {
  const model = await startModel(t, createPageScript());
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url, RUNNER_JOB_LOCK: '2s' };
  const workers = await Promise.all([bed.worker(env), bed.worker(env), bed.worker(env)]);
  const rest = siteClient(site);
  assert.deepEqual(await rest.pagesTitled('MKT', 'Release checklist'), []);

  const enqueued = await bed.cli(['enqueue', queueFixture('create-page.yaml'), '--json'], env);
  assert.equal(enqueued.code, 0, enqueued.stderr);
  const { runId } = JSON.parse(enqueued.stdout) as { runId: string };

  // The page exists and the model was asked the turn after the write (which hangs): the kill lands after the write.
  await until('the hung request after the write', () => model.requests.some((r) => r.turn === 2 && r.status === 0));
  const pages = await rest.pagesTitled('MKT', 'Release checklist');
  assert.equal(pages.length, 1);
  const running = await bed.store.get(runId);
  assert.equal(running?.status, 'running');
  const owner = workers.find((w) => w.identity === running.attempts[0]?.worker);
  assert.ok(owner, `the attempt names one of the workers: ${running.attempts[0]?.worker}`);
  assert.equal(await bed.queue.getJobState(runId), 'active');
  owner.child.kill('SIGKILL');
  assert.equal(await owner.exited, 'SIGKILL');

  const done = await until(
    'the run to end on another worker',
    async () => {
      const run = await bed.store.get(runId);
      return run && run.status !== 'running' && run.status !== 'queued' ? run : undefined;
    },
    25_000,
  );
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  const survivors = workers.filter((w) => w !== owner).map((w) => w.identity);
  assert.equal(done.attempts.length, 2);
  assert.equal(done.attempts[0]!.worker, owner.identity);
  assert.ok(survivors.includes(done.attempts[1]!.worker!), `attempt 2 ran on a surviving worker: ${done.attempts[1]!.worker}`);
  assert.equal(done.attempts[1]!.status, 'succeeded');
  // The killed attempt is closed in the record, not left running forever.
  assert.equal(done.attempts[0]!.status, 'failed');
  assert.ok(done.attempts[0]!.endedAt);
  assert.match(done.attempts[0]!.error?.message ?? '', new RegExp(`worker ${owner.identity} stopped answering`));

  // The second attempt made the same write and got the journaled result instead of a second page.
  const journal = await bed.store.journal(runId);
  assert.deepEqual(
    journal.map((e) => [e.tool, e.attempt]),
    [['CONFLUENCE_CREATE_PAGE', 1]],
  );
  const calls = done.attempts[1]!.steps[0]!.toolCalls;
  assert.deepEqual(
    calls.map((c) => [c.tool, c.status]),
    [
      ['CONFLUENCE_GET_SPACES', 'ok'],
      ['CONFLUENCE_CREATE_PAGE', 'journaled'],
    ],
  );
  assert.deepEqual(calls[1]!.args, journal[0]!.args, 'identical arguments');
  assert.equal(calls[1]!.note, 'already done in attempt 1');
  assert.deepEqual(
    (await rest.pagesTitled('MKT', 'Release checklist')).map((p) => p.id),
    [pages[0]!.id],
  );
  assert.deepEqual(done.outputs.create, { id: pages[0]!.id });

  // BullMQ saw the stall (lock expired, no retry spent) and the job completed.
  const stalledBy = await until('a surviving worker to log the stall', () =>
    workers.filter((w) => w !== owner).find((w) => w.lines.some((l) => l.includes(`job ${runId} stalled`))),
  );
  assert.ok(survivors.includes(stalledBy.identity));
  assert.equal(await bed.queue.getJobState(runId), 'completed');
  assert.equal((await bed.queue.getJob(runId))?.attemptsMade, 1);
});
