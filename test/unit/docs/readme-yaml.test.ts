/**
 * Every ```yaml block of README.md validates with the real loader. A block that is a whole workflow is loaded as it
 * is; a fragment starts with `# fragment: <what it is>` and is loaded inside a minimal workflow (its keys merged at the
 * top level); a workflow test file starts with `# workflow test` and is loaded as one, beside a copy of the example
 * workflow it names; a block that is no workflow at all starts with `# not a workflow: <reason>` and is only parsed
 * as YAML.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { formatDiagnostic } from '../../../src/shared/errors.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';
import { loadWorkflowTestFile } from '../../../src/workflow/test-file.ts';

const README = new URL('../../../README.md', import.meta.url);

/** The minimal workflow a fragment is loaded inside; the fragment's own keys follow it. */
const WRAPPER = 'version: 1\nname: readme-fragment\nprompt: Say hello.\n';

interface Block {
  line: number;
  text: string;
}

function yamlBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```yaml') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    blocks.push({ line: start + 1, text: `${lines.slice(start, end).join('\n')}\n` });
    i = end;
  }
  return blocks;
}

const blocks = yamlBlocks(readFileSync(README, 'utf8'));

test('README.md has YAML blocks', () => {
  assert.ok(blocks.length >= 2, `found ${blocks.length}`);
});

for (const block of blocks) {
  test(`README.md:${block.line} validates`, async () => {
    const first = block.text.split('\n')[0]!.trim();
    if (first.startsWith('# workflow test')) {
      const dir = mkdtempSync(join(tmpdir(), 'readme-test-file-'));
      try {
        const workflow = String((parse(block.text) as { workflow: string }).workflow);
        copyFileSync(new URL(`../../../workflows/${workflow}`, import.meta.url), join(dir, workflow));
        writeFileSync(join(dir, 'readme.test.yaml'), block.text);
        const result = await loadWorkflowTestFile(join(dir, 'readme.test.yaml'), { tools: confluenceCatalogue() });
        assert.deepEqual(result.diagnostics.map(formatDiagnostic), [], '(a workflow test file)');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return;
    }
    const skip = /^# not a workflow: (\S.*)$/.exec(first);
    if (skip) {
      assert.doesNotThrow(() => parse(block.text));
      return;
    }
    const fragment = /^# fragment: (\S.*)$/.test(first);
    const text = fragment ? WRAPPER + block.text : block.text;
    const result = loadWorkflowText(`README.md:${block.line}`, text, { tools: confluenceCatalogue() });
    assert.deepEqual(result.diagnostics.map(formatDiagnostic), [], fragment ? '(a fragment, inside the minimal workflow)' : '(a whole workflow)');
    assert.ok(result.workflow);
  });
}
