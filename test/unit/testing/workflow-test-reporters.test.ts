import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { formatReport } from '../../../src/testing/workflow-test/reporters.ts';
import type { CaseResult } from '../../../src/testing/workflow-test/run-case.ts';

const results: CaseResult[] = [
  { file: 'a.test.yaml', name: 'ok <case>', passed: true, failures: [], runId: 'r1', durationMs: 5 },
  {
    file: 'a.test.yaml',
    name: 'bad & "quoted" # case',
    passed: false,
    failures: ['status: expected succeeded, got failed (<x> & \u0007)'],
    runId: 'r2',
    durationMs: 7,
  },
];

test('junit escapes names and failure text, drops control characters, and counts', () => {
  const text = formatReport(results, 'junit');
  assert.equal(XMLValidator.validate(text), true);
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text);
  assert.equal(xml.testsuites.tests, '2');
  assert.equal(xml.testsuites.failures, '1');
  const [, bad] = xml.testsuites.testsuite.testcase;
  assert.equal(bad.name, 'bad & "quoted" # case');
  assert.match(bad.failure['#text'], /got failed \(<x> & \)\nrun r2$/);
});

test('tap: version line, plan, a # in a name escaped, failures as YAML', () => {
  const lines = formatReport(results, 'tap').split('\n');
  assert.deepEqual(lines.slice(0, 4), ['TAP version 13', '1..2', 'ok 1 - a.test.yaml › ok <case>', 'not ok 2 - a.test.yaml › bad & "quoted" \\# case']);
  assert.deepEqual(lines.slice(4), ['  ---', '  run: "r2"', '  failures:', '    - "status: expected succeeded, got failed (<x> & \\u0007)"', '  ...']);
});

test('human: ✓/✗, failures indented, a summary line', () => {
  assert.equal(
    formatReport(results, 'human'),
    [
      '✓ a.test.yaml › ok <case> (5 ms, run r1)',
      '✗ a.test.yaml › bad & "quoted" # case (7 ms, run r2)',
      '    status: expected succeeded, got failed (<x> & \u0007)',
      '2 cases: 1 passed, 1 failed',
    ].join('\n'),
  );
});
