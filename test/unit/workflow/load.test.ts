/**
 * Reading workflow files that are not what they claim: FIFOs, devices and links to them, files too big to parse,
 * binary garbage, and YAML shaped to make parsing slow. Each is one diagnostic (or a capped list), quickly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatDiagnostic } from '../../../src/shared/errors.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import {
  findWorkflowFiles,
  loadWorkflowFile,
  loadWorkflowText,
  MAX_DIAGNOSTICS,
  MAX_WORKFLOW_BYTES,
  readWorkflowSource,
  readWorkflowSourceSync,
} from '../../../src/workflow/load.ts';

const options = { tools: confluenceCatalogue() };
const VALID = 'version: 1\nname: fine\nprompt: Say hello.\n';
let dir: string;
let socketServer: Server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'load-'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
  symlinkSync(join(dir, 'fifo.yaml'), join(dir, 'to-fifo.yaml'));
  writeFileSync(join(dir, 'big.yaml'), `${VALID}# ${'x'.repeat(2 * 1024 * 1024)}\n`);
  writeFileSync(join(dir, 'exact.yaml'), `${VALID}#${'x'.repeat(MAX_WORKFLOW_BYTES - VALID.length - 2)}\n`);
  writeFileSync(join(dir, 'random.yaml'), Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 256)));
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('version: 1\nname: caf\xe9\nprompt: x\n', 'latin1'));
  writeFileSync(join(dir, 'bom.yaml'), `\uFEFF${VALID}`);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(dir, 'socket.yaml'), resolve));
});
after(async () => {
  await new Promise((resolve) => socketServer.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The diagnostics of one file, as `runner validate` prints them. */
async function problems(name: string): Promise<string[]> {
  const result = await loadWorkflowFile(join(dir, name), options);
  return result.diagnostics.map(formatDiagnostic);
}

describe('files that are no workflow files', () => {
  test('a FIFO is refused without being opened (opening it would wait for a writer)', async () => {
    assert.deepEqual(await problems('fifo.yaml'), [`${join(dir, 'fifo.yaml')}:1:1: not a regular file (a FIFO); a workflow is a YAML file`]);
    assert.deepEqual(await problems('to-fifo.yaml'), [
      `${join(dir, 'to-fifo.yaml')}:1:1: not a regular file (a symbolic link to a FIFO); a workflow is a YAML file`,
    ]);
  });

  test('a device and a socket are refused, also behind a link', async () => {
    assert.deepEqual(await problems('zero.yaml'), [
      `${join(dir, 'zero.yaml')}:1:1: not a regular file (a symbolic link to a device); a workflow is a YAML file`,
    ]);
    const direct = await loadWorkflowFile('/dev/null', options);
    assert.deepEqual(direct.diagnostics.map(formatDiagnostic), ['/dev/null:1:1: not a regular file (a device); a workflow is a YAML file']);
    assert.deepEqual(await problems('socket.yaml'), [`${join(dir, 'socket.yaml')}:1:1: not a regular file (a socket); a workflow is a YAML file`]);
  });

  test('a file over 1 MB is refused before it is read; one of exactly 1 MB is read', async () => {
    assert.deepEqual(await problems('big.yaml'), [`${join(dir, 'big.yaml')}:1:1: the file is 2.0 MB, more than the 1 MB a workflow file may be`]);
    assert.deepEqual(await problems('exact.yaml'), []);
    const text = loadWorkflowText('queued.yaml', `${VALID}#${'x'.repeat(MAX_WORKFLOW_BYTES)}`, options);
    assert.deepEqual(text.diagnostics.map(formatDiagnostic), ['queued.yaml:1:1: the file is 1.0 MB, more than the 1 MB a workflow file may be']);
  });

  test('binary garbage and text that is not UTF-8 are one line each', async () => {
    assert.deepEqual(await problems('random.yaml'), [`${join(dir, 'random.yaml')}:1:1: not a text file (it holds NUL bytes); a workflow is UTF-8 YAML`]);
    assert.deepEqual(await problems('latin1.yaml'), [`${join(dir, 'latin1.yaml')}:1:1: not a text file (it is not valid UTF-8); a workflow is UTF-8 YAML`]);
  });

  test('a UTF-8 file keeps its BOM in the source, as before (the workflow hash covers it)', async () => {
    const result = await loadWorkflowFile(join(dir, 'bom.yaml'), options);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.workflow!.source, `\uFEFF${VALID}`);
  });

  test('the synchronous reader gives the same answers', async () => {
    for (const name of ['fifo.yaml', 'zero.yaml', 'socket.yaml', 'big.yaml', 'random.yaml', 'latin1.yaml', 'bom.yaml', 'missing.yaml']) {
      assert.deepEqual(readWorkflowSourceSync(join(dir, name)), await readWorkflowSource(join(dir, name)), name);
    }
    assert.deepEqual(readWorkflowSourceSync(join(dir, 'missing.yaml')), { ok: false, problem: 'no such file' });
  });

  test('a folder search lists special files named *.yaml, so each gets its line', async () => {
    const found = await findWorkflowFiles([dir]);
    assert.ok(found.includes(join(dir, 'fifo.yaml')) && found.includes(join(dir, 'zero.yaml')));
  });
});

describe('YAML shaped to make parsing slow', () => {
  // Quadratic checks took minutes on these (the test timeout, not a clock in the test, catches a relapse).
  test('a file of 70,000 unknown keys is checked, its problems capped with a count', { timeout: 60_000 }, () => {
    let text = 'version: 1\nname: many\nprompt: hi\n';
    for (let i = 0; i < 70_000; i++) text += `k${i}: ${i}\n`;
    assert.ok(text.length < MAX_WORKFLOW_BYTES);
    const result = loadWorkflowText('many.yaml', text, options);
    assert.equal(result.diagnostics.length, MAX_DIAGNOSTICS + 1);
    assert.equal(
      formatDiagnostic(result.diagnostics[0]!),
      `many.yaml:1:1: too many problems: only the first ${MAX_DIAGNOSTICS} are shown (and 69900 more); fix those first`,
    );
    assert.match(formatDiagnostic(result.diagnostics[1]!), /^many\.yaml:4:1: unknown key 'k0'/);
  });

  test('a file of 100,000 duplicate keys is checked; each duplicate names the first line', { timeout: 60_000 }, () => {
    const text = `version: 1\n${'a: 1\n'.repeat(100_000)}`;
    const result = loadWorkflowText('dups.yaml', text, options);
    assert.equal(result.diagnostics.length, MAX_DIAGNOSTICS + 1);
    assert.equal(
      formatDiagnostic(result.diagnostics[0]!),
      `dups.yaml:1:1: too many problems: only the first ${MAX_DIAGNOSTICS} are shown (and 99899 more); fix those first`,
    );
    assert.equal(formatDiagnostic(result.diagnostics[1]!), "dups.yaml:3:1: duplicate key 'a' (first at line 2); each key may appear only once in a map");
  });
});
