import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { PROGRAM } from '../../../src/cli/program.ts';
import type { CommandSpec } from '../../../src/cli/args.ts';
import { looksClean, ROOT, runCli } from './cli-process.ts';

const INVALID = 'test/fixtures/workflows/invalid';
const VALID = 'test/fixtures/workflows/valid';
const invalidFiles = readdirSync(`${ROOT}${INVALID}`)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const expected = invalidFiles.flatMap((f) =>
  readFileSync(`${ROOT}${INVALID}/${f.replace(/\.yaml$/, '.expected')}`, 'utf8')
    .split('\n')
    .filter((l) => l !== ''),
);

describe('runner validate on the invalid corpus', () => {
  test('exit 2, every expected line in order, a summary, no stack trace', async () => {
    const { code, stdout, stderr } = await runCli(['validate', INVALID]);
    assert.equal(code, 2);
    const lines = stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(lines.slice(0, -1), expected, 'exactly the expected diagnostics, file by file');
    assert.equal(lines.at(-1), `✗ ${invalidFiles.length} files checked: 0 valid, ${invalidFiles.length} invalid (${expected.length} errors)`);
    assert.ok(looksClean(stdout) && looksClean(stderr), stderr);
  });

  test('--json carries the same diagnostics', async () => {
    const { code, stdout, stderr } = await runCli(['validate', INVALID, '--json']);
    assert.equal(code, 2);
    assert.ok(looksClean(stderr), stderr);
    const report = JSON.parse(stdout) as {
      valid: boolean;
      files: Array<{ file: string; valid: boolean; errors: Array<{ line: number; col: number; message: string }> }>;
      summary: { files: number; valid: number; invalid: number; errors: number };
    };
    assert.equal(report.valid, false);
    assert.deepEqual(report.summary, { files: invalidFiles.length, valid: 0, invalid: invalidFiles.length, errors: expected.length });
    assert.deepEqual(
      report.files.map((f) => f.file),
      invalidFiles.map((f) => `${INVALID}/${f}`),
    );
    assert.ok(report.files.every((f) => !f.valid && f.errors.length > 0));
    assert.deepEqual(
      report.files.flatMap((f) => f.errors.map((e) => `${f.file}:${e.line}:${e.col}: ${e.message}`)),
      expected,
    );
  });

  test('one file at a time prints its diagnostics and a one-file summary', async () => {
    const { code, stdout } = await runCli(['validate', `${INVALID}/many-errors.yaml`]);
    assert.equal(code, 2);
    const own = expected.filter((l) => l.startsWith(`${INVALID}/many-errors.yaml:`));
    assert.equal(stdout, `${own.join('\n')}\n✗ 1 file checked: 0 valid, 1 invalid (${own.length} errors)\n`);
  });
});

describe('runner validate on good input and bad paths', () => {
  test('the valid folder exits 0', async () => {
    const count = readdirSync(`${ROOT}${VALID}`).filter((f) => f.endsWith('.yaml')).length;
    const { code, stdout, stderr } = await runCli(['validate', VALID, 'workflows/weekly-summary.yaml']);
    assert.equal(code, 0, stdout + stderr);
    assert.equal(stdout, `✓ ${count + 1} files valid\n`);
    assert.equal(stderr, '');
  });

  test('--json on valid files', async () => {
    const { code, stdout } = await runCli(['validate', 'workflows/weekly-summary.yaml', '--json']);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), {
      valid: true,
      files: [{ file: 'workflows/weekly-summary.yaml', valid: true, name: 'weekly-summary', errors: [] }],
      summary: { files: 1, valid: 1, invalid: 0, errors: 0 },
    });
  });

  test('a missing path exits 2 with one line on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['validate', 'no/such/place.yaml']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /no\/such\/place\.yaml: no such file or directory/);
  });
});

describe('usage mistakes', () => {
  test('an unknown command exits 2 and suggests the closest', async () => {
    const { code, stdout, stderr } = await runCli(['valdate', 'workflows']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /unknown command 'valdate'; did you mean 'validate'\?/i);
    assert.ok(looksClean(stderr), stderr);
  });

  test('an unknown flag exits 2 and suggests the closest', async () => {
    const { code, stderr } = await runCli(['validate', 'workflows', '--jsn']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown flag '--jsn'; did you mean '--json'\?/i);
    assert.ok(looksClean(stderr), stderr);
  });
});

/** Every command of the program, as argv prefixes (`['validate']`, `['sandbox', 'serve']`, ...), the root included. */
function commandPaths(command: CommandSpec, prefix: string[] = []): string[][] {
  return [prefix, ...(command.subcommands ?? []).flatMap((c) => commandPaths(c, [...prefix, c.name]))];
}

test('--help and --version exit 0 on every command', async () => {
  const paths = commandPaths(PROGRAM);
  assert.ok(paths.length >= 6, 'root plus validate, list, init, run, tools');
  const version = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
  await Promise.all(
    paths.map(async (path) => {
      const help = await runCli([...path, '--help']);
      assert.equal(help.code, 0, `${path.join(' ')} --help: ${help.stderr}`);
      assert.match(help.stdout, new RegExp(`^Usage: runner${path.map((p) => ` ${p}`).join('')}\\b`), path.join(' '));
      const shown = await runCli([...path, '--version']);
      assert.equal(shown.code, 0, `${path.join(' ')} --version: ${shown.stderr}`);
      assert.equal(shown.stdout.trim(), version);
    }),
  );
});
