import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dateFilters, textFilters } from '../../../src/workflow/template-filters.ts';
import { createTemplateEngine } from '../../../src/workflow/templates.ts';

const utc = dateFilters(() => 'UTC');
const berlin = dateFilters(() => 'Europe/Berlin');

// Calendar facts used below, worked out by hand: 2026-01-01 is a Thursday, so ISO week 2026-W01 starts on Monday
// 2025-12-29 and 2026 has 53 ISO weeks (a year whose 1 January is a Thursday always does). 2026-12-31 is 364 days
// after 1 January, so also a Thursday; W53 runs Monday 2026-12-28 to Sunday 2027-01-03, and 2027-W01 starts on
// Monday 2027-01-04. 2026-11-23 is a Monday (329 days = 47 weeks after 2025-12-29, so it starts 2026-W48) and
// 2026-11-27 the Friday of that week.
describe('iso_week', () => {
  test('ordinary week', () => assert.equal(utc.iso_week!('2026-11-27T12:00:00Z'), '2026-W48'));
  test('2026-12-31 is in 2026-W53', () => assert.equal(utc.iso_week!('2026-12-31T12:00:00Z'), '2026-W53'));
  test('2027-01-01 still belongs to 2026-W53', () => assert.equal(utc.iso_week!('2027-01-01T12:00:00Z'), '2026-W53'));
  test('2027-01-03 (Sunday) ends 2026-W53; 2027-01-04 (Monday) starts 2027-W01', () => {
    assert.equal(utc.iso_week!('2027-01-03T12:00:00Z'), '2026-W53');
    assert.equal(utc.iso_week!('2027-01-04T00:00:00Z'), '2027-W01');
  });
  test('2025-12-29 (Monday) is already 2026-W01', () => assert.equal(utc.iso_week!('2025-12-29T08:00:00Z'), '2026-W01'));
  test('the zone decides the day: Sunday 23:30Z is Monday 00:30 in Berlin, a week later', () => {
    assert.equal(utc.iso_week!('2026-12-27T23:30:00Z'), '2026-W52');
    assert.equal(berlin.iso_week!('2026-12-27T23:30:00Z'), '2026-W53');
    assert.equal(utc.iso_week!('2026-12-27T23:30:00Z', 'Europe/Berlin'), '2026-W53', 'a zone argument overrides the default');
  });
});

describe('zone handling', () => {
  // 2026-11-27T23:30:00Z is Friday in UTC but already Saturday 00:30 (UTC+1) in Berlin.
  const late = '2026-11-27T23:30:00Z';
  test('to_date gives the local calendar date', () => {
    assert.equal(utc.to_date!(late), '2026-11-27');
    assert.equal(berlin.to_date!(late), '2026-11-28');
  });
  test('format_date formats in the zone', () => {
    assert.equal(utc.format_date!(late, 'cccc d LLLL yyyy'), 'Friday 27 November 2026');
    assert.equal(berlin.format_date!(late, 'cccc d LLLL yyyy'), 'Saturday 28 November 2026');
    assert.equal(berlin.format_date!(late), '2026-11-28', 'default format is an ISO date');
  });
  test('last_weekday "friday" depends on which day it already is', () => {
    assert.equal(utc.last_weekday!(late, 'friday'), '2026-11-20');
    assert.equal(berlin.last_weekday!(late, 'friday'), '2026-11-27');
  });
  test('in_zone keeps the instant and shows the offset', () => {
    assert.equal(utc.in_zone!(late, 'Asia/Tokyo'), '2026-11-28T08:30:00.000+09:00');
    assert.equal(berlin.in_zone!(late), '2026-11-28T00:30:00.000+01:00');
  });
  test('an offset in the input does not override the zone', () => {
    assert.equal(utc.to_date!('2026-11-28T00:30:00+01:00'), '2026-11-27');
  });
});

