import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cronProblem, normalizeCron, parseCron, type CronSpec } from '../../../src/workflow/cron.ts';
import { nextFireTimes } from '../../../src/workflow/fire-times.ts';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('cronProblem accepts', () => {
  for (const expression of [
    '* * * * *',
    '0 16 * * FRI',
    '*/15 8-18 * JAN-MAR,OCT MON-FRI',
    '0 0 1,15 * *',
    '5-55/10 * * * *',
    '0 9 L * *',
    '0 9 ? * mon',
    '0 9 * * 1#2',
    '0 9 * * 5L',
    '0 0 * * 7',
    '0 9 * * 0,7',
    '0 9 * * 1-5,MON',
    '5/15 * * * *',
    '0 9 1-7 * MON',
    '0 0 29 2 *',
    '0 0 30 2 MON',
    '0 0 L 2 *',
    '0 0 * 2 MON#5',
    '@daily',
    '@WEEKLY',
    '  0   9 * *   *  ',
  ]) {
    test(expression, () => assert.equal(cronProblem(expression), undefined));
  }
});

describe('cronProblem names the bad field', () => {
  const cases: Array<[string, string]> = [
    ['60 * * * *', "minute field '60' is out of range 0-59"],
    ['0 24 * * *', "hour field '24' is out of range 0-23"],
    ['0 0 32 * *', "day-of-month field '32' is out of range 1-31"],
    ['0 0 0 * *', "day-of-month field '0' is out of range 1-31"],
    ['0 0 1 13 *', "month field '13' is out of range 1-12"],
    ['0 0 * * 8', "day-of-week field '8' is out of range 0-7"],
    ['0 0 1 JNA *', "month field 'JNA' is not a number or a month name (JAN-DEC); did you mean 'JAN'?"],
    ['0 0 * * FRY', "day-of-week field 'FRY' is not a number or a day name (SUN-SAT); did you mean 'FRI'?"],
    ['*/0 * * * *', "minute field '*/0' has a step of 0"],
    ['*/x * * * *', "minute field '*/x' has a step 'x' that is not a positive number"],
    ['0 17-9 * * *', "hour field '17-9' is a range that runs backwards"],
    ['0 0 * * FRI-MON', "day-of-week field 'FRI-MON' is a range that runs backwards"],
    ['0 9,,17 * * *', "hour field '9,,17' has an empty list item"],
    ['0 1-2-3 * * *', "hour field '1-2-3' is not a value, a range a-b, a list or a step"],
    ['0 0 * *', 'expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, got 4'],
    ['0 0 0 * * * 2027', 'expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, got 7'],
    ['60 0 0 * * *', "second field '60' is out of range 0-59"],
    ['', 'expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, got 0'],
    ['0 9 * * MON#2/3', "day-of-week field 'MON#2/3' has a step; '#' and 'L' name single days and take none"],
    ['0 0 30 2 *', "it never fires: no month in month field '2' has a day in day-of-month field '30'"],
    ['0 0 31 4,6,9,11 *', "it never fires: no month in month field '4,6,9,11' has a day in day-of-month field '31'"],
    ['0 0 30-31 FEB ?', "it never fires: no month in month field 'FEB' has a day in day-of-month field '30-31'"],
  ];
  for (const [expression, problem] of cases) {
    test(JSON.stringify(expression), () => assert.equal(cronProblem(expression), `invalid cron '${expression}': ${problem}`));
  }
  test('an unknown macro suggests the closest and lists all', () => {
    assert.equal(
      cronProblem('@weekdays'),
      "invalid cron '@weekdays': unknown macro; did you mean '@weekly'? (allowed: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)",
    );
  });
});

test('normalizeCron expands macros and squeezes spaces', () => {
  assert.equal(normalizeCron('@daily'), '0 0 * * *');
  assert.equal(normalizeCron('@Hourly'), '0 * * * *');
  assert.equal(normalizeCron('@yearly'), normalizeCron('@annually'));
  assert.equal(normalizeCron(' 0  9 * * MON '), '0 9 * * MON');
});

