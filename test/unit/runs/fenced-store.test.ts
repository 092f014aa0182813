import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fencedStore } from '../../../src/runs/fenced-store.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

test('a fenced store drops record saves but keeps journal entries and reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fenced-'));
  const store = openSqliteRunStore(join(dir, 'runs.db'));
  try {
    const fenced = fencedStore(store);
    const run = sampleRun({ status: 'running' });
    await fenced.save(run);
    assert.equal((await store.get(run.id))?.status, 'running');
    fenced.fence();
    assert.equal(fenced.fenced, true);
    await fenced.save({ ...run, status: 'cancelled' });
    assert.equal((await store.get(run.id))?.status, 'running', 'the new owner keeps writing; the fenced one does not overwrite');
    const entry = {
      key: 'k1',
      tool: 'CONFLUENCE_CREATE_PAGE',
      args: {},
      result: { data: { id: '1' }, error: null, successful: true },
      attempt: 1,
      step: 's',
      at: new Date().toISOString(),
    };
    await fenced.addJournal(run.id, entry);
    assert.deepEqual(
      (await fenced.journal(run.id)).map((e) => e.key),
      ['k1'],
      'a write that happened is still journaled',
    );
    await fenced.close();
    assert.ok(await store.get(run.id), 'closing the wrapper leaves the store open');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
