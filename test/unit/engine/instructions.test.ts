import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentInstructions, MARKDOWN_BODIES } from '../../../src/engine/instructions.ts';
import type { JournalEntry } from '../../../src/runs/types.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';

const { workflow } = loadWorkflowText('w.yaml', 'version: 1\nname: weekly-summary\nprompt: Summarise the week.\n', { tools: confluenceCatalogue() });
const FRAME =
  'You are carrying out the workflow "weekly-summary" unattended: nobody will answer questions. ' +
  'Use the tools you are given to do the task, check what they return, and then give your final answer. ' +
  'If a tool call is refused or fails, do not pretend it succeeded: say so in your final answer.';

const entry = (tool: string, args: unknown, data: unknown): JournalEntry => ({
  key: `k-${tool}`,
  tool,
  args,
  result: { data, error: null, successful: true },
  attempt: 1,
  step: 'publish',
  at: '2025-01-01T00:00:00.000Z',
});
const JOURNAL = [
  entry(
    'CONFLUENCE_CREATE_BLOGPOST',
    { spaceId: '1', title: 'Weekly' },
    { id: '98402', title: 'Weekly', status: 'current', body: { value: 'long' }, webUrl: 'u' },
  ),
  entry('CONFLUENCE_ADD_CONTENT_LABEL', { id: '98402', labels: [{ name: 'w' }] }, [{ id: '5', name: 'w' }]),
];

test("the runner's frame names the workflow, followed by the workflow's own instructions, trimmed", () => {
  assert.equal(agentInstructions(workflow!, undefined, [], 1), FRAME);
  assert.equal(agentInstructions(workflow!, '  Be brief.\n', [], 1), `${FRAME}\n\nBe brief.`);
  assert.equal(agentInstructions(workflow!, '   \n', [], 1), FRAME, 'blank instructions add nothing');
});

test('the first attempt gets no journal note, even with entries', () => {
  assert.equal(agentInstructions(workflow!, 'Be brief.', JOURNAL, 1), `${FRAME}\n\nBe brief.`);
});

test('a later attempt with nothing journaled gets no note', () => {
  assert.equal(agentInstructions(workflow!, undefined, [], 3), FRAME);
});

test('a later attempt lists the writes already made, with a short summary of each result', () => {
  const text = agentInstructions(workflow!, 'Be brief.', JOURNAL, 2);
  assert.equal(
    text,
    `${FRAME}\n\nBe brief.\n\n` +
      'This is attempt 2 of this run. Earlier attempts already made these changes; do not make them again ' +
      '(an identical call returns the earlier result):\n' +
      '- CONFLUENCE_CREATE_BLOGPOST {"spaceId":"1","title":"Weekly"} -> {"id":"98402","title":"Weekly","status":"current"}\n' +
      '- CONFLUENCE_ADD_CONTENT_LABEL {"id":"98402","labels":[{"name":"w"}]} -> [{"id":"5","name":"w"}]',
  );
});

test('long results without id, title, status or name are cut to 200 characters', () => {
  const big = entry('CONFLUENCE_CREATE_PAGE_PROPERTY', { key: 'k' }, { value: 'v'.repeat(400) });
  const text = agentInstructions(workflow!, undefined, [big], 2);
  const line = text.split('\n').at(-1)!;
  assert.equal(line, `- CONFLUENCE_CREATE_PAGE_PROPERTY {"key":"k"} -> ${JSON.stringify({ value: 'v'.repeat(400) }).slice(0, 200)}…`);
});

test('with tools.body_format: markdown the model is told to write bodies in Markdown, before the workflow’s own text', () => {
  const { workflow: md } = loadWorkflowText('w.yaml', 'version: 1\nname: weekly-summary\ntools:\n  body_format: markdown\nprompt: Summarise the week.\n', {
    tools: confluenceCatalogue(),
  });
  assert.equal(agentInstructions(md!, 'Be brief.', [], 1), `${FRAME}\n\n${MARKDOWN_BODIES}\n\nBe brief.`);
  assert.ok(!agentInstructions(workflow!, 'Be brief.', [], 1).includes(MARKDOWN_BODIES), 'storage (the default) says nothing');
});
