/**
 * Page bodies through the real gateway: with `tools.body_format: markdown` the model's Markdown lands on the site as
 * well-formed storage and the record keeps both; with `storage`, a malformed body is repaired (or sent as escaped
 * text) instead of failing with a 400. Real parts: the embedded sandbox, the SQLite run store, the scripted model.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isWellFormedStorage } from '../../../src/confluence/storage-repair.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { MARKDOWN_BODIES } from '../../../src/engine/instructions.ts';
import type { RunRecord, ToolCallRecord } from '../../../src/runs/types.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { startSandbox } from '../../../src/sandbox/server.ts';
import { startScriptedModelServer, type ScriptedTurn } from '../../../src/testing/scripted-model-server.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';

/** The seeded TEAM space. */
const TEAM = '98307';
const MARKDOWN = '# Plan\n\nShip **it** & tell <everyone>.\n\n- [ ] write notes\n- [x] cut release\n\n```sh\necho "]]>"\n```\n\n> [!WARNING]\n> Mind the gap.';

async function run(t: TestContext, dir: string, bodyFormat: string, script: ScriptedTurn[]): Promise<{ record: RunRecord; instructions: string }> {
  const model = await startScriptedModelServer({ script });
  const store = openSqliteRunStore(join(dir, `runs-${bodyFormat}.db`));
  t.after(async () => {
    await store.close();
    await model.close();
  });
  const config = loadConfig({ cwd: dir, env: { RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'), RUNNER_MODEL_RETRIES: '0', OPENAI_BASE_URL: model.url } });
  const { workflow, diagnostics } = loadWorkflowText(
    'test.yaml',
    `
version: 1
name: bodies
tools:
  body_format: ${bodyFormat}
  allow: [CONFLUENCE_CREATE_PAGE]
prompt: Write the pages.
`,
    { tools: confluenceCatalogue() },
  );
  assert.deepEqual(diagnostics, []);
  const record = await runWorkflow(workflow!, {}, { config, store });
  assert.equal(record.status, 'succeeded', JSON.stringify(record.error));
  return { record, instructions: model.requests[0]!.instructions ?? '' };
}

const calls = (record: RunRecord): ToolCallRecord[] => record.attempts.flatMap((a) => a.steps.flatMap((s) => s.toolCalls));
const create = (title: string, value: string) => ({ name: 'CONFLUENCE_CREATE_PAGE', arguments: { spaceId: TEAM, title, body: { storage: { value } } } });

/** The stored storage body of each page the calls created, read back over REST. */
async function storedBodies(t: TestContext, dir: string, created: ToolCallRecord[]): Promise<string[]> {
  const sandbox = await startSandbox({ dbPath: join(dir, 'sandbox.db'), port: 0 });
  t.after(() => sandbox.close());
  const auth = `Basic ${Buffer.from(`${sandbox.email}:${sandbox.apiToken}`).toString('base64')}`;
  const out: string[] = [];
  for (const call of created) {
    const id = (call.result as { id: string }).id;
    const res = await fetch(`${sandbox.url}/wiki/api/v2/pages/${id}?body-format=storage`, { headers: { Authorization: auth, Accept: 'application/json' } });
    assert.equal(res.status, 200);
    out.push(((await res.json()) as { body: { storage: { value: string } } }).body.storage.value);
  }
  return out;
}

test('body_format markdown: the Markdown becomes storage on the site, and the record keeps both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'body-format-md-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { record, instructions } = await run(t, dir, 'markdown', [
    { toolCalls: [create('From Markdown', MARKDOWN), create('Already storage', '<p>Kept <b>as</b> is</p>')] },
    { text: 'done' },
  ]);
  assert.ok(instructions.includes(MARKDOWN_BODIES), 'the model is told to write Markdown');
  const [converted, kept] = calls(record);
  assert.equal(converted!.status, 'ok', converted!.error ?? '');
  assert.equal(converted!.markdown, MARKDOWN);
  assert.match(converted!.note!, /written in Markdown/);
  const sent = (converted!.args as { body: { storage: { value: string } } }).body.storage.value;
  assert.ok(isWellFormedStorage(sent), sent);
  assert.equal(kept!.markdown, undefined);
  assert.match(kept!.note!, /already well-formed storage/);

  const [onSite, keptOnSite] = await storedBodies(t, dir, [converted!, kept!]);
  assert.equal(onSite, sent);
  assert.equal(
    onSite,
    '<h1>Plan</h1>\n<p>Ship <strong>it</strong> &amp; tell &lt;everyone&gt;.</p>\n' +
      '<ac:task-list>\n<ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>write notes</ac:task-body></ac:task>\n' +
      '<ac:task><ac:task-status>complete</ac:task-status><ac:task-body>cut release</ac:task-body></ac:task>\n</ac:task-list>\n' +
      '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[echo "]]]]><![CDATA[>"]]></ac:plain-text-body></ac:structured-macro>\n' +
      '<ac:structured-macro ac:name="note"><ac:rich-text-body>\n<p>Mind the gap.</p>\n</ac:rich-text-body></ac:structured-macro>',
  );
  assert.equal(keptOnSite, '<p>Kept <b>as</b> is</p>');
});

test('body_format storage: malformed storage is repaired or escaped, lands, and the record says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'body-format-st-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { record, instructions } = await run(t, dir, 'storage', [
    {
      toolCalls: [
        create('Repaired', '<p>Fish & chips<br><b>bold</p>'),
        create('Escaped', '<p a="1" a="2">dup</p>'),
        create('Fine', '<p>ok</p>'),
        create('Markdown text', '# not converted'),
      ],
    },
    { text: 'done' },
  ]);
  assert.ok(!instructions.includes(MARKDOWN_BODIES));
  const made = calls(record);
  assert.deepEqual(
    made.map((c) => c.status),
    ['ok', 'ok', 'ok', 'ok'],
  );
  assert.equal(made[0]!.note, 'the storage body was not well-formed XML; the runner escaped a stray &, self-closed <br>, closed <b>');
  assert.match(made[1]!.note!, /could not be repaired; the runner sent it as escaped text/);
  assert.equal(made[2]!.note, undefined);
  assert.equal(made[3]!.note, undefined, 'with body_format storage, text is not taken for Markdown');
  assert.deepEqual(await storedBodies(t, dir, made), [
    '<p>Fish &amp; chips<br /><b>bold</b></p>',
    '<p>&lt;p a="1" a="2"&gt;dup&lt;/p&gt;</p>',
    '<p>ok</p>',
    '# not converted',
  ]);
});
