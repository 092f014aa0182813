/**
 * The CLI as a child process on files that are not what they should be: workflow "files" that are FIFOs, links
 * to devices, too big or binary, and database paths (RUNNER_DB, RUNNER_SANDBOX_DB, --db) that are folders,
 * devices or no database. Each is one line and exit 2, at once; never a hang, a flood of bytes or a stack trace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayPath } from '../../../src/shared/paths.ts';
import { after, before, describe, test } from 'node:test';
import { looksClean, ROOT, runCli } from './cli-process.ts';

let dir: string;
let files: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostile-files-'));
  files = join(dir, 'workflows');
  mkdirSync(files);
  execFileSync('mkfifo', [join(files, 'fifo.yaml')]);
  symlinkSync('/dev/zero', join(files, 'zero.yaml'));
  writeFileSync(join(files, 'big.yaml'), `version: 1\nname: big\nprompt: hi\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
  // Pseudo-random bytes with NULs and invalid UTF-8, 2.4 MB worth of them cut to 512 kB.
  writeFileSync(join(files, 'random.yaml'), Buffer.from(Array.from({ length: 512 * 1024 }, (_, i) => (i * 2654435761) >>> 24)));
  writeFileSync(join(files, 'good.yaml'), 'version: 1\nname: good\nprompt: Say hello.\n');
  writeFileSync(join(dir, 'junk.db'), 'this is no SQLite database, just text that is long enough to have a header.\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** No terminal control character but newline. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('runner validate and run on files that are no workflow files', () => {
  // A hang on the FIFO (what happened before) ends the test at its timeout instead of blocking the suite.
  test('validate prints one line per file and a summary, without hanging on the FIFO', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await runCli(['validate', files], { env: { RUNNER_DB: join(dir, 'runs.db') } });
    assert.equal(code, 2, stderr);
    const shown = (name: string) => displayPath(join(files, name), ROOT);
    assert.deepEqual(stdout.split('\n').filter(Boolean), [
      `${shown('big.yaml')}:1:1: the file is 2.0 MB, more than the 1 MB a workflow file may be`,
      `${shown('fifo.yaml')}:1:1: not a regular file (a FIFO); a workflow is a YAML file`,
      `${shown('random.yaml')}:1:1: not a text file (it holds NUL bytes); a workflow is UTF-8 YAML`,
      `${shown('zero.yaml')}:1:1: not a regular file (a symbolic link to a device); a workflow is a YAML file`,
      '✗ 5 files checked: 1 valid, 4 invalid (4 errors)',
    ]);
    assert.doesNotMatch(stdout, CONTROL);
    assert.ok(looksClean(stderr), stderr);
  });

  test('run on a FIFO, a link to /dev/zero or binary garbage: one line, exit 2', async () => {
    for (const name of ['fifo.yaml', 'zero.yaml', 'random.yaml']) {
      const { code, stdout, stderr } = await runCli(['run', join(files, name)], { env: { RUNNER_DB: join(dir, 'runs.db') } });
      assert.equal(code, 2, `${name}: ${stderr}`);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^error: .*:1:1: not a (regular|text) file/);
    }
  });
});

test('schedule sync --dry-run leaves a FIFO out with its line instead of hanging on it', async () => {
  const { code, stdout, stderr } = await runCli(['schedule', 'sync', '--dry-run', files], {
    env: { RUNNER_QUEUE_PREFIX: `test-hostile-files-${process.pid}`, RUNNER_DB: join(dir, 'runs.db') },
  });
  assert.equal(code, 2, stderr);
  assert.match(stdout, /^dry run: 0 added, 0 changed, 0 removed/m);
  assert.match(stderr, /fifo\.yaml:1:1: not a regular file \(a FIFO\); a workflow is a YAML file/);
  assert.match(stderr, /4 invalid workflow files left out/);
  assert.ok(looksClean(stderr), stderr);
});

describe('database paths that are no database', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['a directory', () => dir, /is a directory, not a SQLite file/],
    ['a device', () => '/dev/zero', /is a device, not a SQLite file/],
    ['a text file', () => join(dir, 'junk.db'), /is not a SQLite database/],
  ];
  for (const [what, path, message] of cases) {
    test(`RUNNER_DB naming ${what}: runner runs, runner run and runner chat --list exit 2 with one line`, async () => {
      const env = { RUNNER_DB: path() };
      for (const args of [['runs'], ['run', join(files, 'good.yaml')], ['chat', '--list']]) {
        const { code, stdout, stderr } = await runCli(args, { env });
        assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
        assert.equal(stdout, '');
        assert.equal(stderr.trim().split('\n').length, 1, stderr);
        assert.match(stderr, new RegExp(`^error: the (run records|chat sessions) file '${path().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' `));
        assert.match(stderr, message);
        assert.match(stderr, /; set RUNNER_DB to a SQLite file, e\.g\. \.runner\/runs\.db\n$/);
        assert.ok(looksClean(stderr), stderr);
      }
    });
  }

  test('--db and RUNNER_SANDBOX_DB of the sandbox commands naming a directory or a device: exit 2, one line', async () => {
    for (const [args, env] of [
      [['sandbox', 'seed', '--db', dir], {}],
      [['sandbox', 'reset', '--db', '/dev/zero'], {}],
      [['sandbox', 'seed'], { RUNNER_SANDBOX_DB: '/dev/null' }],
      [['sandbox', 'serve', '--port', '0', '--db', dir], {}],
    ] as Array<[string[], Record<string, string>]>) {
      const { code, stdout, stderr } = await runCli(args, { env });
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^error: the sandbox database '.*' is a (directory|device), not a SQLite file; set RUNNER_SANDBOX_DB \(or --db\)/);
    }
  });
});
