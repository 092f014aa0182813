/**
 * Fire times against an oracle worked out by hand: every expected instant below was derived on paper from the
 * zone's offsets and transition instants written in the comments, not computed by the module under test or by
 * any cron library. The policy being checked: Vixie cron's day rule (day-of-month OR day-of-week when both are
 * restricted); a local time skipped by a spring-forward gap runs at the first instant after the gap, once however
 * many skipped times land there; a local time repeated by a fall-back runs once, at its first occurrence.
 *
 * Calendar of 2027 used throughout: 1 January is a Friday, so 1 February is a Monday (31 days = 4 weeks + 3 days),
 * 1 March a Monday (28 days), 1 April a Thursday, 1 May a Saturday, 1 September a Wednesday, 1 October a Friday,
 * 1 November a Monday.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fireTimesOf, nextFireTime, nextFireTimes, scheduleProblem } from '../../../src/workflow/fire-times.ts';

interface Case {
  name: string;
  cron: string;
  zone: string;
  from: string;
  /** Expected UTC instants; as many are asked for. */
  expected: string[];
}

/** '2027-03-28T01:00' or '2027-03-28T01:00:30' as a full ISO instant in UTC. */
const Z = (s: string) => (/T\d\d:\d\d:\d\d$/.test(s) ? `${s}.000Z` : `${s}:00.000Z`);

function check(cases: readonly Case[]): void {
  for (const c of cases) {
    test(`${c.name}: '${c.cron}' in ${c.zone} after ${c.from}`, () => {
      const got = nextFireTimes(c.cron, c.zone, new Date(c.from), c.expected.length).map((d) => d.toISOString());
      assert.deepEqual(got, c.expected.map(Z));
    });
  }
}

// Europe/Berlin: CET = UTC+01:00, CEST = UTC+02:00. EU rule: clocks change at 01:00 UTC on the last Sunday of March
// and of October. 2027: Sunday 28 March (1 March is a Monday: Sundays 7, 14, 21, 28) at 01:00Z, 02:00 CET becomes
// 03:00 CEST, so local 02:00-02:59 does not exist and the first instant after the gap is 01:00Z. Sunday 31 October
// (1 October is a Friday: Sundays 3, 10, 17, 24, 31) at 01:00Z, 03:00 CEST becomes 02:00 CET, so local 02:00-02:59
// happens twice: first at 00:00Z-00:59Z (CEST), again at 01:00Z-01:59Z (CET).
describe('Europe/Berlin 2027', () => {
  check([
    // 27 March 09:00 CET = 08:00Z; 28 March 09:00 CEST = 07:00Z.
    {
      name: 'an ordinary time moves by the offset change',
      cron: '0 9 * * *',
      zone: 'Europe/Berlin',
      from: '2027-03-27T00:00:00Z',
      expected: ['2027-03-27T08:00', '2027-03-28T07:00'],
    },
    // 28 March 02:30 is skipped: the first instant after the gap, 01:00Z. 29 March 02:30 CEST = 00:30Z.
    {
      name: 'a skipped time runs right after the gap',
      cron: '30 2 * * *',
      zone: 'Europe/Berlin',
      from: '2027-03-27T12:00:00Z',
      expected: ['2027-03-28T01:00', '2027-03-29T00:30'],
    },
    // 02:00 and 02:30 are both skipped and both land on 01:00Z: one run. 29 March: 00:00Z and 00:30Z (CEST).
    {
      name: 'two skipped times landing on one instant run once',
      cron: '0,30 2 * * *',
      zone: 'Europe/Berlin',
      from: '2027-03-27T12:00:00Z',
      expected: ['2027-03-28T01:00', '2027-03-29T00:00', '2027-03-29T00:30'],
    },
    // From 01:40 CET (00:40Z): 01:45 CET = 00:45Z; 02:00, 02:15, 02:30, 02:45 skipped -> 01:00Z; 03:00 CEST is 01:00Z
    // too (once); 03:15 CEST = 01:15Z; 03:30 = 01:30Z.
    {
      name: '*/15 through the gap',
      cron: '*/15 * * * *',
      zone: 'Europe/Berlin',
      from: '2027-03-28T00:40:00Z',
      expected: ['2027-03-28T00:45', '2027-03-28T01:00', '2027-03-28T01:15', '2027-03-28T01:30'],
    },
    // 31 October 02:30 happens twice; it runs at the first, 02:30 CEST = 00:30Z. 1 November 02:30 CET = 01:30Z.
    {
      name: 'a repeated time runs once, at its first occurrence',
      cron: '30 2 * * *',
      zone: 'Europe/Berlin',
      from: '2027-10-30T12:00:00Z',
      expected: ['2027-10-31T00:30', '2027-11-01T01:30'],
    },
    // From 02:40 CEST (00:40Z): 02:45 CEST = 00:45Z; the second pass of 02:00-02:59 (01:00Z-01:59Z) repeats what ran;
    // 03:00 CET = 02:00Z; 03:15 CET = 02:15Z.
    {
      name: '*/15 through the repeated hour',
      cron: '*/15 * * * *',
      zone: 'Europe/Berlin',
      from: '2027-10-31T00:40:00Z',
      expected: ['2027-10-31T00:45', '2027-10-31T02:00', '2027-10-31T02:15'],
    },
    // From inside the second pass (01:20Z = 02:20 CET): 02:30 and 02:45 already ran at their first occurrence.
    {
      name: 'from inside the second pass of the repeated hour',
      cron: '*/15 * * * *',
      zone: 'Europe/Berlin',
      from: '2027-10-31T01:20:00Z',
      expected: ['2027-10-31T02:00', '2027-10-31T02:15'],
    },
  ]);
});

