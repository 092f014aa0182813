/**
 * Wall time <-> instant in a zone, with the daylight saving policy, on hand-derived values (see the offsets and
 * transition instants in test/unit/workflow/fire-times.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { offsetAt, placeWallTime, wallTimeAt } from '../../../src/workflow/zone-time.ts';

const wall = (s: string) => Date.parse(`${s}Z`);
const at = (s: string) => Date.parse(s);
const HOUR = 3_600_000;

test('offsets of whole, half and three-quarter hours', () => {
  assert.equal(offsetAt('Europe/Berlin', at('2027-01-15T12:00:00Z')), HOUR);
  assert.equal(offsetAt('Europe/Berlin', at('2027-07-15T12:00:00Z')), 2 * HOUR);
  assert.equal(offsetAt('Asia/Kolkata', at('2027-07-15T12:00:00Z')), 5.5 * HOUR);
  assert.equal(offsetAt('Australia/Lord_Howe', at('2027-07-15T12:00:00Z')), 10.5 * HOUR);
  assert.equal(offsetAt('Australia/Lord_Howe', at('2027-01-15T12:00:00Z')), 11 * HOUR);
  assert.equal(offsetAt('Pacific/Chatham', at('2027-07-15T12:00:00Z')), 12.75 * HOUR);
  assert.equal(offsetAt('Pacific/Chatham', at('2027-01-15T12:00:00Z')), 13.75 * HOUR);
  assert.equal(wallTimeAt('America/New_York', at('2027-01-15T12:00:30.900Z')), wall('2027-01-15T07:00:30'), 'to the second');
});

test('an ordinary wall time is one instant', () => {
  assert.deepEqual(placeWallTime('Europe/Berlin', wall('2027-03-28T09:00:00')), { instant: at('2027-03-28T07:00:00Z'), shown: wall('2027-03-28T09:00:00') });
});

test('a skipped wall time lands on the first instant after the gap, and says where the gap ends', () => {
  // Berlin, 28 March 2027 at 01:00Z: 02:00 CET -> 03:00 CEST.
  assert.deepEqual(placeWallTime('Europe/Berlin', wall('2027-03-28T02:30:00')), { instant: at('2027-03-28T01:00:00Z'), shown: wall('2027-03-28T03:00:00') });
  // Lord Howe, 3 October 2027 at 15:30Z (2 October): 02:00 +10:30 -> 02:30 +11:00.
  assert.deepEqual(placeWallTime('Australia/Lord_Howe', wall('2027-10-03T02:15:00')), {
    instant: at('2027-10-02T15:30:00Z'),
    shown: wall('2027-10-03T02:30:00'),
  });
  // Chatham, 26 September 2027 at 14:00Z (25 September): 02:45 +12:45 -> 03:45 +13:45.
  assert.deepEqual(placeWallTime('Pacific/Chatham', wall('2027-09-26T03:44:59')), {
    instant: at('2027-09-25T14:00:00Z'),
    shown: wall('2027-09-26T03:45:00'),
  });
});

test('a repeated wall time is its first occurrence', () => {
  // Berlin, 31 October 2027 at 01:00Z: 03:00 CEST -> 02:00 CET; 02:30 is 00:30Z (CEST), then 01:30Z (CET).
  assert.equal(placeWallTime('Europe/Berlin', wall('2027-10-31T02:30:00')).instant, at('2027-10-31T00:30:00Z'));
  // New York, 7 November 2027 at 06:00Z: 02:00 EDT -> 01:00 EST; 01:59:59 is 05:59:59Z (EDT), then 06:59:59Z.
  assert.equal(placeWallTime('America/New_York', wall('2027-11-07T01:59:59')).instant, at('2027-11-07T05:59:59Z'));
  // Lord Howe, 4 April 2027 at 15:00Z (3 April): 02:00 +11:00 -> 01:30 +10:30; 01:30 is 14:30Z, then 15:00Z.
  assert.equal(placeWallTime('Australia/Lord_Howe', wall('2027-04-04T01:30:00')).instant, at('2027-04-03T14:30:00Z'));
  // Just outside the repeated span: 02:00 exists once, at +10:30 = 15:30Z.
  assert.equal(placeWallTime('Australia/Lord_Howe', wall('2027-04-04T02:00:00')).instant, at('2027-04-03T15:30:00Z'));
});
