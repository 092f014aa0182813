/**
 * The built CLI (scripts/build.ts: an esbuild bundle with one chunk per lazy import) behaves as the source does.
 * Built into a temporary package folder whose package.json, schemas/ and node_modules/ point at the repository's,
 * so files the code finds from its own location (src/shared/paths.ts) are found from the bundle too.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, looksClean, runCli, type CliResult } from './cli-process.ts';

let pkg: string;
let bin: string;

/** Runs the built bin in the repository root, as `runCli` runs the source. */
function runBuilt(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('the built CLI', () => {
  before(() => {
    pkg = mkdtempSync(join(tmpdir(), 'built-cli-'));
    for (const name of ['package.json', 'schemas', 'node_modules']) symlinkSync(join(ROOT, name), join(pkg, name));
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.ts'), join(pkg, 'dist')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    bin = join(pkg, 'dist/cli/main.js');
  });
  after(() => rmSync(pkg, { recursive: true, force: true }));

  test('--version reads package.json from the bundle', async () => {
    const { code, stdout } = await runBuilt(['--version']);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  test('validate prints what the source prints, for valid and invalid workflows (the latter read schemas/)', async () => {
    for (const args of [
      ['validate', 'workflows/'],
      ['validate', 'test/fixtures/workflows/invalid'],
    ]) {
      const [built, source] = await Promise.all([runBuilt(args), runCli(args)]);
      assert.deepEqual(built, source, args.join(' '));
      assert.ok(looksClean(built.stderr), built.stderr);
    }
  });

  test('a bundled package reaches the Node built-ins it loads on first use (liquidjs: crypto for sha256)', async () => {
    const chunks = join(pkg, 'dist/chunks');
    const file = readdirSync(chunks).find((f) => f.endsWith('.js') && /export \{[^}]*\bcreateTemplateEngine\b/.test(readFileSync(join(chunks, f), 'utf8')));
    assert.ok(file, 'the chunk of src/workflow/templates.ts');
    const { createTemplateEngine } = (await import(join(chunks, file))) as typeof import('../../../src/workflow/templates.ts');
    assert.equal(createTemplateEngine().render('{{ "abc" | sha256 }}', {}), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('every chunk loads: no bundled code needs what an ES module lacks, and every external package resolves', () => {
    const chunks = join(pkg, 'dist/chunks');
    const files = readdirSync(chunks).filter((f) => f.endsWith('.js'));
    const script = `for (const f of ${JSON.stringify(files)}) await import(${JSON.stringify(`${chunks}/`)} + f); process.exit(0);`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  });
});
