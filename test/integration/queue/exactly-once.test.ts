/**
 * Queue mode runs each schedule slot exactly once: two `runner schedule sync` processes race on the same folder
 * (a workflow firing every second) and three worker processes take the slots. Every slot has one run with one
 * attempt, none failed, BullMQ completed one job per slot, and no slot between the first and the last is
 * unaccounted for (it ran or is recorded as missed).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { startSite } from '../e2e/helpers.ts';
import { testbed, until, type Testbed } from './helpers.ts';

/** Slots to let pass before stopping the workers. */
const SLOTS = 8;

let bed: Testbed;
let site: SandboxWithMcp;
before(async () => {
  bed = testbed('exactly-once');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  await site?.close();
});

function slotOf(run: RunRecord): string {
  assert.equal(run.trigger.type, 'schedule', `${run.id} is a schedule run`);
  return run.trigger.type === 'schedule' ? run.trigger.slot : '';
}

test('two racing syncs and three workers: one run per every-second slot, none failed, none lost', { timeout: 40_000 }, async () => {
  const env = { RUNNER_SANDBOX_URL: site.url };
  const workers = await Promise.all([
    bed.worker(env, ['--concurrency', '2']),
    bed.worker(env, ['--concurrency', '2']),
    bed.worker(env, ['--concurrency', '2']),
  ]);
  const dir = bed.folder('workflows', ['every-second-label.yaml']);
  const syncs = await Promise.all([bed.cli(['schedule', 'sync', dir]), bed.cli(['schedule', 'sync', dir])]);
  for (const sync of syncs) assert.equal(sync.code, 0, sync.stderr);
  assert.deepEqual(
    (await bed.queue.getJobSchedulers()).map((s) => s.key),
    ['every-second-label'],
  );

  await until(
    `${SLOTS} succeeded slots`,
    async () => (await bed.store.list({ workflow: 'every-second-label', status: 'succeeded', limit: -1 })).length >= SLOTS,
    25_000,
  );
  for (const worker of workers) worker.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all(workers.map((w) => w.exited)), [0, 0, 0]);

  const runs = await bed.runsOf('every-second-label');
  const slots = runs.map(slotOf);
  assert.equal(new Set(slots).size, slots.length, 'one record per slot');
  for (const run of runs) assert.equal(run.id, slotRunId('every-second-label', slotOf(run)));
  // A slot may be recorded as missed (it had no job) or skipped (the previous run was still going: overlap skip).
  const ran = runs.filter((r) => r.status !== 'missed' && r.status !== 'skipped');
  const skipped = runs.filter((r) => r.status === 'skipped');
  assert.deepEqual(
    ran.filter((r) => r.status !== 'succeeded').map((r) => [slotOf(r), r.status, r.error]),
    [],
    'none failed or cancelled',
  );
  for (const run of ran) assert.equal(run.attempts.length, 1, `slot ${slotOf(run)} ran once, not ${run.attempts.length} times`);
  assert.ok(ran.length >= SLOTS);

  // Every second from the first slot to the last either ran or is recorded as missed.
  const times = slots.map((s) => Date.parse(s)).sort((a, b) => a - b);
  for (const t of times) assert.equal(t % 1000, 0, `${new Date(t).toISOString()} is a whole second`);
  const gaps: string[] = [];
  for (let t = times[0]!; t <= times.at(-1)!; t += 1000) if (!times.includes(t)) gaps.push(new Date(t).toISOString());
  assert.deepEqual(gaps, [], 'no slot between the first and the last is unaccounted for');

  // BullMQ: one completed job per slot that ran or was skipped, none failed, no duplicate delivery.
  const counts = await bed.queue.getJobCounts('completed', 'failed', 'active');
  assert.deepEqual(counts, { completed: ran.length + skipped.length, failed: 0, active: 0 });
  const completed = await bed.queue.getCompleted(0, -1);
  assert.deepEqual(
    completed.filter((j) => j.returnvalue?.duplicate).map((j) => j.id),
    [],
    'no slot was delivered twice',
  );
  assert.deepEqual(completed.map((j) => j.returnvalue.runId).sort(), [...ran, ...skipped].map((r) => r.id).sort());
});
