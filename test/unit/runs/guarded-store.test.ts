import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { guardStore, isGuarded } from '../../../src/runs/guarded-store.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { JournalEntry, RunStore } from '../../../src/runs/types.ts';
import { SecretRegistry } from '../../../src/shared/secrets.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

const SECRET = 'tok-guarded-0123456789';

let dir: string;
let store: RunStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guarded-'));
  store = openSqliteRunStore(join(dir, 'runs.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (over: Partial<JournalEntry> = {}): JournalEntry => ({
  key: 'k1',
  tool: 'CONFLUENCE_CREATE_PAGE',
  args: {},
  result: { data: { id: '1' }, error: null, successful: true },
  attempt: 1,
  step: 's',
  at: '2025-03-07T15:00:00.000Z',
  ...over,
});

describe('redaction', () => {
  test('records and journal entries are redacted on their way in; the caller keeps its own objects', async () => {
    const guarded = guardStore(store, new SecretRegistry([SECRET]));
    const run = sampleRun({ status: 'running', notes: [`header was ${SECRET}`], inputs: { space: 'ENG', key: SECRET } });
    await guarded.save(run);
    const stored = await store.get(run.id);
    assert.deepEqual(stored?.notes, ['header was [redacted]']);
    assert.deepEqual(stored?.inputs, { space: 'ENG', key: '[redacted]' });
    assert.deepEqual(stored?.attempts, run.attempts, 'the rest is kept as it was');
    assert.equal(run.notes[0], `header was ${SECRET}`, 'the record given is not changed');

    const journaled = entry({ args: { title: `t ${SECRET}` }, result: { data: { echo: SECRET }, error: null, successful: true } });
    await guarded.addJournal(run.id, journaled);
    const [read] = await store.journal(run.id);
    assert.deepEqual(read?.args, { title: 't [redacted]' });
    assert.deepEqual(read?.result, { data: { echo: '[redacted]' }, error: null, successful: true });
    assert.equal(read?.key, 'k1', 'the key stays the key of the real arguments');
    assert.equal((journaled.args as { title: string }).title, `t ${SECRET}`);
  });

  test('a secret added to the registry later is masked in every later save, and `redact` is that same redaction', async () => {
    const secrets = new SecretRegistry();
    const guarded = guardStore(store, secrets);
    const run = sampleRun({ status: 'running', notes: [`late ${SECRET}`] });
    await guarded.save(run);
    assert.deepEqual((await store.get(run.id))?.notes, [`late ${SECRET}`], 'not a secret yet');
    assert.equal(guarded.redact(`x ${SECRET}`), `x ${SECRET}`);
    secrets.add(SECRET);
    await guarded.save(run);
    assert.deepEqual((await store.get(run.id))?.notes, ['late [redacted]']);
    await guarded.addJournal(run.id, entry({ args: { body: SECRET } }));
    assert.deepEqual((await store.journal(run.id))[0]?.args, { body: '[redacted]' });
    assert.equal(guarded.redact(`x ${SECRET}`), 'x [redacted]');
  });

  test('guardStore of a guarded store returns it, so nothing is wrapped (or redacted) twice', () => {
    const guarded = guardStore(store, new SecretRegistry([SECRET]));
    assert.equal(isGuarded(store), false);
    assert.equal(isGuarded(guarded), true);
    assert.equal(guardStore(guarded, new SecretRegistry(['other-secret'])), guarded);
  });
});

describe('fencing', () => {
  test('a fenced store drops record saves but keeps journal entries and reads', async () => {
    const fenced = guardStore(store, new SecretRegistry());
    const run = sampleRun({ status: 'running' });
    await fenced.save(run);
    assert.equal((await store.get(run.id))?.status, 'running');
    assert.equal(fenced.fenced, false);
    fenced.fence();
    assert.equal(fenced.fenced, true);
    await fenced.save({ ...run, status: 'cancelled' });
    assert.equal((await store.get(run.id))?.status, 'running', 'the new owner keeps writing; the fenced one does not overwrite');
    assert.equal((await fenced.get(run.id))?.status, 'running', 'reads go through');
    assert.deepEqual(
      (await fenced.list({ status: 'running' })).map((r) => r.id),
      [run.id],
    );
    await fenced.addJournal(run.id, entry());
    assert.deepEqual(
      (await fenced.journal(run.id)).map((e) => e.key),
      ['k1'],
      'a write that happened is still journaled',
    );
    await fenced.close();
    assert.ok(await store.get(run.id), 'closing the wrapper leaves the store open');
  });
});