// America/New_York: EST = UTC-05:00, EDT = UTC-04:00. US rule: 02:00 local on the second Sunday of March, 02:00 local
// on the first Sunday of November. 2027: Sunday 14 March (Sundays 7, 14) at 02:00 EST = 07:00Z, clocks jump to 03:00
// EDT (local 02:00-02:59 skipped). Sunday 7 November (1 November is a Monday) at 02:00 EDT = 06:00Z, clocks go back to
// 01:00 EST (local 01:00-01:59 twice: 05:00Z-05:59Z EDT, then 06:00Z-06:59Z EST).
describe('America/New_York 2027', () => {
  check([
    // 14 March 02:30 skipped -> 07:00Z; 15 March 02:30 EDT = 06:30Z.
    {
      name: 'a skipped time runs right after the gap',
      cron: '30 2 * * *',
      zone: 'America/New_York',
      from: '2027-03-13T12:00:00Z',
      expected: ['2027-03-14T07:00', '2027-03-15T06:30'],
    },
    // 13 March 09:00 EST = 14:00Z; 14 March 09:00 EDT = 13:00Z.
    {
      name: 'an ordinary time moves by the offset change',
      cron: '0 9 * * *',
      zone: 'America/New_York',
      from: '2027-03-13T00:00:00Z',
      expected: ['2027-03-13T14:00', '2027-03-14T13:00'],
    },
    // 7 November 01:30 first at 01:30 EDT = 05:30Z; 8 November 01:30 EST = 06:30Z.
    {
      name: 'a repeated time runs once, at its first occurrence',
      cron: '30 1 * * *',
      zone: 'America/New_York',
      from: '2027-11-06T12:00:00Z',
      expected: ['2027-11-07T05:30', '2027-11-08T06:30'],
    },
    // From 00:30 EDT (04:30Z): 01:00 EDT = 05:00Z; 01:00 EST (06:00Z) repeats it; 02:00 EST = 07:00Z; 03:00 EST = 08:00Z.
    {
      name: 'hourly through the repeated hour',
      cron: '0 * * * *',
      zone: 'America/New_York',
      from: '2027-11-07T04:30:00Z',
      expected: ['2027-11-07T05:00', '2027-11-07T07:00', '2027-11-07T08:00'],
    },
  ]);
});

