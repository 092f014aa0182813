/**
 * Queue mode, `schedule.overlap`, with real worker processes: a two-second schedule whose first run is held in
 * flight (the scripted model does not answer it until the test says so) while the next slots come. `skip` records
 * them as skipped, naming the run still going; `queue` makes them wait and run after it, without using an attempt;
 * `allow` runs them at once, beside it.
 */
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import { syncSchedules } from '../../../src/queue/schedules.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import type { ScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import { startModel, startSite } from '../e2e/helpers.ts';
import { fixtureVariant, testbed, type Testbed, until, type WorkerProcess } from './helpers.ts';

const beds: Testbed[] = [];
let site: SandboxWithMcp;
before(async () => {
  const bed = testbed('overlap');
  beds.push(bed);
  site = await startSite(bed.ws.dir);
});
after(async () => {
  for (const bed of beds) await bed.close();
  await site?.close();
});

const slotOf = (run: RunRecord) => (run.trigger.type === 'schedule' ? run.trigger.slot : '');

/** What each test starts with: a worker, a model whose first answer is held, and the first run, held in flight. */
interface Held {
  bed: Testbed;
  worker: WorkerProcess;
  model: ScriptedModelServer;
  /** The run whose model answer is held. */
  held: RunRecord;
  /** Answers the held request. */
  release(): void;
  /** Stops the schedule, answers the held request, and waits until no job is left to run. */
  finish(): Promise<void>;
}

async function holdFirstRun(t: TestContext, name: string, overlap: 'skip' | 'queue' | 'allow'): Promise<Held> {
  const bed = testbed(name);
  beds.push(bed);
  let release!: () => void;
  const answer = new Promise<void>((resolve) => {
    release = resolve;
  });
  t.after(release);
  let first = true;
  const model = await startModel(t, async () => {
    if (first) {
      first = false;
      await answer;
    }
    return { text: 'Hello, team.' };
  });
  const worker = await bed.worker({ OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url }, ['--concurrency', '3']);
  const workflow = await fixtureVariant(bed.ws.dir, 'tick-prompt.yaml', (text) => text.replace('overlap: skip', `overlap: ${overlap}`));
  assert.equal(workflow.schedule?.overlap, overlap);
  await syncSchedules(bed.queue, bed.redis, bed.prefix, [workflow]);
  await until('the first model request', () => model.requests.length >= 1);
  const held = await until('the held run', async () => (await bed.runsOf('tick-prompt')).find((r) => r.status === 'running'));
  return {
    bed,
    worker,
    model,
    held,
    release,
    async finish() {
      await bed.queue.removeJobScheduler('tick-prompt');
      release();
      await until(
        'every job to be done',
        async () => {
          const counts = await bed.queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
          return Object.values(counts).every((n) => n === 0);
        },
        30_000,
      );
    },
  };
}

/** Runs that ran, as [start, end] of their one attempt, in start order. */
function spans(runs: RunRecord[]): Array<[number, number]> {
  return runs
    .filter((r) => r.attempts.length)
    .map((r) => [Date.parse(r.attempts[0]!.startedAt), Date.parse(r.attempts[0]!.endedAt!)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

test('overlap skip: slots that come while a run goes on are recorded as skipped, naming that run', { timeout: 60_000 }, async (t) => {
  const { bed, held, finish } = await holdFirstRun(t, 'overlap-skip', 'skip');
  const skipped = await until('a skipped slot', async () => (await bed.runsOf('tick-prompt')).find((r) => r.status === 'skipped'));
  assert.deepEqual(skipped.notes, [`run ${held.id} of slot ${slotOf(held)} was still running (overlap: skip)`]);
  assert.deepEqual(skipped.attempts, [], 'a skipped slot never ran');
  assert.ok(slotOf(skipped) > slotOf(held));
  await finish();

  const runs = await bed.runsOf('tick-prompt');
  assert.equal(runs.find((r) => r.id === held.id)?.status, 'succeeded');
  for (const run of runs.filter((r) => r.status === 'skipped')) {
    const named = /^run (\S+) of slot (\S+) was still running \(overlap: skip\)$/.exec(run.notes[0] ?? '');
    assert.ok(named, run.notes.join('\n'));
    assert.equal(runs.find((r) => r.id === named[1])?.trigger.type === 'schedule' && slotOf(runs.find((r) => r.id === named[1])!), named[2]);
  }
  assert.deepEqual(
    runs.filter((r) => r.status !== 'skipped' && r.status !== 'succeeded').map((r) => [slotOf(r), r.status]),
    [],
  );
  const ran = spans(runs);
  for (let i = 1; i < ran.length; i++) assert.ok(ran[i]![0] >= ran[i - 1]![1], 'no two runs of the workflow at once');
});

test('overlap queue: a slot waits for the run going on, then runs, without using an attempt', { timeout: 60_000 }, async (t) => {
  const { bed, worker, held, finish } = await holdFirstRun(t, 'overlap-queue', 'queue');
  const line = await worker.waitFor(new RegExp(`tick-prompt slot (\\S+) waits for run ${held.id} to end \\(overlap: queue\\)`));
  const waited = /slot (\S+) waits/.exec(line)![1]!;
  assert.ok(waited > slotOf(held));
  assert.equal(
    (await bed.runsOf('tick-prompt')).find((r) => slotOf(r) === waited),
    undefined,
    'a waiting slot has no record yet',
  );
  await finish();

  const runs = await bed.runsOf('tick-prompt');
  assert.deepEqual(
    runs.filter((r) => r.status !== 'succeeded').map((r) => [slotOf(r), r.status, r.notes]),
    [],
    'nothing skipped, missed or failed',
  );
  const first = runs.find((r) => r.id === held.id)!;
  const after = runs.find((r) => slotOf(r) === waited)!;
  assert.equal(after.attempts.length, 1);
  assert.ok(Date.parse(after.attempts[0]!.startedAt) >= Date.parse(first.endedAt!), 'it started once the held run had ended');
  const job = await bed.queue.getJob(`repeat:tick-prompt:${Date.parse(waited)}`);
  assert.equal(job?.returnvalue?.status, 'succeeded');
  // Taken several times (it waited), yet the one attempt it has (retry.attempts: 1) went to its run alone.
  assert.ok((job?.attemptsStarted ?? 0) >= 2, `taken ${job?.attemptsStarted} time(s)`);
  assert.equal(job?.attemptsMade, 1, 'waiting used no attempt');
  const ran = spans(runs);
  for (let i = 1; i < ran.length; i++) assert.ok(ran[i]![0] >= ran[i - 1]![1], 'no two runs of the workflow at once');
});

test('overlap allow: a slot runs at once, beside the run going on', { timeout: 60_000 }, async (t) => {
  const { bed, held, finish } = await holdFirstRun(t, 'overlap-allow', 'allow');
  const beside = await until('another run to succeed', async () => (await bed.runsOf('tick-prompt')).find((r) => r.id !== held.id && r.status === 'succeeded'));
  assert.equal((await bed.store.get(held.id))?.status, 'running', 'it ran while the held run was still going');
  assert.ok(slotOf(beside) > slotOf(held));
  await finish();
  const runs = await bed.runsOf('tick-prompt');
  assert.deepEqual(
    runs.filter((r) => r.status !== 'succeeded').map((r) => [slotOf(r), r.status]),
    [],
  );
});