describe('parseCron normalises each field to a set of values', () => {
  const spec = (expression: string): CronSpec => {
    const parsed = parseCron(expression);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.problem);
    return parsed.spec;
  };
  test('five fields: second 0; lists, ranges and steps', () => {
    const s = spec('5/15 8-10,12 * * *');
    assert.deepEqual(s.seconds, [0]);
    assert.deepEqual(s.minutes, [5, 20, 35, 50]);
    assert.deepEqual(s.hours, [8, 9, 10, 12]);
    assert.equal(s.daysOfMonth.length, 31);
    assert.deepEqual(s.months, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(s.daysOfWeek, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(s.dayOfMonthRestricted, false);
    assert.equal(s.dayOfWeekRestricted, false);
  });
  test('six fields: seconds first', () => assert.deepEqual(spec('*/20 0 9 * * *').seconds, [0, 20, 40]));
  test('0 and 7 are one Sunday; duplicates merge', () => {
    assert.deepEqual(spec('0 9 * * 0,7').daysOfWeek, [0]);
    assert.deepEqual(spec('0 9 * * 1-5,MON').daysOfWeek, [1, 2, 3, 4, 5]);
    assert.deepEqual(spec('0 9 * * */7').daysOfWeek, [0]);
    assert.deepEqual(spec('0 9 * * 1/2').daysOfWeek, [0, 1, 3, 5], 'a/s runs to 7, which is Sunday');
    assert.deepEqual(spec('0,0,30 9 * * *').minutes, [0, 30]);
  });
  test('names, macros, ? and the restricted flags', () => {
    assert.deepEqual(spec('0 9 * jan-mar,DEC sat,sun').months, [1, 2, 3, 12]);
    assert.deepEqual(spec('0 9 * jan-mar,DEC sat,sun').daysOfWeek, [0, 6]);
    assert.deepEqual(spec('@hourly').minutes, [0]);
    assert.equal(spec('@hourly').hours.length, 24);
    const either = spec('0 9 1-7 * MON');
    assert.deepEqual([either.dayOfMonthRestricted, either.dayOfWeekRestricted], [true, true]);
    const monthOnly = spec('0 9 13 * ?');
    assert.deepEqual([monthOnly.dayOfMonthRestricted, monthOnly.dayOfWeekRestricted], [true, false]);
  });
  test('L, nL and n#k', () => {
    const s = spec('0 9 L * 5L,MON#2,7#1');
    assert.equal(s.lastDayOfMonth, true);
    assert.deepEqual(s.daysOfMonth, []);
    assert.deepEqual(s.lastDaysOfWeek, [5]);
    assert.deepEqual(s.nthDaysOfWeek, [
      { day: 0, nth: 1 },
      { day: 1, nth: 2 },
    ]);
    assert.deepEqual(s.daysOfWeek, []);
  });
});

describe('nextFireTimes', () => {
  test('names and lists: weekdays at 09:00 UTC, skipping the weekend', () => {
    // 2026-11-27 is a Friday.
    const next = nextFireTimes('0 9 * * MON-FRI', 'UTC', new Date('2026-11-27T10:00:00Z'), 3);
    assert.deepEqual(iso(next), ['2026-11-30T09:00:00.000Z', '2026-12-01T09:00:00.000Z', '2026-12-02T09:00:00.000Z']);
  });

  test('a macro in a zone: @daily in America/New_York is midnight there (05:00Z in winter)', () => {
    const next = nextFireTimes('@daily', 'America/New_York', new Date('2026-12-01T12:00:00Z'), 2);
    assert.deepEqual(iso(next), ['2026-12-02T05:00:00.000Z', '2026-12-03T05:00:00.000Z']);
  });

  test('Europe/Berlin spring forward (Sun 2026-03-29, 02:00 CET -> 03:00 CEST): 09:00 local moves from 08:00Z to 07:00Z', () => {
    const next = nextFireTimes('0 9 * * *', 'Europe/Berlin', new Date('2026-03-27T12:00:00Z'), 3);
    assert.deepEqual(iso(next), ['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });

  test('Europe/Berlin fall back (Sun 2026-10-25, 03:00 CEST -> 02:00 CET): 09:00 local moves from 07:00Z to 08:00Z', () => {
    const next = nextFireTimes('0 9 * * *', 'Europe/Berlin', new Date('2026-10-23T12:00:00Z'), 3);
    assert.deepEqual(iso(next), ['2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  test('hourly across the spring gap: every real hour once, none invented', () => {
    // 00:30Z is 01:30 CET; the next local hours are 02:00 CET (which does not exist), 03:00 CEST = 01:00Z, 04:00 CEST = 02:00Z.
    const next = nextFireTimes('0 * * * *', 'Europe/Berlin', new Date('2026-03-29T00:30:00Z'), 3);
    assert.deepEqual(iso(next), ['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z', '2026-03-29T03:00:00.000Z']);
  });

  test('the weekly-summary schedule (Fridays 16:00 Berlin) across the fall-back week', () => {
    const next = nextFireTimes('0 16 * * FRI', 'Europe/Berlin', new Date('2026-10-20T00:00:00Z'), 2);
    // 2026-10-23 is still CEST (UTC+2), 2026-10-30 is CET (UTC+1).
    assert.deepEqual(iso(next), ['2026-10-23T14:00:00.000Z', '2026-10-30T15:00:00.000Z']);
  });
});
