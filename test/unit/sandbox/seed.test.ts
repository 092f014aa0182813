import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src/sandbox/store/store.ts';
import { resetSandbox, seedSandbox } from '../../../src/sandbox/seed.ts';

describe('seedSandbox', () => {
  it('produces identical data from the same input, and reset empties it', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-seed-'));
    const a = openStore({ dbPath: join(dir, 'a.db'), clock: () => new Date('2030-01-01T00:00:00.000Z') });
    const b = openStore({ dbPath: join(dir, 'b.db'), clock: () => new Date('2031-05-05T00:00:00.000Z') });
    t.after(() => {
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const now = new Date('2026-11-20T00:00:00.000Z');
    seedSandbox(a, { now });
    seedSandbox(b, { now });
    assert.deepEqual(a.dump(), b.dump());

    const spaces = a.all<{ key: string }>('SELECT key FROM spaces ORDER BY key').map((r) => r.key);
    assert.deepEqual(spaces, ['MKT', 'PROD', 'TEAM']);
    const notes = a.all<{ title: string; created_at: string }>(`SELECT title, created_at FROM content WHERE title LIKE 'Meeting notes 2%' ORDER BY created_at`);
    assert.equal(notes.length, 52);
    assert.equal(notes.at(-1)!.title, 'Meeting notes 2026-11-13');
    assert.ok(notes.every((n) => n.title.endsWith(n.created_at.slice(0, 10))));
    assert.ok(a.get(`SELECT id FROM content WHERE title = 'Q3 Planning' AND version = 3`));
    for (const table of ['labels', 'content_properties', 'space_properties', 'attachments', 'inline_comments', 'likes', 'restrictions', 'audit']) {
      assert.ok(a.all(`SELECT * FROM ${table}`).length > 0, `${table} has rows`);
    }
    assert.ok(a.all<{ account_id: string }>('SELECT account_id FROM users').every((u) => /^712020:[0-9a-f-]{36}$/.test(u.account_id)));

    resetSandbox(a);
    assert.ok(Object.values(a.dump()).every((rows) => rows.length === 0));
  });
});