describe('weekday filters', () => {
  test('last_weekday on a Monday goes back a whole week (strictly before)', () => {
    assert.equal(utc.last_weekday!('2026-11-23T10:00:00Z', 'monday'), '2026-11-16');
  });
  test('last_weekday from a Friday', () => {
    assert.equal(utc.last_weekday!('2026-11-27T10:00:00Z', 'monday'), '2026-11-23');
    assert.equal(utc.last_weekday!('2026-11-27T10:00:00Z', 'Sunday'), '2026-11-22', 'names are case-insensitive');
  });
  test('next_weekday on a Friday goes forward a whole week (strictly after)', () => {
    assert.equal(utc.next_weekday!('2026-11-27T10:00:00Z', 'friday'), '2026-12-04');
    assert.equal(utc.next_weekday!('2026-11-27T10:00:00Z', 'monday'), '2026-11-30');
  });
  test('an unknown weekday is an error that lists the names', () => {
    assert.throws(() => utc.last_weekday!('2026-11-27T10:00:00Z', 'mon'), /unknown weekday 'mon' \(use monday, tuesday/);
  });
});

describe('start_of / end_of / add_days', () => {
  const friday = '2026-11-27T10:00:00Z';
  test('weeks start on Monday and end on Sunday', () => {
    assert.equal(utc.start_of!(friday, 'week'), '2026-11-23');
    assert.equal(utc.end_of!(friday, 'week'), '2026-11-29');
    assert.equal(utc.start_of!('2026-11-23T00:00:00Z', 'week'), '2026-11-23', 'a Monday is its own week start');
    assert.equal(utc.start_of!('2026-11-29T23:59:00Z', 'week'), '2026-11-23', 'a Sunday belongs to the week before');
  });
  test('week of 2027-01-01 starts in 2026', () => assert.equal(utc.start_of!('2027-01-01T12:00:00Z', 'week'), '2026-12-28'));
  test('month, year and day', () => {
    assert.equal(utc.start_of!(friday, 'month'), '2026-11-01');
    assert.equal(utc.end_of!(friday, 'month'), '2026-11-30');
    assert.equal(utc.end_of!('2028-02-10T00:00:00Z', 'month'), '2028-02-29', 'leap year');
    assert.equal(utc.start_of!(friday, 'year'), '2026-01-01');
    assert.equal(utc.start_of!(friday), '2026-11-27', 'default unit is day');
  });
  test('start_of in the zone: late Sunday UTC is Monday in Berlin, a new week', () => {
    assert.equal(utc.start_of!('2026-11-29T23:30:00Z', 'week'), '2026-11-23');
    assert.equal(berlin.start_of!('2026-11-29T23:30:00Z', 'week'), '2026-11-30');
  });
  test('an unknown unit is an error', () =>
    assert.throws(() => utc.start_of!(friday, 'fortnight'), /unknown unit 'fortnight' \(use day, week, month or year\)/));
  test('add_days moves by local days, keeping the wall-clock time across DST', () => {
    // Berlin leaves summer time on 2026-10-25: 12:00 CEST (10:00Z) plus one day is 12:00 CET (11:00Z).
    assert.equal(berlin.add_days!('2026-10-24T10:00:00Z', 1), '2026-10-25T12:00:00.000+01:00');
    assert.equal(utc.add_days!('2026-03-01T00:00:00Z', -1), '2026-02-28T00:00:00.000Z');
  });
});

test('a value that is not a date is an error naming it', () => {
  assert.throws(() => utc.to_date!('next tuesday'), /not a date: 'next tuesday'/);
});

describe('markdown filter', () => {
  test('renders Markdown as storage format', () => {
    const { markdown } = textFilters();
    assert.equal(
      markdown!('# Hi\n\n- [x] a & b'),
      '<h1>Hi</h1>\n<ac:task-list>\n<ac:task><ac:task-status>complete</ac:task-status><ac:task-body>a &amp; b</ac:task-body></ac:task>\n</ac:task-list>',
    );
    assert.equal(markdown!(undefined), '');
    assert.equal(markdown!(42), '<p>42</p>');
  });

  test('is known to the template engine, checked at load time', () => {
    const engine = createTemplateEngine();
    assert.equal(engine.render('{{ body | markdown }}', { body: '**x** <y>' }), '<p><strong>x</strong> &lt;y&gt;</p>');
    assert.deepEqual(engine.check('{{ body | markdown }}').error, undefined);
    assert.equal(engine.check('{{ body | markdwn }}').error?.message, "unknown filter 'markdwn'; did you mean 'markdown'?");
  });
});
