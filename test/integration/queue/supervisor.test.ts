/**
 * Queue mode, `runner worker --processes N`: one command supervising worker processes (node:cluster children, each
 * the single-process worker). Both children take jobs; a child SIGKILLed mid-run is restarted and its run, stalled
 * once its lock expires (RUNNER_JOB_LOCK=2s), ends succeeded on a second attempt; one SIGTERM drains every child
 * and leaves no process behind; a bad --processes value is a usage error.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { enqueueRun } from '../../../src/queue/producer.ts';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { startModel, startSite } from '../e2e/helpers.ts';
import { loadFixture, spawnRunner, testbed, until, type Testbed, type WorkerProcess } from './helpers.ts';

let bed: Testbed;
let site: SandboxWithMcp;
const supervisors: WorkerProcess[] = [];
before(async () => {
  bed = testbed('supervisor');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  // A supervisor SIGKILLed here takes its children along: a node:cluster child exits when its primary's channel closes.
  for (const s of supervisors) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(supervisors.map((s) => s.exited));
  await bed?.close();
  await site?.close();
});

/** Starts `runner worker` with these flags and waits for the supervisor's ready line. */
async function supervise(env: Record<string, string>, args: string[]): Promise<WorkerProcess> {
  const supervisor = spawnRunner(['worker', ...args], bed.env(env));
  supervisors.push(supervisor);
  await supervisor.waitFor(/supervisor: \d+ processes × concurrency \d+ ready$/, 60_000);
  return supervisor;
}

/** Pids of the children the supervisor said it started, in order. */
function childPids(supervisor: WorkerProcess): number[] {
  return supervisor.lines.flatMap((l) => /supervisor: process \d+ started \(pid (\d+)\)$/.exec(l)?.slice(1).map(Number) ?? []);
}

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Enqueues `count` two-prompts runs (straight to the queue, as `runner enqueue` does); answers their ids. */
async function enqueue(count: number): Promise<string[]> {
  const workflow = await loadFixture('two-prompts.yaml');
  const lifecycle = new RunLifecycle(bed.store, { secrets: loadConfig({ cwd: bed.ws.dir, env: bed.env() }).secrets });
  return Promise.all(
    Array.from({ length: count }, () =>
      enqueueRun(bed.queue, lifecycle, workflow, { inputs: {}, resolved: { who: 'the team' }, backend: 'sandbox', model: 'gpt-4.1' }),
    ),
  );
}

/** The records of these runs once every one has ended. */
function ended(runIds: string[], timeoutMs = 60_000): Promise<RunRecord[]> {
  return until(
    `${runIds.length} run(s) to end`,
    async () => {
      const runs = await Promise.all(runIds.map((id) => bed.store.get(id)));
      return runs.every((r) => r && r.status !== 'queued' && r.status !== 'running') ? (runs as RunRecord[]) : undefined;
    },
    timeoutMs,
    200,
  );
}

test('--processes 2: both children take jobs, every run succeeds, SIGTERM drains both and exits 0', { timeout: 120_000 }, async (t) => {
  const model = await startModel(t, () => ({ text: 'Hello, team.' }), { latencyMs: 400 });
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url };
  const supervisor = await supervise(env, ['--processes', '2', '--concurrency', '2']);
  const pids = childPids(supervisor);
  assert.equal(pids.length, 2, supervisor.lines.join('\n'));
  assert.ok(
    supervisor.lines.some((l) => /Z \[1\] worker ready: queue '.+:runs', concurrency 2$/.test(l)) &&
      supervisor.lines.some((l) => /Z \[2\] worker ready/.test(l)),
    'each child says it is ready, prefixed with its index',
  );

  const runs = await ended(await enqueue(8));
  for (const run of runs) assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  const workers = new Set(runs.map((r) => r.attempts[0]!.worker));
  assert.deepEqual([...workers].sort(), pids.map((pid) => `${hostname()}:${pid}`).sort(), 'both children ran runs, and nothing else did');

  supervisor.child.kill('SIGTERM');
  assert.equal(await supervisor.exited, 0, supervisor.lines.join('\n'));
  assert.match(supervisor.lines.at(-1) ?? '', /supervisor: stopped$/);
  for (const pid of pids) assert.equal(alive(pid), false, `child ${pid} is gone`);
});

