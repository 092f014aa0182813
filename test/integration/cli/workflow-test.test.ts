/**
 * `runner test` end to end: real CLI processes running workflow test files on fresh sandboxes with the scripted
 * model (no model key), every reporter, the exit codes 0 (all passed), 1 (a case failed) and 2 (invalid test file).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { junitSchemaErrors } from '../../fixtures/junit.ts';
import { looksClean, ROOT, runCli } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'workflow-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
copyFileSync(join(ROOT, 'workflows/label-q3-planning.yaml'), join(dir, 'label-q3-planning.yaml'));

/** A test file in the temp folder. */
function testFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const WRONG_TITLE = testFile(
  'wrong-title.test.yaml',
  `workflow: label-q3-planning.yaml
cases:
  - name: right title
    expect:
      confluence: [{ cql: 'label = urgent AND space = PROD', count: 1, title_matches: "^Q3 Planning$" }]
  - name: wrong title
    expect:
      confluence: [{ cql: 'label = urgent AND space = PROD', title_matches: "^Q4 Planning$" }]
`,
);

test('runner test workflows/ passes every shipped case (exit 0)', async () => {
  const r = await runCli(['test', 'workflows/']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ workflows\/label-q3-planning\.test\.yaml › labels the Q3 page urgent/);
  assert.match(r.stdout, /✓ workflows\/meeting-summary-post\.test\.yaml › /);
  assert.match(r.stdout, /\d+ cases: \d+ passed, 0 failed/);
});

test('a failing case exits 1 and prints expected vs got and the run id', async () => {
  const r = await runCli(['test', WRONG_TITLE]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ .*› right title/);
  assert.match(r.stdout, /✗ .*› wrong title \(\d+ ms, run [0-9a-f-]{36}\)/);
  assert.match(r.stdout, /^ {4}confluence 'label = urgent AND space = PROD': expected titles matching \/\^Q4 Planning\$\/, got \[Q3 Planning\]$/m);
  assert.match(r.stdout, /2 cases: 1 passed, 1 failed/);
  assert.ok(looksClean(r.stdout + r.stderr));
});

test('an invalid test file exits 2 with every problem as file:line:col, and nothing runs', async () => {
  const file = testFile(
    'invalid.test.yaml',
    `workflow: label-q3-planning.yaml
cases:
  - name: typo
    expct: { status: succeeded }
  - name: model for a tool step
    model:
      find: [{ final: x }]
`,
  );
  const r = await runCli(['test', file]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /invalid\.test\.yaml:4:5: unknown key 'expct'; did you mean 'expect'\?/);
  const missing = testFile('missing-workflow.test.yaml', 'workflow: nowhere.yaml\ncases: [{ name: x }]\n');
  const m = await runCli(['test', missing]);
  assert.equal(m.code, 2);
  assert.match(m.stdout, /missing-workflow\.test\.yaml:1:11: workflow 'nowhere\.yaml' cannot be tested: .*no such file/);
  const wrongStep = testFile('wrong-step.test.yaml', 'workflow: label-q3-planning.yaml\ncases:\n  - name: x\n    model:\n      find: [{ final: x }]\n');
  const w = await runCli(['test', wrongStep]);
  assert.equal(w.code, 2);
  assert.match(w.stdout, /wrong-step\.test\.yaml:5:7: 'find' is no prompt step of workflow 'label-q3-planning'; it has no prompt steps/);
  assert.ok(looksClean(r.stdout + m.stdout + w.stdout));
});

test('--reporter junit is valid JUnit XML with the right counts; --reporter tap is TAP 13', async () => {
  const r = await runCli(['test', WRONG_TITLE, '--reporter', 'junit']);
  assert.equal(r.code, 1);
  assert.equal(XMLValidator.validate(r.stdout), true);
  assert.deepEqual(junitSchemaErrors(r.stdout), []);
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
  assert.equal(xml.testsuites.tests, '2');
  assert.equal(xml.testsuites.failures, '1');
  const cases = [xml.testsuites.testsuite.testcase].flat();
  assert.equal(cases.length, 2);
  assert.match(cases[1].failure['#text'], /expected titles matching \/\^Q4 Planning\$\/, got \[Q3 Planning\]/);

  const passing = await runCli(['test', 'workflows/', '--reporter', 'junit']);
  assert.equal(passing.code, 0, passing.stderr);
  assert.deepEqual(junitSchemaErrors(passing.stdout), []);
  assert.match(passing.stdout, /<testsuites name="runner test" tests="\d+" failures="0"/);

  const t = await runCli(['test', WRONG_TITLE, '--reporter', 'tap', '--jobs', '1']);
  assert.equal(t.code, 1);
  assert.ok(t.stdout.startsWith('TAP version 13\n1..2\nok 1 - '), t.stdout);
  assert.match(t.stdout, /^not ok 2 - .*wrong title$/m);

  const j = await runCli(['test', WRONG_TITLE, '--reporter', 'json']);
  const results = JSON.parse(j.stdout) as Array<{ passed: boolean; runId: string; failures: string[] }>;
  assert.deepEqual(
    results.map((x) => x.passed),
    [true, false],
  );
  assert.match(results[1]!.runId, /^[0-9a-f-]{36}$/);
});

test("a prompt step answered by scripted turns; final is Liquid over the step's call results; running out of turns fails clearly", async () => {
  writeFileSync(
    join(dir, 'find-page.yaml'),
    `version: 1
name: find-page
description: Find the Q3 page and answer with its id.
tools:
  allow: [CONFLUENCE_SEARCH_CONTENT]
steps:
  - id: find
    prompt: Find the page "Q3 Planning" in PROD and answer with its id and title.
    output:
      schema: { type: object, required: [id, title], properties: { id: { type: string }, title: { type: string } } }
`,
  );
  const file = testFile(
    'find-page.test.yaml',
    `workflow: find-page.yaml
cases:
  - name: scripted search
    at: 2026-11-27T16:00:00+01:00
    model:
      find:
        - call: CONFLUENCE_SEARCH_CONTENT
          with: { query: Q3 Planning, spaceKey: PROD, limit: 5 }
        - final:
            id: "{{ calls.last.result.data.response_data.results[0].content.id }}"
            title: "{{ calls[0].result.data.response_data.results[0].content.title }}"
    expect:
      calls: [CONFLUENCE_SEARCH_CONTENT]
      outputs:
        find.title: { equals: Q3 Planning }
        find.id: { matches: "^[0-9]+$" }
  - name: too few turns
    model:
      find:
        - call: CONFLUENCE_SEARCH_CONTENT
          with: { query: Q3 Planning }
`,
  );
  const r = await runCli(['test', file]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ .*› scripted search/);
  assert.match(r.stdout, /✗ .*› too few turns/);
  assert.match(r.stdout, /status: expected succeeded, got failed \(.*the model script of step 'find' ran out of turns \(it has 1, the step asked for turn 2\)/);
});

test('a case of a workflow with prompt steps must script the model', async () => {
  const file = testFile('no-model.test.yaml', `workflow: ${join(ROOT, 'workflows/meeting-summary-post.yaml')}\ncases:\n  - name: forgot the model\n`);
  const r = await runCli(['test', file]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /no-model\.test\.yaml:3:5: case 'forgot the model' needs 'model' turns: workflow 'meeting-summary-post' has prompt steps \(publish\)/);
});
