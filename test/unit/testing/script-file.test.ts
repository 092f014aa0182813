import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModelScript } from '../../../src/testing/script-file.ts';

test('a YAML list of turns: text, json, call with, calls', () => {
  const text = [
    '- call: CONFLUENCE_GET_SPACES',
    '  with: { limit: 5 }',
    '- calls:',
    '    - call: A',
    '    - { call: B, with: { id: "1" } }',
    '- json: { ok: true }',
    '- text: done',
    '',
  ].join('\n');
  const parsed = parseModelScript('s.yaml', text);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.script, {
    repeat: false,
    turns: [
      { toolCalls: [{ name: 'CONFLUENCE_GET_SPACES', arguments: { limit: 5 } }] },
      {
        toolCalls: [
          { name: 'A', arguments: {} },
          { name: 'B', arguments: { id: '1' } },
        ],
      },
      { text: '{"ok":true}' },
      { text: 'done' },
    ],
  });
});

test('JSON with turns and repeat', () => {
  const parsed = parseModelScript('s.json', '{ "turns": [{ "text": "hi" }], "repeat": true }');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.script, { repeat: true, turns: [{ text: 'hi' }] });
});

test('every problem at file:line:col, in file order, naming the turn', () => {
  const parsed = parseModelScript('s.yaml', ['- text: 3', '- calls: []', '- call: X', '  with: {}', '  text: also', '- nope'].join('\n'));
  assert.ok(!parsed.ok);
  assert.deepEqual(
    parsed.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`),
    [
      '1:9 turn 1: text must be a string',
      '2:10 turn 2: calls must be a non-empty list of { call, with }',
      '3:3 turn 3: give one of text, json, call or calls, not text and call',
      '6:3 turn 4: expected a map with one of text, json, call or calls',
    ],
  );
});

test('bad YAML and an empty script are errors too', () => {
  const bad = parseModelScript('s.yaml', '- text: "open\n');
  assert.ok(!bad.ok && bad.diagnostics[0]!.file === 's.yaml');
  const empty = parseModelScript('s.yaml', 'turns: []\n');
  assert.ok(!empty.ok);
  assert.equal(empty.diagnostics[0]!.message, 'the script has no turns');
});