// Australia/Lord_Howe: LHST = UTC+10:30, LHDT = UTC+11:00 (a 30-minute shift). Daylight time ends at 02:00 LHDT on the
// first Sunday of April (clocks go back to 01:30, so 01:30-01:59 happens twice) and starts at 02:00 LHST on the first
// Sunday of October (clocks go forward to 02:30, so 02:00-02:29 does not exist). 2027: Sunday 4 April (1 April is a
// Thursday) at 02:00 +11:00 = 3 April 15:00Z; first pass of 01:30-01:59 is 14:30Z-14:59Z, second 15:00Z-15:29Z.
// Sunday 3 October (1 October is a Friday) at 02:00 +10:30 = 2 October 15:30Z, the first instant after the gap.
describe('Australia/Lord_Howe 2027', () => {
  check([
    // Defect 3 (a loop-limit crash before): 2 and 3 April 09:00 +11:00 = 22:00Z the day before; 4 and 5 April 09:00
    // +10:30 = 22:30Z the day before.
    {
      name: 'daily across the April change',
      cron: '0 9 * * *',
      zone: 'Australia/Lord_Howe',
      from: '2027-04-01T00:00:00Z',
      expected: ['2027-04-01T22:00', '2027-04-02T22:00', '2027-04-03T22:30', '2027-04-04T22:30'],
    },
    // Hourly too crashed: from 01:20 LHDT (14:20Z) on 4 April: 02:00 LHDT would be 15:00Z but the clocks read 01:30 LHST
    // then; local 02:00 comes next at 02:00 LHST = 15:30Z; 03:00 = 16:30Z.
    {
      name: 'hourly across the April change',
      cron: '0 * * * *',
      zone: 'Australia/Lord_Howe',
      from: '2027-04-03T14:20:00Z',
      expected: ['2027-04-03T15:30', '2027-04-03T16:30'],
    },
    // 4 April 01:30 happens at 14:30Z (LHDT) and 15:00Z (LHST): it runs at 14:30Z. 5 April 01:30 LHST = 4 April 15:00Z.
    {
      name: 'a repeated time runs at its first occurrence',
      cron: '30 1 * * *',
      zone: 'Australia/Lord_Howe',
      from: '2027-04-03T00:00:00Z',
      expected: ['2027-04-03T14:30', '2027-04-04T15:00'],
    },
    // 3 April 01:45 +11:00 = 14:45Z (2 April); 4 April first 01:45 = 14:45Z (3 April); 5 April 01:45 +10:30 = 15:15Z.
    {
      name: 'a repeated time, day by day',
      cron: '45 1 * * *',
      zone: 'Australia/Lord_Howe',
      from: '2027-04-02T00:00:00Z',
      expected: ['2027-04-02T14:45', '2027-04-03T14:45', '2027-04-04T15:15'],
    },
    // From 01:20 LHDT (14:20Z): 01:30 = 14:30Z, 01:45 = 14:45Z (first pass); second pass 15:00Z-15:29Z repeats them;
    // 02:00 LHST = 15:30Z; 02:15 = 15:45Z.
    {
      name: '*/15 through the repeated half hour',
      cron: '*/15 * * * *',
      zone: 'Australia/Lord_Howe',
      from: '2027-04-03T14:20:00Z',
      expected: ['2027-04-03T14:30', '2027-04-03T14:45', '2027-04-03T15:30', '2027-04-03T15:45'],
    },
    // Defect 4: 3 October 02:30 exists (the gap is only 02:00-02:29): 02:30 +11:00 = 2 October 15:30Z. 2 October 02:30
    // +10:30 = 1 October 16:00Z; 4 October 02:30 +11:00 = 3 October 15:30Z.
    {
      name: 'a time just after a 30-minute gap is not moved',
      cron: '30 2 * * *',
      zone: 'Australia/Lord_Howe',
      from: '2027-10-01T00:00:00Z',
      expected: ['2027-10-01T16:00', '2027-10-02T15:30', '2027-10-03T15:30'],
    },
    // 02:15 on 3 October is skipped -> 15:30Z; 02:45 +11:00 = 15:45Z; 4 October 02:15 +11:00 = 3 October 15:15Z.
    {
      name: 'a skipped time runs right after the 30-minute gap',
      cron: '15,45 2 * * *',
      zone: 'Australia/Lord_Howe',
      from: '2027-10-02T12:00:00Z',
      expected: ['2027-10-02T15:30', '2027-10-02T15:45', '2027-10-03T15:15'],
    },
    // From 01:50 LHST (15:20Z): 02:00 and 02:15 skipped -> 15:30Z; 02:30 LHDT is 15:30Z too (once); 02:45 = 15:45Z.
    {
      name: '*/15 through the 30-minute gap',
      cron: '*/15 * * * *',
      zone: 'Australia/Lord_Howe',
      from: '2027-10-02T15:20:00Z',
      expected: ['2027-10-02T15:30', '2027-10-02T15:45', '2027-10-02T16:00'],
    },
  ]);
});

