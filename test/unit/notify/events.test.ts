import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventsOfEnd } from '../../../src/notify/events.ts';
import { namedRules, rulesFor } from '../../../src/notify/rules.ts';
import type { RunFilter, RunRecord, RunStatus } from '../../../src/runs/types.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

/** A run of weekly-summary that ended at minute `minute` with `status`. */
function ended(id: string, status: RunStatus, minute: number, workflow = 'weekly-summary'): RunRecord {
  const at = new Date(Date.UTC(2026, 10, 27, 15, minute)).toISOString();
  return sampleRun({ id, workflow, status, createdAt: at, endedAt: at });
}

/** The runs a store would list, most recent first (as RunStore.list answers). */
function listing(runs: RunRecord[]): { list(filter?: RunFilter): Promise<RunRecord[]> } {
  return {
    list: async (filter = {}) => runs.filter((r) => !filter.workflow || r.workflow === filter.workflow).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  };
}

describe('eventsOfEnd', () => {
  test('each end is its event; cancelled and open runs are none', async () => {
    const none = listing([]);
    for (const status of ['failed', 'waiting', 'missed', 'skipped'] as const) assert.deepEqual(await eventsOfEnd(ended('x', status, 1), none), [status]);
    for (const status of ['cancelled', 'running', 'queued'] as const) assert.deepEqual(await eventsOfEnd(ended('x', status, 1), none), []);
    assert.deepEqual(await eventsOfEnd(ended('x', 'succeeded', 1), none), ['succeeded']);
  });

  test('a success is also recovered when the previous succeeded-or-failed run of the workflow failed', async () => {
    const now = ended('now', 'succeeded', 10);
    const cases: Array<[string, RunRecord[], string[]]> = [
      ['after a failure', [ended('a', 'failed', 5)], ['succeeded', 'recovered']],
      ['after a success', [ended('a', 'failed', 4), ended('b', 'succeeded', 5)], ['succeeded']],
      [
        'cancelled and missed runs in between do not count',
        [ended('a', 'failed', 3), ended('b', 'cancelled', 5), ended('c', 'missed', 6)],
        ['succeeded', 'recovered'],
      ],
      ['another workflow does not count', [ended('a', 'failed', 5, 'other')], ['succeeded']],
      ['a run that ended after this one is not the previous one', [ended('a', 'succeeded', 3), ended('b', 'failed', 12)], ['succeeded']],
      ['the first run ever is no recovery', [], ['succeeded']],
    ];
    for (const [what, before, events] of cases) assert.deepEqual(await eventsOfEnd(now, listing([...before, now])), events, what);
  });
});

describe('rules', () => {
  test("the workflow's rules come first as workflow#n, the defaults' as default#n; a rule is for the events it lists", () => {
    const hook = { kind: 'webhook' as const, url: 'https://hooks.example.com/a' };
    const rules = namedRules([{ on: ['failed'], channel: hook }], [{ on: ['failed', 'recovered'], channel: { kind: 'email', to: ['ops@example.com'] } }]);
    assert.deepEqual(
      rules.map((r) => r.id),
      ['workflow#1', 'default#1'],
    );
    assert.deepEqual(
      rulesFor('failed', rules).map((r) => r.id),
      ['workflow#1', 'default#1'],
    );
    assert.deepEqual(
      rulesFor('recovered', rules).map((r) => r.id),
      ['default#1'],
    );
    assert.deepEqual(rulesFor('waiting', rules), []);
  });
});
