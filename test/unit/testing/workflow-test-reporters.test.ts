import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { formatReport } from '../../../src/testing/workflow-test/reporters.ts';
import type { CaseResult } from '../../../src/testing/workflow-test/run-case.ts';
import { junitSchemaErrors } from '../../fixtures/junit.ts';

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
  assert.deepEqual(junitSchemaErrors(text), []);
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

test('junit passes the JUnit schema check when every case passed, when one failed, and with no cases', () => {
  assert.deepEqual(junitSchemaErrors(formatReport([results[0]!], 'junit')), []);
  assert.deepEqual(junitSchemaErrors(formatReport(results, 'junit')), []);
  assert.deepEqual(junitSchemaErrors(formatReport([], 'junit')), []);
});

test('the JUnit schema check names what an invalid report breaks', () => {
  const bad = `<testsuites tests="2" failures="x">
  <testsuite name="s" tests="3" failures="0" errors="0" time="fast">
    <testcase name="a"/>
    <testcase name="b" classname="s" colour="red"><failure message="m" level="9">boom</failure></testcase>
    <oops/>
  </testsuite>
</testsuites>`;
  assert.deepEqual(junitSchemaErrors(bad), [
    'testsuites: failures="x" is not a whole number',
    'testsuites/testsuite[1]: time="fast" is not a number',
    'testsuites/testsuite[1]: element <oops> is not allowed here',
    "testsuites/testsuite[1]/testcase[1]: required attribute 'classname' is missing",
    "testsuites/testsuite[1]/testcase[2]: attribute 'colour' is not allowed",
    "testsuites/testsuite[1]/testcase[2]/failure[1]: attribute 'level' is not allowed",
    'testsuites/testsuite[1]: tests="3" but it holds 2',
    'testsuites/testsuite[1]: failures="0" but it holds 1',
  ]);
  assert.match(junitSchemaErrors('<testsuites><testsuite name="x"></testsuites>')[0]!, /^not well-formed XML: /);
  assert.deepEqual(junitSchemaErrors('<testsuite tests="0"/>'), ["testsuite: required attribute 'name' is missing"]);
});