test('a child SIGKILLed mid-run is restarted; its run stalls, runs again and succeeds', { timeout: 120_000 }, async (t) => {
  // The very first model request hangs, so the run is mid-flight when its child is killed.
  let hung = false;
  const model = await startModel(t, () => {
    if (hung) return { text: 'Hello, team.' };
    hung = true;
    return { hang: true };
  });
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url, RUNNER_JOB_LOCK: '2s' };
  const supervisor = await supervise(env, ['--processes', '2', '--concurrency', '1']);
  const [runId] = await enqueue(1);
  await until('the hung model request', () => model.requests.some((r) => r.status === 0), 30_000);
  const running = await bed.store.get(runId!);
  assert.equal(running?.status, 'running');
  const victim = Number(running.attempts[0]!.worker!.split(':').at(-1));
  assert.ok(childPids(supervisor).includes(victim), `the run is on a child: ${running.attempts[0]!.worker}`);

  process.kill(victim, 'SIGKILL');
  const exitLine = await supervisor.waitFor(new RegExp(`supervisor: process (\\d+) \\(pid ${victim}\\) exited with signal SIGKILL; restarting in 1s$`));
  const index = /process (\d+)/.exec(exitLine)![1];
  const restarted = await supervisor.waitFor(new RegExp(`supervisor: process ${index} started \\(pid (?!${victim}\\))\\d+\\)$`));
  await supervisor.waitFor(new RegExp(`supervisor: process ${index} \\(pid \\d+\\) ready$`), 60_000);

  const [done] = await ended([runId!]);
  assert.equal(done!.status, 'succeeded', JSON.stringify(done!.error));
  assert.equal(done!.attempts.length, 2);
  assert.equal(done!.attempts[0]!.worker, `${hostname()}:${victim}`);
  assert.equal(done!.attempts[0]!.status, 'failed');
  assert.match(done!.attempts[0]!.error?.message ?? '', /stopped answering/);
  assert.notEqual(done!.attempts[1]!.worker, done!.attempts[0]!.worker);
  // BullMQ's own recovery: the lock expired, a child found the job stalled, no retry was spent.
  assert.ok(
    supervisor.lines.some((l) => /\[\d\] job .+ stalled/.test(l) && l.includes(runId!)),
    supervisor.lines.join('\n'),
  );
  assert.equal(await bed.queue.getJobState(runId!), 'completed');
  assert.equal((await bed.queue.getJob(runId!))?.attemptsMade, 1);
  assert.ok(restarted);

  supervisor.child.kill('SIGTERM');
  assert.equal(await supervisor.exited, 0, supervisor.lines.join('\n'));
  for (const pid of childPids(supervisor)) assert.equal(alive(pid), false, `child ${pid} is gone`);
});

for (const [how, everyone] of [
  ['one SIGTERM to the supervisor', false],
  ['SIGTERM to the supervisor and every child at once (systemd stopping the control group, pkill -f)', true],
] as const) {
  test(`${how} with runs in flight: every child finishes its run, the supervisor exits 0, no child is left`, { timeout: 120_000 }, async (t) => {
    const model = await startModel(t, () => ({ text: 'Hello, team.' }), { latencyMs: 2000 });
    const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url };
    const supervisor = await supervise(env, ['--processes', '2', '--concurrency', '1']);
    const pids = childPids(supervisor);
    const runIds = await enqueue(2);
    await until(
      'both runs to be running, one per child',
      async () => {
        const runs = await Promise.all(runIds.map((id) => bed.store.get(id)));
        return runs.every((r) => r?.status === 'running') && model.requests.length >= 2;
      },
      30_000,
    );

    supervisor.child.kill('SIGTERM');
    // A child told by the group and then by its supervisor still drains: two SIGTERMs are one request to stop.
    if (everyone) for (const pid of pids) process.kill(pid, 'SIGTERM');
    await supervisor.waitFor(/supervisor: SIGTERM: draining 2 process\(es\); in-flight runs get 1m to finish$/);
    assert.equal(await supervisor.exited, 0, supervisor.lines.join('\n'));
    for (const index of [1, 2]) {
      assert.ok(
        supervisor.lines.some((l) => l.includes(`[${index}] SIGTERM: no new jobs; 1 run(s) in flight get 1m to finish`)),
        supervisor.lines.join('\n'),
      );
    }
    const runs = await Promise.all(runIds.map((id) => bed.store.get(id)));
    for (const run of runs) {
      assert.equal(run?.status, 'succeeded', JSON.stringify(run?.error));
      assert.equal(run.attempts.length, 1);
    }
    assert.deepEqual(new Set(runs.map((r) => r!.attempts[0]!.worker)), new Set(pids.map((pid) => `${hostname()}:${pid}`)));
    for (const pid of pids) assert.equal(alive(pid), false, `child ${pid} is gone`);
  });
}

test('--processes must be a whole number from 1 to 64: exit 2 with one line', { timeout: 60_000 }, async () => {
  for (const value of ['0', '65', 'two', '1.5']) {
    const result = await bed.cli(['worker', '--processes', value]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim(), `error: --processes must be a whole number from 1 to 64, not '${value}'`);
  }
});
