/**
 * The bin on a Node that is too old (the machines' system Node 20, in a terminal without `. scripts/env.sh`): one
 * line saying what to do, exit 2, no stack trace. The entry file is stripped of its types with Node's own
 * stripper and run alone by the old Node: the check must come before anything else loads.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { ROOT, looksClean } from './cli-process.ts';

/** A node binary on PATH (or the usual system places) older than 22, if this machine has one. */
function oldNode(): string | undefined {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'node')), '/usr/bin/node', '/usr/local/bin/node'];
  for (const path of new Set(candidates)) {
    if (!existsSync(path)) continue;
    try {
      const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
      if (Number(/^v(\d+)/.exec(version)?.[1]) < 22) return path;
    } catch {
      // Not runnable: not a candidate.
    }
  }
  return undefined;
}

test('an old Node gets one line naming the version needed and the fix, exit 2', (t) => {
  const node = oldNode();
  if (!node) {
    t.skip('no Node older than 22 on this machine');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'old-node-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const entry = join(dir, 'main.mjs');
  writeFileSync(entry, stripTypeScriptTypes(readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8')));
  return new Promise<void>((resolve) => {
    execFile(node, [entry, 'validate'], { cwd: ROOT }, (error, stdout, stderr) => {
      assert.equal(error?.code, 2, stderr);
      assert.equal(stdout, '');
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, /^error: confluence-runner needs Node\.js 22\.22 or newer .*this is Node 2\d\.\d+\.\d+; run `\. scripts\/env\.sh`/);
      assert.ok(looksClean(stderr));
      resolve();
    });
  });
});
