import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LATE_TOLERANCE_MS, MAX_SLOTS, overlapAction, planSlots, slotsBetween } from '../../../src/workflow/schedule-policy.ts';
import type { CatchupPolicy } from '../../../src/workflow/types.ts';

const at = (iso: string) => new Date(iso);
const isos = (dates: readonly Date[]) => dates.map((d) => d.toISOString());
const hourly = { cron: '0 * * * *', timezone: 'UTC' };

describe('slotsBetween', () => {
  test('fire times after the start (excluded) up to the end (included), oldest first', () => {
    assert.deepEqual(isos(slotsBetween(hourly, at('2026-11-30T09:00:00Z'), at('2026-11-30T12:00:00Z'))), [
      '2026-11-30T10:00:00.000Z',
      '2026-11-30T11:00:00.000Z',
      '2026-11-30T12:00:00.000Z',
    ]);
    assert.deepEqual(slotsBetween(hourly, at('2026-11-30T09:00:00Z'), at('2026-11-30T09:59:59Z')), []);
  });

  test('in the schedule zone: 09:00 in Paris is 08:00 UTC in winter', () => {
    const paris = { cron: '0 9 * * MON', timezone: 'Europe/Paris' };
    assert.deepEqual(isos(slotsBetween(paris, at('2026-11-20T00:00:00Z'), at('2026-12-08T00:00:00Z'))), [
      '2026-11-23T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
      '2026-12-07T08:00:00.000Z',
    ]);
  });

  test('a long gap keeps the newest slots only, at most MAX_SLOTS', () => {
    const slots = slotsBetween({ cron: '* * * * *', timezone: 'UTC' }, at('2026-11-01T00:00:00Z'), at('2026-11-30T12:00:00Z'));
    assert.equal(slots.length, MAX_SLOTS);
    assert.equal(slots.at(-1)!.toISOString(), '2026-11-30T12:00:00.000Z');
    assert.equal(slots[0]!.toISOString(), '2026-11-30T10:21:00.000Z');
  });
});

describe('planSlots', () => {
  const now = at('2026-11-30T12:00:00Z');
  const slots = [at('2026-11-29T06:00:00Z'), at('2026-11-30T06:00:00Z'), at('2026-11-30T11:00:00Z')];
  const plan = (catchup: CatchupPolicy, list = slots, window = 12 * 3600_000) => {
    const p = planSlots({ catchup, catchupWindowMs: window }, list, now);
    return { run: isos(p.run), missed: isos(p.missed) };
  };

  test('none: late slots are missed; the current slot (newest, on time) still runs', () => {
    assert.deepEqual(plan('none'), { run: [], missed: isos(slots) });
    const onTime = new Date(now.getTime() - LATE_TOLERANCE_MS);
    assert.deepEqual(plan('none', [...slots, onTime]), { run: [onTime.toISOString()], missed: isos(slots) });
  });

  test('a short outage of an every-minute schedule runs the current slot once, not every minute it was away', () => {
    const minutes = [3, 2, 1, 0].map((m) => new Date(now.getTime() - m * 60_000));
    assert.deepEqual(plan('none', minutes), { run: [now.toISOString()], missed: isos(minutes.slice(0, 3)) });
    assert.deepEqual(plan('latest', minutes), { run: [now.toISOString()], missed: isos(minutes.slice(0, 3)) });
    assert.deepEqual(plan('all', minutes), { run: isos(minutes), missed: [] }, 'all runs each of them');
  });

  test('latest: only the newest slot runs, if it is within the window', () => {
    assert.deepEqual(plan('latest'), { run: ['2026-11-30T11:00:00.000Z'], missed: isos(slots.slice(0, 2)) });
    assert.deepEqual(plan('latest', slots, 30 * 60_000), { run: [], missed: isos(slots) }, 'an hour late is outside a 30-minute window');
  });

  test('all: every slot within the window runs, oldest first; older ones are missed', () => {
    assert.deepEqual(plan('all'), { run: ['2026-11-30T06:00:00.000Z', '2026-11-30T11:00:00.000Z'], missed: ['2026-11-29T06:00:00.000Z'] });
    assert.deepEqual(plan('all', [...slots].reverse()), plan('all'), 'order of the input does not matter');
  });

  test('nothing to plan is nothing to do', () => {
    assert.deepEqual(plan('all', []), { run: [], missed: [] });
  });
});

describe('overlapAction', () => {
  test('nothing running: run, whatever the policy', () => {
    for (const overlap of ['skip', 'queue', 'allow'] as const) assert.equal(overlapAction({ overlap }, false), 'run');
  });
  test('the previous run still going: skip, queue, or run alongside', () => {
    assert.equal(overlapAction({ overlap: 'skip' }, true), 'skip');
    assert.equal(overlapAction({ overlap: 'queue' }, true), 'queue');
    assert.equal(overlapAction({ overlap: 'allow' }, true), 'run');
  });
});
