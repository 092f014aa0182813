import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runsFilter, runsQuery } from '../../../src/dashboard/pages/runs.ts';

test('filters from the URL become a store filter; a "to" day includes that whole day', () => {
  const { query, problems } = runsQuery(new URLSearchParams('workflow=weekly-summary&status=failed&trigger=schedule&from=2026-11-01&to=2026-11-30'));
  assert.deepEqual(problems, []);
  assert.deepEqual(runsFilter(query), {
    workflow: 'weekly-summary',
    status: 'failed',
    trigger: 'schedule',
    since: '2026-11-01T00:00:00.000Z',
    until: '2026-12-01T00:00:00.000Z',
    limit: 50,
  });
});

test('paging: before narrows until, and the earlier of the two wins', () => {
  const { query } = runsQuery(new URLSearchParams('to=2026-11-30&before=2026-11-20T10:00:00.000Z'));
  assert.equal(runsFilter(query, 51).until, '2026-11-20T10:00:00.000Z');
  assert.equal(runsFilter(query, 51).limit, 51);
});

test('unknown values are dropped and said', () => {
  const { query, problems } = runsQuery(new URLSearchParams('status=exploded&trigger=cron&from=yesterday'));
  assert.deepEqual(query, {});
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /unknown status 'exploded' \(one of queued, running/);
  assert.match(problems[2]!, /'yesterday' is not a date/);
});
