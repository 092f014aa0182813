import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeCall, describeStep } from '../../../src/cli/step-summary.ts';
import type { StepRecord, ToolCallRecord } from '../../../src/runs/types.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

function call(tool: string, args: unknown, result: unknown, extra: Partial<ToolCallRecord> = {}): ToolCallRecord {
  return { tool, effect: 'read', args, status: 'ok', result, startedAt: '2026-11-27T15:01:02.000Z', durationMs: 5, ...extra };
}

function step(toolCalls: ToolCallRecord[], extra: Partial<StepRecord> = {}): StepRecord {
  return { id: 's', kind: 'tool', status: 'succeeded', toolCalls, startedAt: '2026-11-27T15:01:00.000Z', ...extra };
}

/** Results as the sandbox answers them (trimmed to the fields the summary reads, plus some it ignores). */
const BLOGPOST = call(
  'CONFLUENCE_CREATE_BLOGPOST',
  { spaceId: '98307', title: 'Weekly summary 2026-W48', status: 'current', body: { representation: 'storage', value: '<p>…</p>' } },
  {
    id: '98403',
    status: 'current',
    title: 'Weekly summary 2026-W48',
    spaceId: '98307',
    _links: { webui: '/spaces/TEAM/blog/2026/11/27/98403/Weekly+summary+2026-W48' },
  },
  { effect: 'write' },
);
const SEARCH = call(
  'CONFLUENCE_SEARCH_CONTENT',
  { query: 'Q3 Planning', spaceKey: 'PROD' },
  {
    response_data: {
      results: ['Q3 Planning', 'Q3 Retro', 'Q3 Budget', 'Q3 OKRs'].map((title, i) => ({
        content: { id: String(98382 + i), type: 'page', title },
        title,
        excerpt: '…',
      })),
      size: 4,
    },
  },
);
const PAGE = (id: string, title: string) => call('CONFLUENCE_GET_PAGE_BY_ID', { id }, { id, title, spaceId: '98309', version: { number: 3 } });
const LABEL = (id: string) =>
  call(
    'CONFLUENCE_ADD_CONTENT_LABEL',
    { id, labels: [{ prefix: 'global', name: 'weekly-summary' }] },
    [{ prefix: 'global', name: 'weekly-summary', id: '1' }],
    {
      effect: 'write',
    },
  );

describe('describeCall', () => {
  test('a created blog post names its title and space key', () => {
    assert.equal(describeCall(BLOGPOST), 'created blog post "Weekly summary 2026-W48" in TEAM');
  });
  test('a search counts its results and names the first titles', () => {
    assert.equal(describeCall(SEARCH), 'found 4 results: "Q3 Planning", "Q3 Retro", "Q3 Budget", …');
  });
  test('a read names the page', () => {
    assert.equal(describeCall(PAGE('98382', 'Q3 Planning')), 'read page "Q3 Planning"');
  });
  test('a listing counts what it got', () => {
    const spaces = call(
      'CONFLUENCE_GET_SPACES',
      { limit: 2 },
      {
        results: [
          { id: '1', key: 'MKT', name: 'Marketing' },
          { id: '2', key: 'TEAM', name: 'Team' },
        ],
      },
    );
    assert.equal(describeCall(spaces), 'got 2 spaces: "MKT", "TEAM"');
    const labels = call('CONFLUENCE_GET_LABELS_FOR_PAGE', { id: '1' }, { results: [{ name: 'a' }] });
    assert.equal(describeCall(labels), 'got 1 label: "a"');
  });
  test('a listing of an unknown kind counts items', () => {
    assert.equal(
      describeCall(call('CONFLUENCE_GET_PAGE_TREE', { id: '1' }, { results: [{ title: 'A' }, { title: 'B' }] })),
      'got page tree: 2 items: "A", "B"',
    );
  });
  test('a label names the content and the labels', () => {
    assert.equal(describeCall(LABEL('98403')), 'labelled content 98403 with "weekly-summary"');
  });
  test('statuses: simulated, journaled, refused, failed, hosted', () => {
    assert.equal(describeCall({ ...BLOGPOST, status: 'simulated', result: undefined }), 'would have created blog post "Weekly summary 2026-W48" in 98307');
    assert.equal(describeCall({ ...BLOGPOST, status: 'journaled' }), 'created blog post "Weekly summary 2026-W48" in TEAM (done earlier)');
    const [, , refused] = sampleRun().attempts[1]!.steps[0]!.toolCalls;
    assert.equal(describeCall(refused!), "CONFLUENCE_DELETE_PAGE refused: CONFLUENCE_DELETE_PAGE is not in this workflow's tools.allow");
    assert.equal(
      describeCall(call('CONFLUENCE_GET_PAGE_BY_ID', { id: '9' }, undefined, { status: 'error', error: 'page 9 not found (404)' })),
      'CONFLUENCE_GET_PAGE_BY_ID failed: page 9 not found (404)',
    );
    assert.equal(describeCall(call('confluence_search', {}, undefined, { status: 'hosted' })), 'confluence_search ran at the model provider');
  });
  test('an unknown tool says it ran; hostile text is made printable', () => {
    assert.equal(describeCall(call('OTHER_TOOL', {}, {})), 'OTHER_TOOL ok');
    assert.equal(describeCall(PAGE('1', 'a\x1b[2Jb')), 'read page "a\\x1b[2Jb"');
  });
});

describe('describeStep', () => {
  test('several calls of one tool are counted', () => {
    assert.equal(describeStep(step([LABEL('1'), LABEL('2'), LABEL('3')])), 'labelled 3 items');
    assert.equal(describeStep(step([SEARCH, PAGE('1', 'A'), PAGE('2', 'B')])), 'found 4 results: "Q3 Planning", "Q3 Retro", "Q3 Budget", …; read 2 pages');
  });
  test('a prompt step: its calls, refused and failed ones counted, then its output', () => {
    const gather = sampleRun().attempts[1]!.steps[0]!;
    assert.equal(
      describeStep(gather),
      'found 1 result: "Release notes"; CONFLUENCE_GET_PAGE_BY_ID failed: page 99999 not found (404); 1 call refused (not allowed); → {"pages":[{"id":"98310","title":"Release notes","author":"Ada"}],"summary":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…',
    );
  });
  test('the fixture publish step: journaled, simulated and hosted calls', () => {
    const publish = sampleRun().attempts[1]!.steps[1]!;
    assert.equal(
      describeStep(publish),
      'created blog post "Week 48 in ENG" in 98305 (done earlier); 1 write simulated (preview); 1 call at the model provider',
    );
  });
  test('a step without calls', () => {
    assert.equal(describeStep(step([])), '(no tool calls)');
    assert.equal(describeStep(step([], { kind: 'prompt', output: 'Done.\nAll good.' })), '→ Done. All good.');
  });
});
