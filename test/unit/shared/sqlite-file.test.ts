import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWalDatabase } from '../../../src/runs/sqlite-store.ts';
import { openStore } from '../../../src/sandbox/store/store.ts';
import { UserError } from '../../../src/shared/errors.ts';
import { openSqliteFile } from '../../../src/shared/sqlite-file.ts';

const NAMES = { what: 'test file', setting: 'TEST_DB', example: 'test.db' };
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-file-'));
  execFileSync('mkfifo', [join(dir, 'fifo.db')]);
  writeFileSync(join(dir, 'text.db'), 'plain text, long enough to fill a SQLite header and then some more.\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The one-line message the open fails with. */
function refusal(open: () => unknown): string {
  try {
    open();
  } catch (error) {
    assert.ok(error instanceof UserError, `a UserError, not ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  assert.fail('the open was expected to fail');
}

describe('openSqliteFile', () => {
  test('a folder, a device, a FIFO (never opened, so no hang) and a path under a file are one-line user errors', () => {
    assert.equal(
      refusal(() => openSqliteFile(dir, NAMES)),
      `the test file '${dir}' is a directory, not a SQLite file; set TEST_DB to a SQLite file, e.g. test.db`,
    );
    assert.match(
      refusal(() => openSqliteFile('/dev/zero', NAMES)),
      /^the test file '\/dev\/zero' is a device, not a SQLite file; /,
    );
    assert.match(
      refusal(() => openSqliteFile(join(dir, 'fifo.db'), NAMES)),
      /is a FIFO, not a SQLite file; /,
    );
    assert.match(
      refusal(() => openSqliteFile(join(dir, 'text.db', 'x.db'), NAMES)),
      /is under a file, not a folder; /,
    );
  });

  test('a file that is no SQLite database is a user error, once SQLite reads it', () => {
    const message = refusal(() => openSqliteFile(join(dir, 'text.db'), NAMES, (db) => db.exec('PRAGMA journal_mode = WAL')));
    assert.equal(message, `the test file '${join(dir, 'text.db')}' is not a SQLite database; set TEST_DB to a SQLite file, e.g. test.db`);
  });

  test('an absent file is created with its folder; :memory: stays in memory; other errors pass through as they are', () => {
    const path = join(dir, 'new', 'deeper', 'fresh.db');
    const db = openSqliteFile(path, NAMES, (opened) => opened.exec('CREATE TABLE t (x)'));
    db.close();
    assert.ok(existsSync(path));
    openSqliteFile(':memory:', NAMES).close();
    assert.throws(
      () => openSqliteFile(join(dir, 'other.db'), NAMES, (opened) => opened.exec('NOT SQL')),
      (error: unknown) => !(error instanceof UserError),
    );
  });

  test('the run store, chat sessions and the sandbox name their setting', () => {
    assert.match(
      refusal(() => openWalDatabase(dir)),
      /^the run records file .* set RUNNER_DB to a SQLite file, e\.g\. \.runner\/runs\.db$/,
    );
    assert.match(
      refusal(() => openStore({ dbPath: '/dev/null' })),
      /^the sandbox database '\/dev\/null' is a device, .* set RUNNER_SANDBOX_DB \(or --db\)/,
    );
  });
});
