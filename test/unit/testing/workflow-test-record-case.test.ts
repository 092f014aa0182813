import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepRecord, ToolCallRecord } from '../../../src/runs/types.ts';
import { caseFromRun } from '../../../src/testing/workflow-test/record-case.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

const at = '2026-11-27T15:00:00.000Z';

function call(tool: string, effect: ToolCallRecord['effect'], args: unknown, extra: Partial<ToolCallRecord> = {}): ToolCallRecord {
  return { tool, effect, args, status: 'ok', startedAt: at, durationMs: 1, ...extra };
}

function step(id: string, toolCalls: ToolCallRecord[], extra: Partial<StepRecord> = {}): StepRecord {
  return { id, kind: 'prompt', status: 'succeeded', toolCalls, startedAt: at, ...extra };
}

function runOf(steps: StepRecord[]) {
  return sampleRun({ scheduledAt: at, attempts: [{ number: 1, status: 'succeeded', startedAt: at, steps }] });
}

test('calls of one model turn become one calls: turn; ids made earlier in the step become calls[i] references', () => {
  const run = runOf([
    step(
      'write',
      [
        call('CONFLUENCE_GET_SPACES', 'read', { spaceKey: ['ENG'] }, { turn: 1, result: { results: [{ id: '7', key: 'ENG' }] } }),
        call('CONFLUENCE_CREATE_PAGE', 'write', { spaceId: '7', title: 'A' }, { turn: 2, result: { id: '501', title: 'A', spaceId: '7' } }),
        call('CONFLUENCE_CREATE_PAGE', 'write', { spaceId: '7', title: 'B' }, { turn: 2, result: { id: '502', title: 'B', spaceId: '7' } }),
        call('CONFLUENCE_ADD_CONTENT_LABEL', 'write', { id: '501', labels: [] }, { turn: 3, status: 'refused', error: 'not allowed' }),
      ],
      { output: 'made 501 and 502' },
    ),
  ]);
  const { testCase, warnings } = caseFromRun(run, 'r');
  assert.deepEqual(warnings, []);
  assert.equal(testCase.at, at);
  assert.deepEqual(testCase.model?.write, [
    { call: 'CONFLUENCE_GET_SPACES', with: { spaceKey: ['ENG'] } },
    {
      calls: [
        { call: 'CONFLUENCE_CREATE_PAGE', with: { spaceId: '7', title: 'A' } },
        { call: 'CONFLUENCE_CREATE_PAGE', with: { spaceId: '7', title: 'B' } },
      ],
    },
    { call: 'CONFLUENCE_ADD_CONTENT_LABEL', with: { id: '{{ calls[1].result.data.id }}', labels: [] } },
    { final: 'made 501 and 502' },
  ]);
  assert.deepEqual(testCase.expect, {
    status: 'succeeded',
    calls: ['CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_CREATE_PAGE'],
    ordered: true,
    refused: 1,
    confluence: [
      { cql: 'type = page AND space = ENG AND title = "A"', count: 1 },
      { cql: 'type = page AND space = ENG AND title = "B"', count: 1 },
    ],
  });
});

test('cut arguments stop the script with a warning; an id made by an earlier step is left as recorded with a warning', () => {
  const run = runOf([
    step('make', [call('CONFLUENCE_CREATE_BLOGPOST', 'write', { spaceKey: 'ENG', title: 'P' }, { turn: 1, result: { id: '900', title: 'P' } })], {
      output: { id: '900' },
    }),
    step('use', [
      call('CONFLUENCE_GET_PAGE_BY_ID', 'read', { id: '900' }, { turn: 1 }),
      call('CONFLUENCE_UPDATE_PAGE', 'write', { id: '900', body: 'xxx' }, { turn: 2, argsTruncated: true }),
    ]),
  ]);
  const { testCase, warnings } = caseFromRun(run, 'r');
  assert.deepEqual(testCase.model?.make, [
    { call: 'CONFLUENCE_CREATE_BLOGPOST', with: { spaceKey: 'ENG', title: 'P' } },
    { final: { id: '{{ calls.last.result.data.id }}' } },
  ]);
  assert.deepEqual(testCase.model?.use, [{ call: 'CONFLUENCE_GET_PAGE_BY_ID', with: { id: '900' } }]);
  assert.deepEqual(warnings, [
    "step 'use': '900' is the id of content step 'make' created; left as recorded (it will differ in the sandbox)",
    "step 'use': the arguments of CONFLUENCE_UPDATE_PAGE (turn 2) were cut in the record; the script stops before it — complete it by hand",
  ]);
  assert.deepEqual(testCase.expect?.confluence, [{ cql: 'type = blogpost AND space = ENG AND title = "P"', count: 1 }]);
});

test('a run of tool steps only has no model turns', () => {
  const run = runOf([{ ...step('find', [call('CONFLUENCE_SEARCH_CONTENT', 'read', { query: 'x' })]), kind: 'tool' }]);
  const { testCase } = caseFromRun(run, 'r');
  assert.equal(testCase.model, undefined);
  assert.deepEqual(testCase.expect?.calls, []);
});