// Pacific/Chatham: CHAST = UTC+12:45, CHADT = UTC+13:45 (a 45-minute offset, a one-hour shift at 45 past). Daylight
// time starts on the last Sunday of September at 02:45 CHAST (clocks jump to 03:45: 02:45-03:44 does not exist) and
// ends on the first Sunday of April at 03:45 CHADT (clocks go back to 02:45: 02:45-03:44 twice). 2027: Sunday 26
// September (1 September is a Wednesday: Sundays 5, 12, 19, 26) at 02:45 +12:45 = 25 September 14:00Z. Sunday 4 April
// at 03:45 +13:45 = 3 April 14:00Z; first pass of 02:45-03:44 is 13:00Z-13:59Z, second 14:00Z-14:59Z.
describe('Pacific/Chatham 2027', () => {
  check([
    // Defect 4: 26 September 03:45 exists (03:45 CHADT is the first instant after the gap): 25 September 14:00Z, not
    // 15:00Z (04:45). 3 October 03:45 CHADT = 2 October 14:00Z.
    {
      name: '03:45 on the change day is the first instant after the gap',
      cron: '45 3 * * SUN',
      zone: 'Pacific/Chatham',
      from: '2027-09-20T00:00:00Z',
      expected: ['2027-09-25T14:00', '2027-10-02T14:00'],
    },
    // 25 September 03:00 +12:45 = 24 September 14:15Z; 26 September 03:00 skipped -> 14:00Z; 27 September 03:00
    // +13:45 = 26 September 13:15Z.
    {
      name: 'a skipped time runs right after the gap',
      cron: '0 3 * * *',
      zone: 'Pacific/Chatham',
      from: '2027-09-24T12:00:00Z',
      expected: ['2027-09-24T14:15', '2027-09-25T14:00', '2027-09-26T13:15'],
    },
    // From 02:35 CHAST (13:50Z): 02:45, 03:00, 03:15, 03:30 skipped -> 14:00Z; 03:45 CHADT = 14:00Z (once); 04:00 = 14:15Z.
    {
      name: '*/15 through the gap',
      cron: '*/15 * * * *',
      zone: 'Pacific/Chatham',
      from: '2027-09-25T13:50:00Z',
      expected: ['2027-09-25T14:00', '2027-09-25T14:15'],
    },
    // 3 April 03:00 +13:45 = 2 April 13:15Z; 4 April 03:00 first at +13:45 = 3 April 13:15Z; 5 April 03:00 +12:45 =
    // 4 April 14:15Z.
    {
      name: 'a repeated time runs at its first occurrence',
      cron: '0 3 * * *',
      zone: 'Pacific/Chatham',
      from: '2027-04-02T00:00:00Z',
      expected: ['2027-04-02T13:15', '2027-04-03T13:15', '2027-04-04T14:15'],
    },
  ]);
});

