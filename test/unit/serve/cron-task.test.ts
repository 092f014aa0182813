/**
 * `runner serve`'s timer-based cron tasks on an injected clock and timers: armed for the fire time the shared
 * module computes, re-armed when a wait is longer than a timer can take or the timer wakes early, and a late wake
 * fires the slot it was armed for once, then arms for the first slot after now (the scheduler plans the rest).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMER_MS, timerSchedule, type TimerHost } from '../../../src/serve/cron-task.ts';

/** A clock that moves only when told, and timers that fire only when the test lets them. */
function fakeHost(start: string) {
  let now = Date.parse(start);
  let nextId = 1;
  const timers = new Map<number, { due: number; ms: number; fn: () => void }>();
  /** Every delay asked for, in order. */
  const delays: number[] = [];
  const host: TimerHost = {
    now: () => now,
    setTimeout(fn, ms) {
      assert.ok(ms >= 0 && ms <= MAX_TIMER_MS, `a delay Node accepts: ${ms}`);
      delays.push(ms);
      const id = nextId++;
      timers.set(id, { due: now + ms, ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  const only = () => {
    assert.equal(timers.size, 1, `one timer armed, got ${timers.size}`);
    const [id, timer] = [...timers][0]!;
    return { id, ...timer };
  };
  return {
    host,
    delays,
    timers,
    /** The one armed timer's due time, ISO. */
    due: () => new Date(only().due).toISOString(),
    /** Moves the clock to `at` (ISO) and runs the armed timer there, whether it is due or not (early or late wakes). */
    wakeAt(at: string) {
      const { id, fn } = only();
      now = Date.parse(at);
      timers.delete(id);
      fn();
    },
    /** Runs the armed timer at its own due time. */
    wake() {
      const { id, due, fn } = only();
      now = due;
      timers.delete(id);
      fn();
    },
  };
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

test('arms for the next fire time and hands the computed slot to onFire', () => {
  // Lord Howe, 3 October 2027: 02:30 local exists (the 30-minute gap is 02:00-02:29); at +11:00 it is 2 October 15:30Z.
  const clock = fakeHost('2027-10-02T12:00:00Z');
  const fired: Date[] = [];
  const task = timerSchedule({ host: clock.host })({ name: 'howe', cron: '30 2 * * *', timezone: 'Australia/Lord_Howe' }, (slot) => fired.push(slot));
  assert.equal(task.nextRun()?.toISOString(), '2027-10-02T15:30:00.000Z');
  assert.equal(clock.due(), '2027-10-02T15:30:00.000Z');
  clock.wake();
  assert.deepEqual(iso(fired), ['2027-10-02T15:30:00.000Z']);
  // 4 October 02:30 +11:00 = 3 October 15:30Z.
  assert.equal(task.nextRun()?.toISOString(), '2027-10-03T15:30:00.000Z');
  assert.equal(clock.due(), '2027-10-03T15:30:00.000Z');
  task.destroy();
});

test('a wait longer than 2^31-1 ms is made of several timers; the slot fires once, at its time', () => {
  // Yearly at midnight UTC on 1 January: from 2027-01-01T00:00:01Z the next is 2028-01-01, 365 days away (> 24.8 days).
  const clock = fakeHost('2027-01-01T00:00:01Z');
  const fired: Date[] = [];
  const task = timerSchedule({ host: clock.host })({ name: 'yearly', cron: '@yearly', timezone: 'UTC' }, (slot) => fired.push(slot));
  assert.equal(task.nextRun()?.toISOString(), '2028-01-01T00:00:00.000Z');
  let wakes = 0;
  while (fired.length === 0) {
    assert.ok(++wakes < 100, 'the re-arming ends');
    clock.wake();
  }
  // 364 days 23:59:59 = 31,535,999,000 ms: 14 full timers of 2^31-1 ms and a last, shorter one.
  assert.equal(wakes, 15);
  assert.deepEqual(clock.delays.slice(0, 14), Array(14).fill(MAX_TIMER_MS));
  assert.equal(clock.delays[14], 31_535_999_000 - 14 * MAX_TIMER_MS);
  assert.deepEqual(iso(fired), ['2028-01-01T00:00:00.000Z']);
  assert.equal(task.nextRun()?.toISOString(), '2029-01-01T00:00:00.000Z');
  assert.equal(clock.delays.at(-1), MAX_TIMER_MS, 'and the next year is again more than one timer away');
  task.destroy();
});

test('a timer that wakes early re-arms for the rest of the wait and fires nothing', () => {
  const clock = fakeHost('2027-01-01T08:00:00Z');
  const fired: Date[] = [];
  const task = timerSchedule({ host: clock.host })({ name: 'nine', cron: '0 9 * * *', timezone: 'UTC' }, (slot) => fired.push(slot));
  clock.wakeAt('2027-01-01T08:59:59.500Z');
  assert.deepEqual(fired, []);
  assert.equal(clock.delays.at(-1), 500, 're-armed for the 500 ms left');
  clock.wake();
  assert.deepEqual(iso(fired), ['2027-01-01T09:00:00.000Z']);
  task.destroy();
});

test('a late wake fires the armed slot once and arms for the first slot after now; none twice, no burst', () => {
  const clock = fakeHost('2027-01-01T10:01:00Z');
  const fired: Date[] = [];
  const task = timerSchedule({ host: clock.host, logger: { error: () => assert.fail('no error') } })(
    { name: 'quarter', cron: '*/15 * * * *', timezone: 'UTC' },
    (slot) => fired.push(slot),
  );
  assert.equal(clock.due(), '2027-01-01T10:15:00.000Z');
  // The machine slept: the timer runs 40 minutes late, at 10:55. Slots 10:15, 10:30 and 10:45 have passed; what
  // becomes of 10:30 and 10:45 is the scheduler's to decide (it asks the schedule policy).
  clock.wakeAt('2027-01-01T10:55:00Z');
  assert.deepEqual(iso(fired), ['2027-01-01T10:15:00.000Z'], 'the armed slot, once');
  assert.equal(task.nextRun()?.toISOString(), '2027-01-01T11:00:00.000Z', 'the next slot ahead of now: no burst of old slots');
  clock.wake();
  assert.deepEqual(iso(fired), ['2027-01-01T10:15:00.000Z', '2027-01-01T11:00:00.000Z']);
  assert.equal(clock.due(), '2027-01-01T11:15:00.000Z');
  task.destroy();
});

test('a day asleep with an every-second schedule is one firing, not 86,400', () => {
  const clock = fakeHost('2027-01-01T00:00:00.500Z');
  const fired: Date[] = [];
  const task = timerSchedule({ host: clock.host })({ name: 'tick', cron: '* * * * * *', timezone: 'UTC' }, (slot) => fired.push(slot));
  clock.wakeAt('2027-01-02T00:00:00.500Z');
  assert.deepEqual(iso(fired), ['2027-01-01T00:00:01.000Z']);
  assert.equal(clock.due(), '2027-01-02T00:00:01.000Z');
  task.destroy();
});

test('destroy stops the task for good (twice is fine); an invalid cron or zone is refused at start', () => {
  const clock = fakeHost('2027-01-01T00:00:00Z');
  const task = timerSchedule({ host: clock.host })({ name: 'daily', cron: '@daily', timezone: 'UTC' }, () => assert.fail('destroyed'));
  task.destroy();
  task.destroy();
  assert.equal(clock.timers.size, 0);
  assert.equal(task.nextRun(), undefined);
  const factory = timerSchedule({ host: clock.host });
  assert.throws(() => factory({ name: 'bad', cron: '0 25 * * *', timezone: 'UTC' }, () => {}), /hour field '25' is out of range 0-23/);
  assert.throws(() => factory({ name: 'never', cron: '0 0 30 2 *', timezone: 'UTC' }, () => {}), /it never fires/);
  assert.throws(() => factory({ name: 'zone', cron: '@daily', timezone: 'Mars/Olympus' }, () => {}), /unknown time zone/);
});

test('an onFire that throws is logged and the task stays armed', () => {
  const clock = fakeHost('2027-01-01T00:00:00Z');
  const errors: string[] = [];
  const task = timerSchedule({ host: clock.host, logger: { error: (m) => errors.push(m) } })({ name: 'boom', cron: '@hourly', timezone: 'UTC' }, () => {
    throw new Error('kaput');
  });
  clock.wake();
  assert.deepEqual(errors, ['boom: slot 2027-01-01T01:00:00.000Z failed to start: kaput']);
  assert.equal(clock.due(), '2027-01-01T02:00:00.000Z');
  task.destroy();
});
