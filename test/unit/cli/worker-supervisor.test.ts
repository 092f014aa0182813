/**
 * The worker supervisor's decisions, with fake children (no processes): the ready line once every child is ready,
 * restarts with a growing backoff, giving up on a child that keeps dying (and on a usage error) without spinning,
 * draining on stop, killing on kill, and the primary's services closed after the children.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartPolicy } from '../../../src/cli/restart-policy.ts';
import type { SupervisedChild } from '../../../src/cli/worker-cluster.ts';
import { prefixLine, startSupervisor, type SupervisorOptions } from '../../../src/cli/worker-supervisor.ts';

/** A child the test drives: it records the signals it was sent and ends when told. */
interface FakeChild extends SupervisedChild {
  readonly signals: NodeJS.Signals[];
  ready(): void;
  say(line: string): void;
  exit(code: number | null, signal?: NodeJS.Signals): void;
}

function fakeLauncher(onSignal?: (child: FakeChild, signal: NodeJS.Signals) => void) {
  const started: FakeChild[] = [];
  let pid = 100;
  const launch = () => {
    let ready = () => {};
    let line = (_: string, __: 'stdout' | 'stderr') => {};
    let exit = (_: number | null, __: NodeJS.Signals | null) => {};
    let exited = false;
    const child: FakeChild = {
      pid: ++pid,
      signals: [],
      onLine: (l) => (line = l),
      onReady: (l) => (ready = l),
      onExit: (l) => (exit = l),
      kill(signal) {
        if (exited) return;
        child.signals.push(signal);
        onSignal?.(child, signal);
      },
      ready: () => ready(),
      say: (text) => line(text, 'stderr'),
      exit(code, signal) {
        exited = true;
        exit(code, signal ?? null);
      },
    };
    started.push(child);
    return child;
  };
  return { started, launch };
}

function options(launch: () => SupervisedChild, extra: Partial<SupervisorOptions> = {}) {
  const lines: string[] = [];
  return {
    lines,
    options: {
      processes: 2,
      concurrency: 3,
      graceMs: 60_000,
      launch,
      log: (line: string) => lines.push(line),
      relay: (line: string) => lines.push(line),
      restart: { firstDelayMs: 1, maxDelayMs: 4 },
      ...extra,
    } satisfies SupervisorOptions,
  };
}

test('RestartPolicy: the backoff doubles with recent crashes; the fifth within a minute gives up; old crashes are forgotten', () => {
  const policy = new RestartPolicy();
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => policy.crashed(1, 1, i * 1000)),
    [1000, 2000, 4000, 8000].map((delayMs) => ({ restart: true, delayMs })),
  );
  assert.deepEqual(policy.crashed(2, 1, 4000), { restart: true, delayMs: 1000 }, 'each child has its own history');
  assert.deepEqual(policy.crashed(1, 1, 5000), { restart: false, reason: 'it ended 5 times within 60 s' });
  const later = new RestartPolicy();
  for (const at of [0, 10_000, 20_000, 30_000]) later.crashed(1, null, at);
  assert.deepEqual(later.crashed(1, null, 75_000), { restart: true, delayMs: 4000 }, 'only the last minute counts');
  assert.deepEqual(new RestartPolicy().crashed(1, 2, 0), { restart: false, reason: 'it stopped on a usage error (exit 2), which a restart cannot fix' });
});

test('prefixLine puts the index after the timestamp a worker line starts with', () => {
  assert.equal(prefixLine(2, '2026-12-01T06:00:00.000Z worker ready'), '2026-12-01T06:00:00.000Z [2] worker ready');
  assert.equal(prefixLine(1, 'error: bad setting'), '[1] error: bad setting');
});

