import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { formatDiagnostic } from '../../../src/shared/errors.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowFile, loadWorkflowFiles } from '../../../src/workflow/load.ts';

// Diagnostics carry paths relative to the repo root, as `runner validate` prints them from there.
process.chdir(fileURLToPath(new URL('../../..', import.meta.url)));

const DIR = 'test/fixtures/workflows';
const options = { tools: confluenceCatalogue() };
const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
const expectedLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('valid workflows', () => {
  const files = yamlIn(`${DIR}/valid`);
  test('the corpus has at least 8 valid files', () => assert.ok(files.length >= 8, `${files.length} files`));
  for (const name of files) {
    test(name, async () => {
      const result = await loadWorkflowFile(`${DIR}/valid/${name}`, options);
      assert.deepEqual(result.diagnostics.map(formatDiagnostic), []);
      assert.ok(result.workflow, 'a valid file yields a workflow');
      assert.equal(result.workflow.name, name.replace(/\.yaml$/, ''), 'each valid fixture is named after its file');
    });
  }

  test('defaults and parsed values end up in the built workflow', async () => {
    const load = async (name: string) => (await loadWorkflowFile(`${DIR}/valid/${name}.yaml`, options)).workflow!;
    const approval = await load('approval');
    assert.deepEqual(approval.approval, {
      requiredFor: ['CONFLUENCE_CREATE_BLOGPOST'],
      timeoutMs: 8 * 3600_000,
      approversNote: 'Check the post before it goes to {{ inputs.space }}.',
    });
    assert.equal((await load('single-prompt')).approval, undefined, 'no approval unless asked for');
    const retry = await load('retry-asserts');
    assert.deepEqual(retry.retry, { attempts: 4, backoff: { type: 'fixed', delayMs: 45_000 } });
    assert.deepEqual(
      retry.steps.map((s) => s.kind),
      ['tool', 'tool'],
    );
    const hosted = await load('composio-hosted');
    assert.deepEqual(hosted.limits, { maxTurns: 5, timeoutMs: 90 * 60_000, maxTokens: 20_000, maxToolCalls: 100 });
    assert.equal(hosted.tools.mode, 'hosted');
    const single = await load('single-prompt');
    assert.equal(single.steps.length, 1);
    assert.equal(single.steps[0]!.id, 'main');
    assert.equal(single.timezone, 'UTC');
    assert.equal(single.mode, 'live');
    assert.deepEqual(single.retry, { attempts: 1, backoff: { type: 'exponential', delayMs: 30_000 } });
    const preview = await load('date-filters-preview');
    assert.equal(preview.mode, 'preview');
    assert.deepEqual(preview.schedule, { cron: '30 7 1 * *', timezone: 'Asia/Tokyo', overlap: 'skip', catchup: 'none', catchupWindowMs: 24 * 3600_000 });
    assert.deepEqual(preview.notify, [], 'nobody is notified unless asked for');
    const policies = await load('notify-and-policies');
    assert.deepEqual(policies.schedule, { cron: '0 9 * * MON', timezone: 'Europe/Paris', overlap: 'queue', catchup: 'latest', catchupWindowMs: 12 * 3600_000 });
    assert.deepEqual(policies.notify, [
      { on: ['failed', 'missed', 'waiting', 'recovered'], channel: { kind: 'webhook', url: { env: 'ALERT_URL' }, secret: { env: 'ALERT_SECRET' } } },
      { on: ['failed'], channel: { kind: 'slack', url: { env: 'SLACK_WEBHOOK_URL' } } },
      { on: ['failed', 'waiting'], channel: { kind: 'email', to: ['docs-team@example.com'] } },
    ]);
    assert.equal(preview.retry.backoff.delayMs, 500);
    const mcp = await load('mcp-url');
    assert.deepEqual(mcp.tools.mcp?.headers, { Authorization: { env: 'CONFLUENCE_MCP_TOKEN' }, 'X-Team': 'docs' });
  });
});

describe('invalid workflows give exactly their expected diagnostics', () => {
  const files = yamlIn(`${DIR}/invalid`);
  test('the corpus has at least 45 invalid files, each paired with a .expected file', () => {
    assert.ok(files.length >= 45, `${files.length} files`);
    const expected = readdirSync(`${DIR}/invalid`)
      .filter((f) => f.endsWith('.expected'))
      .sort();
    assert.deepEqual(
      expected,
      files.map((f) => f.replace(/\.yaml$/, '.expected')),
    );
  });
  for (const name of files) {
    test(name, async () => {
      const file = `${DIR}/invalid/${name}`;
      const result = await loadWorkflowFile(file, options);
      assert.equal(result.workflow, undefined);
      assert.deepEqual(result.diagnostics.map(formatDiagnostic), expectedLines(file.replace(/\.yaml$/, '.expected')));
    });
  }
});

test('two files with the same workflow name: the second is reported, pointing at the first', async () => {
  const dir = `${DIR}/duplicate-names`;
  const results = await loadWorkflowFiles(
    yamlIn(dir).map((f) => `${dir}/${f}`),
    options,
  );
  assert.ok(results[0]!.workflow, 'the first file keeps its workflow');
  assert.equal(results[1]!.workflow, undefined);
  assert.deepEqual(
    results.flatMap((r) => r.diagnostics.map(formatDiagnostic)),
    expectedLines(`${dir}/folder.expected`),
  );
});

test('a missing file is one diagnostic at 1:1', async () => {
  const result = await loadWorkflowFile(`${DIR}/valid/no-such-file.yaml`, options);
  assert.deepEqual(result.diagnostics.map(formatDiagnostic), [`${DIR}/valid/no-such-file.yaml:1:1: no such file`]);
});