// UTC (no offsets to think about): the field rules. 2027-01-01 is a Friday.
describe('fields and day rules', () => {
  check([
    // Defect 1: day-of-month 1-7 OR Monday (Vixie). March 2027: 1-7 every day, then Mondays 8, 15.
    {
      name: 'both day fields restricted: either matches',
      cron: '0 9 1-7 * MON',
      zone: 'UTC',
      from: '2027-03-01T00:00:00Z',
      expected: [
        '2027-03-01T09:00',
        '2027-03-02T09:00',
        '2027-03-03T09:00',
        '2027-03-04T09:00',
        '2027-03-05T09:00',
        '2027-03-06T09:00',
        '2027-03-07T09:00',
        '2027-03-08T09:00',
        '2027-03-15T09:00',
      ],
    },
    // 13th OR Friday: Friday 1, Friday 8, Wednesday 13, Friday 15.
    {
      name: 'the 13th or a Friday',
      cron: '0 12 13 * FRI',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-01T12:00', '2027-01-08T12:00', '2027-01-13T12:00', '2027-01-15T12:00'],
    },
    // Day-of-week `*`: only the day-of-month counts (and `?` is `*`).
    {
      name: 'day-of-week unrestricted: the day-of-month alone',
      cron: '0 12 13 * ?',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-13T12:00', '2027-02-13T12:00', '2027-03-13T12:00'],
    },
    {
      name: 'day-of-month unrestricted: the day-of-week alone',
      cron: '0 12 * * FRI',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-01T12:00', '2027-01-08T12:00', '2027-01-15T12:00'],
    },
    // Defect 1: `5/15` is 5, 20, 35, 50.
    {
      name: 'a/s runs from a to the maximum',
      cron: '5/15 * * * *',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-01T00:05', '2027-01-01T00:20', '2027-01-01T00:35', '2027-01-01T00:50', '2027-01-01T01:05'],
    },
    {
      name: 'a-b/s',
      cron: '10-40/15 9 * * *',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-01T09:10', '2027-01-01T09:25', '2027-01-01T09:40', '2027-01-02T09:10'],
    },
    // Day-of-week 1/2 runs to 7 as in Vixie cron: Monday, Wednesday, Friday, Sunday. Friday 1, Sunday 3, Monday 4, Wednesday 6.
    {
      name: 'a/s in day-of-week reaches 7 (Sunday)',
      cron: '0 12 * * 1/2',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-01T12:00', '2027-01-03T12:00', '2027-01-04T12:00', '2027-01-06T12:00'],
    },
    // Defect 2: 0 and 7 are both Sunday (3, 10, 17 January), merged, not a "duplicate".
    {
      name: '0 and 7 are one Sunday',
      cron: '0 9 * * 0,7',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-03T09:00', '2027-01-10T09:00', '2027-01-17T09:00'],
    },
    // Defect 2: MON twice is Monday once. Friday 1, Monday 4, Tuesday 5.
    {
      name: 'duplicate values are merged',
      cron: '0 9 * * 1-5,MON',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-01T09:00', '2027-01-04T09:00', '2027-01-05T09:00'],
    },
    {
      name: 'duplicate minutes are merged',
      cron: '0,0,30 9 * * *',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-01T09:00', '2027-01-01T09:30', '2027-01-02T09:00'],
    },
    // Seconds first: second 30 of minutes 0, 20, 40 of hour 9.
    {
      name: 'six fields, seconds first',
      cron: '30 */20 9 * * *',
      zone: 'UTC',
      from: '2027-01-01T09:15:00Z',
      expected: ['2027-01-01T09:20:30', '2027-01-01T09:40:30', '2027-01-02T09:00:30'],
    },
    // L: 28 February (2027 is not a leap year), 31 March, 30 April.
    {
      name: 'L is the last day of the month',
      cron: '0 12 L * *',
      zone: 'UTC',
      from: '2027-02-01T00:00:00Z',
      expected: ['2027-02-28T12:00', '2027-03-31T12:00', '2027-04-30T12:00'],
    },
    // L in February only: 29 February 2028, the next leap day.
    { name: 'L in February waits for a leap year', cron: '0 12 L 2 *', zone: 'UTC', from: '2027-03-01T00:00:00Z', expected: ['2028-02-29T12:00'] },
    // 5L, the last Friday: January (Fridays 1, 8, 15, 22, 29) 29; February (1st a Monday: Fridays 5, 12, 19, 26) 26; March 26.
    {
      name: 'nL is the last such weekday',
      cron: '0 12 * * 5L',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-29T12:00', '2027-02-26T12:00', '2027-03-26T12:00'],
    },
    // MON#2: January (Mondays 4, 11) 11; February (1, 8) 8; March (1, 8) 8.
    {
      name: 'n#k is the k-th such weekday',
      cron: '0 12 * * MON#2',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-11T12:00', '2027-02-08T12:00', '2027-03-08T12:00'],
    },
    // 1#5: no fifth Monday in January (4-25), February (1-22) or April (5-26); March 29; May (1st a Saturday: 3-31) 31.
    {
      name: 'a fifth weekday only in months that have one',
      cron: '0 12 * * 1#5',
      zone: 'UTC',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-03-29T12:00', '2027-05-31T12:00'],
    },
    // @weekly is Sunday midnight: 3 and 10 January.
    { name: 'a macro', cron: '@weekly', zone: 'UTC', from: '2027-01-01T00:00:00Z', expected: ['2027-01-03T00:00', '2027-01-10T00:00'] },
    // Month names: January and March only, Sundays (3, 10, ... 31 January; then 7 March).
    { name: 'month and day names', cron: '0 8 * JAN,MAR SUN', zone: 'UTC', from: '2027-01-30T00:00:00Z', expected: ['2027-01-31T08:00', '2027-03-07T08:00'] },
    // A 5:30 offset, no daylight time: 09:30 IST = 04:00Z; Friday 1, Monday 4.
    {
      name: 'a half-hour zone',
      cron: '30 9 * * MON-FRI',
      zone: 'Asia/Kolkata',
      from: '2027-01-01T00:00:00Z',
      expected: ['2027-01-01T04:00', '2027-01-04T04:00'],
    },
  ]);

  test('fire times are strictly after `from`, milliseconds included', () => {
    assert.equal(nextFireTime('0 9 * * *', 'UTC', new Date('2027-01-01T09:00:00.000Z'))?.toISOString(), '2027-01-02T09:00:00.000Z');
    assert.equal(nextFireTime('* * * * * *', 'UTC', new Date('2027-01-01T09:00:00.400Z'))?.toISOString(), '2027-01-01T09:00:01.000Z');
  });

  test('every second through a gap: the skipped hour collapses to one instant', () => {
    // Berlin, 28 March 2027: 00:59:59Z is 01:59:59 CET; every second of 02:00:00-02:59:59 lands on 01:00:00Z, as does
    // 03:00:00 CEST; then 03:00:01 CEST = 01:00:01Z.
    assert.deepEqual(
      nextFireTimes('* * * * * *', 'Europe/Berlin', new Date('2027-03-28T00:59:58Z'), 3).map((d) => d.toISOString()),
      ['2027-03-28T00:59:59.000Z', '2027-03-28T01:00:00.000Z', '2027-03-28T01:00:01.000Z'],
    );
  });

  test('the search is bounded: a rare day is found decades ahead, and nothing loops', () => {
    // A fifth Monday in February needs 29 February on a Monday. 1 January 2044 is a Friday (17 years and 4 leap days
    // after 2027, 21 days: whole weeks), so 1 February 2044 is a Monday, and 29 February too; 2072 likewise (28 years,
    // 7 leap days). The next one after that lies past the 50-year bound (2077).
    const rare = nextFireTimes('0 0 * 2 MON#5', 'UTC', new Date('2027-01-01T00:00:00Z'), 5).map((d) => d.toISOString());
    assert.deepEqual(rare, ['2044-02-29T00:00:00.000Z', '2072-02-29T00:00:00.000Z']);
  });

  test('an invalid expression or zone throws a user error with the validation message', () => {
    assert.throws(() => nextFireTimes('0 0 30 2 *', 'UTC', new Date(), 1), /invalid cron '0 0 30 2 \*': it never fires/);
    assert.throws(() => nextFireTimes('0 25 * * *', 'UTC', new Date(), 1), /hour field '25' is out of range 0-23/);
    assert.throws(() => nextFireTimes('0 9 * * *', 'Mars/Olympus', new Date(), 1), /unknown time zone 'Mars\/Olympus'/);
  });

  test('per-workflow guards never throw: a schedule that cannot be computed is a problem naming cron and zone', () => {
    const from = new Date('2027-01-01T00:00:00Z');
    assert.deepEqual(fireTimesOf({ cron: '0 0 30 2 *', timezone: 'UTC' }, from, 3), {
      next: [],
      problem:
        "cannot compute the fire times of cron '0 0 30 2 *' in UTC: invalid cron '0 0 30 2 *': it never fires: no month in month field '2' has a day in day-of-month field '30'",
    });
    assert.match(fireTimesOf({ cron: '@daily', timezone: 'Mars/Olympus' }, from, 1).problem ?? '', /in Mars\/Olympus: unknown time zone/);
    assert.equal(scheduleProblem({ cron: '0 9 * * 0,7', timezone: 'Australia/Lord_Howe' }, from), undefined);
    // The longest wait a valid expression can have: after 2072, 29 February next falls on a Monday in 2112 (2100 is
    // not a leap year), 40 years on, still inside the 50-year bound.
    assert.equal(nextFireTime('0 0 * 2 MON#5', 'UTC', new Date('2073-01-01T00:00:00Z'))?.toISOString(), '2112-02-29T00:00:00.000Z');
  });
});