test('ready once every child is; a stop drains each with SIGTERM and ends 0 when they exit 0; services close last', async () => {
  const events: string[] = [];
  const fake = fakeLauncher((child, signal) => signal === 'SIGTERM' && setImmediate(() => child.exit(0)));
  const { lines, options: o } = options(fake.launch, {
    primaryServices: [
      async () => {
        events.push('open');
        return { close: async () => void events.push(`close with ${fake.started.filter((c) => c.signals.length).length} children signalled`) };
      },
    ],
  });
  const supervisor = startSupervisor(o);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fake.started.length, 2);
  fake.started[0]!.ready();
  fake.started[0]!.say('2026-12-01T06:00:00.000Z worker ready');
  assert.ok(!lines.some((l) => l.includes('ready') && l.startsWith('supervisor')), 'not ready while one child is not');
  fake.started[1]!.ready();
  await supervisor.ready;
  assert.deepEqual(lines, [
    'supervisor: process 1 started (pid 101)',
    'supervisor: process 2 started (pid 102)',
    '2026-12-01T06:00:00.000Z [1] worker ready',
    'supervisor: 2 processes × concurrency 3 ready',
  ]);
  assert.deepEqual(
    [...supervisor.pids()],
    [
      [1, 101],
      [2, 102],
    ],
  );
  supervisor.stop('SIGTERM');
  supervisor.stop('SIGTERM');
  assert.equal(await supervisor.done, 0);
  assert.deepEqual(
    fake.started.map((c) => c.signals),
    [['SIGTERM'], ['SIGTERM']],
    'one SIGTERM each, however often stop is called',
  );
  assert.deepEqual(events, ['open', 'close with 2 children signalled']);
  assert.ok(lines.includes('supervisor: SIGTERM: draining 2 process(es); in-flight runs get 1m to finish'));
});

test('a child that keeps dying right after it starts is given up on after 5 ends; the other drains; the supervisor ends 1', async () => {
  const fake = fakeLauncher((child, signal) => signal === 'SIGTERM' && setImmediate(() => child.exit(0)));
  const { lines, options: o } = options(fake.launch);
  // Child 2 (and every replacement of it) dies as soon as it is started.
  let starts = 0;
  const launch = () => {
    const child = fake.launch();
    if (++starts > 1) setImmediate(() => child.exit(1));
    return child;
  };
  const supervisor = startSupervisor({ ...o, launch });
  const code = await supervisor.done;
  assert.equal(code, 1);
  assert.equal(fake.started.length, 1 + 5, 'process 1 once, process 2 five times: no spinning');
  assert.deepEqual(
    lines.filter((l) => l.includes('restarting in')).map((l) => l.replace(/pid \d+/, 'pid N')),
    [1, 2, 4, 4].map((ms) => `supervisor: process 2 (pid N) exited with code 1; restarting in ${ms}ms`),
  );
  assert.ok(lines.some((l) => /process 2 \(pid \d+\) exited with code 1; not restarting it: it ended 5 times within 60 s$/.test(l)));
  assert.deepEqual(fake.started[0]!.signals, ['SIGTERM'], 'the healthy child drains');
});

test('a child that stops on a usage error is not restarted; the supervisor ends 2', async () => {
  const fake = fakeLauncher((child, signal) => signal === 'SIGTERM' && setImmediate(() => child.exit(0)));
  const { options: o } = options(fake.launch);
  const supervisor = startSupervisor(o);
  await new Promise((resolve) => setImmediate(resolve));
  fake.started[0]!.say('error: RUNNER_NOTIFY_DEFAULT: no such file');
  fake.started[0]!.exit(2);
  assert.equal(await supervisor.done, 2);
  assert.equal(fake.started.length, 2);
});

test('kill ends every child with SIGKILL and cancels a pending restart', async () => {
  const fake = fakeLauncher((child, signal) => signal === 'SIGKILL' && setImmediate(() => child.exit(null, 'SIGKILL')));
  const { options: o } = options(fake.launch, { restart: { firstDelayMs: 60_000 } });
  const supervisor = startSupervisor(o);
  await new Promise((resolve) => setImmediate(resolve));
  fake.started[1]!.exit(1);
  supervisor.kill();
  supervisor.kill();
  assert.equal(await supervisor.done, 0);
  assert.deepEqual(
    fake.started.map((c) => c.signals),
    [['SIGKILL'], []],
  );
  assert.equal(fake.started.length, 2, 'the restart planned for a minute later never happens');
});
