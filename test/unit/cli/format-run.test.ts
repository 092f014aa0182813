import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compactCount,
  formatDuration,
  formatRunStory,
  formatRunsTable,
  formatToolCall,
  noRunsMessage,
  summarise,
  type Style,
} from '../../../src/cli/format-run.ts';
import type { ToolCallRecord } from '../../../src/runs/types.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

/** Colour as visible tags, so tests can see what is painted how. */
const tags = (style: Style, text: string) => `<${style}>${text}</${style}>`;
const UTC = { zone: 'UTC', now: new Date('2026-11-29T09:00:30Z') };
const BERLIN = { zone: 'Europe/Berlin', now: UTC.now };

test('durations, counts and one-line summaries', () => {
  assert.deepEqual([850, 12_340, 125_000, 3_780_000].map(formatDuration), ['850 ms', '12.3s', '2m 05s', '1h 03m']);
  assert.deepEqual([640, 6100, 12_000, 2_400_000].map(compactCount), ['640', '6.1k', '12k', '2.4M']);
  assert.equal(summarise({ a: 1, b: 'two' }), '{"a":1,"b":"two"}');
  const long = summarise({ body: 'x'.repeat(300) });
  assert.equal(long.length, 100);
  assert.ok(long.endsWith('…'));
  assert.equal(summarise('line one\n  line two'), 'line one line two');
});

test('the table: short id, status, trigger in local time, duration, attempts, tokens', () => {
  const runs = [
    sampleRun({
      id: 'cccccccc-2222',
      status: 'running',
      trigger: { type: 'manual' },
      createdAt: '2026-11-29T09:00:00Z',
      startedAt: '2026-11-29T09:00:00Z',
      endedAt: undefined,
      attempts: [],
    }),
    sampleRun(),
  ];
  assert.deepEqual(formatRunsTable(runs, BERLIN), [
    'ID        WORKFLOW        STATUS     TRIGGER                    STARTED           DURATION  ATTEMPTS  TOKENS',
    'cccccccc  weekly-summary  running    manual                     2026-11-29 10:00  30.0s…    0         6.1k/640',
    '3f2a9c1e  weekly-summary  succeeded  schedule 2026-11-27 16:00  2026-11-27 16:00  2m 04s    2         6.1k/640',
  ]);
});

test('statuses are coloured: green succeeded, red failed, yellow running and queued, dim cancelled', () => {
  const statuses = ['succeeded', 'failed', 'running', 'queued', 'cancelled'] as const;
  const lines = formatRunsTable(
    statuses.map((status, i) => sampleRun({ id: `run-${i}-xxxx`, status })),
    { ...UTC, paint: tags },
  );
  assert.match(lines[0]!, /^<bold>ID {8}WORKFLOW/);
  assert.deepEqual(
    lines.slice(1).map((l) => /<(\w+)>(\w+)\s*<\/\1>/.exec(l)!.slice(1)),
    [
      ['green', 'succeeded'],
      ['red', 'failed'],
      ['yellow', 'running'],
      ['yellow', 'queued'],
      ['dim', 'cancelled'],
    ],
  );
});

test('the empty message says how to make a run, or which filter matched nothing', () => {
  assert.equal(noRunsMessage({}), 'no runs yet; start one with `runner run <file>`');
  assert.equal(noRunsMessage({ workflow: 'w', status: 'failed' }), "no runs of workflow 'w' with status failed; `runner runs` lists every run");
});

test('a tool call is one line with its status clearly marked', () => {
  const call = (over: Partial<ToolCallRecord>): string =>
    formatToolCall({
      tool: 'CONFLUENCE_CREATE_PAGE',
      effect: 'write',
      args: { title: 'Notes' },
      status: 'ok',
      startedAt: '2026-01-01T00:00:00Z',
      durationMs: 12,
      ...over,
    });
  assert.equal(call({}), '→ CONFLUENCE_CREATE_PAGE {"title":"Notes"} ok 12 ms');
  assert.equal(
    call({ turn: 2, via: 'COMPOSIO_MULTI_EXECUTE_TOOL' }),
    '→ CONFLUENCE_CREATE_PAGE {"title":"Notes"} ok 12 ms · turn 2 · via COMPOSIO_MULTI_EXECUTE_TOOL',
  );
  assert.equal(call({ status: 'error', error: 'space not found (404)' }), '→ CONFLUENCE_CREATE_PAGE {"title":"Notes"} error 12 ms: space not found (404)');
  assert.match(call({ status: 'refused', error: 'not allowed' }), /REFUSED \(never sent\) 12 ms: not allowed$/);
  assert.match(call({ status: 'simulated' }), / SIMULATED \(preview: not executed\) /);
  assert.match(call({ status: 'journaled' }), / JOURNALED \(done earlier; result reused\) /);
  assert.match(call({ status: 'hosted' }), / HOSTED \(ran at the model provider; not gated\) /);
});

test('the story: header, attempts, steps with prompts, tool calls in order, outputs and errors', () => {
  const lines = formatRunStory(sampleRun(), UTC);
  const text = lines.join('\n');
  assert.deepEqual(lines.slice(0, 10), [
    'run 3f2a9c1e-7b44-4d1a-9e0f-5c6d7e8f9a0b  succeeded',
    '  workflow  weekly-summary  sha256 a1b2c3d4e5f6  workflows/weekly-summary.yaml',
    '  trigger   schedule 2026-11-27 15:00',
    '  inputs    space=ENG  days=7',
    '  mode      live · backend sandbox · model gpt-5',
    '  created   2026-11-27 15:00:00',
    '  started   2026-11-27 15:00:01 · ended 2026-11-27 15:02:05 · took 2m 04s',
    '  usage     7 requests, 6.1k in / 640 out tokens',
    '  note      hosted tool calls could not be gated',
    '  link      http://127.0.0.1:8787/wiki/spaces/ENG/blog/98400',
  ]);
  assert.ok(lines.includes('attempt 1  failed on build-01:4242 · 15:00:01 · took 8.0s'));
  assert.ok(lines.includes('      model gpt-5 · 1 turn · 3 retries · 4 requests, 900 in / 0 out tokens'));
  assert.ok(lines.includes('      error (model, retryable): model rate limit (429) after 3 retries'));
  assert.ok(lines.includes('  step gather (prompt)  succeeded  Gather the week in ENG · took 40.0s'));
  // The rendered prompt is indented under its step, line by line.
  assert.match(text, / {6}prompt:\n {8}List the pages changed in space ENG during the last 7 days\.\n {8}Group them by author\./);
  const calls = lines.filter((l) => l.trimStart().startsWith('→')).map((l) => l.trim().split(' ')[1]);
  assert.deepEqual(calls, [
    'CONFLUENCE_SEARCH_CONTENT',
    'CONFLUENCE_GET_PAGE_BY_ID',
    'CONFLUENCE_DELETE_PAGE',
    'CONFLUENCE_CREATE_BLOGPOST',
    'CONFLUENCE_ADD_CONTENT_LABEL',
    'confluence_search',
  ]);
  assert.ok(lines.includes('      → CONFLUENCE_GET_PAGE_BY_ID {"id":"99999"} error 8 ms · turn 2: page 99999 not found (404)'));
  // Long output values are cut, short ones kept.
  assert.match(text, /"summary": "x{200}… \(\+300 chars\)"/);
  assert.match(text, /"author": "Ada"/);
  assert.equal(lines.at(-1), '        }', 'a succeeded run ends with its last output, no failure line');
});

test('re-runs: the trigger names the run re-run, the original lists its re-runs (short ids)', () => {
  const original = sampleRun({ reruns: ['aaaaaaaa-1111-4000-8000-000000000001', 'bbbbbbbb-2222-4000-8000-000000000002'] });
  const rerun = sampleRun({ id: 'aaaaaaaa-1111-4000-8000-000000000001', trigger: { type: 'rerun', of: original.id } });
  assert.deepEqual(formatRunStory(original, UTC).slice(2, 4), ['  trigger   schedule 2026-11-27 15:00', '  re-runs   aaaaaaaa  bbbbbbbb']);
  const story = formatRunStory(rerun, UTC);
  assert.equal(story[2], '  trigger   rerun of 3f2a9c1e');
  assert.ok(!story.some((l) => l.includes('re-runs')), 'a run nobody re-ran has no re-runs line');
  assert.match(formatRunsTable([rerun], UTC)[1]!, /^aaaaaaaa {2}weekly-summary {2}succeeded {2}rerun of 3f2a9c1e {2}2026-11-27 15:00 /);
});

test('notifications: each event and channel with its rule, attempts and how delivery went', () => {
  const run = sampleRun({
    notifications: [
      {
        event: 'failed',
        channel: 'webhook',
        target: 'https://hooks.example.com/…',
        rule: 'workflow#1',
        attempts: [
          { at: '2026-11-27T15:01:00.000Z', ok: false, status: 500, error: 'HTTP 500' },
          { at: '2026-11-27T15:01:02.000Z', ok: true, status: 204 },
        ],
        deliveredAt: '2026-11-27T15:01:02.000Z',
        done: true,
      },
      {
        event: 'failed',
        channel: 'email',
        target: 'ops@example.com',
        rule: 'default#1',
        attempts: [{ at: '2026-11-27T15:01:00.000Z', ok: false, error: 'SMTP 550 no such user' }],
        done: true,
      },
      { event: 'failed', channel: 'slack', target: 'https://hooks.slack.com/…', rule: 'workflow#2', attempts: [] },
    ],
  });
  const lines = formatRunStory(run, { ...UTC, paint: tags });
  const at = lines.indexOf('<bold>notifications</bold>');
  assert.ok(at > 0, lines.join('\n'));
  assert.deepEqual(lines.slice(at + 1, at + 4), [
    '  failed → webhook https://hooks.example.com/… <dim>(workflow#1, 2 attempts)</dim>  <green>delivered 2026-11-27 15:01</green>',
    '  failed → email ops@example.com <dim>(default#1, 1 attempt)</dim>  <red>not delivered: SMTP 550 no such user</red>',
    '  failed → slack https://hooks.slack.com/… <dim>(workflow#2, 0 attempts)</dim>  <yellow>sending</yellow>',
  ]);
});

test('a failed run ends with why, naming the step; multi-line messages stay readable', () => {
  const run = sampleRun({
    status: 'failed',
    error: { kind: 'assertion', step: 'publish', message: 'assertion failed: data.id\nexpected a value, got nothing' },
  });
  const lines = formatRunStory(run, { ...UTC, paint: tags });
  assert.deepEqual(lines.slice(-2), ['<red>failed (assertion) in step publish:</red> assertion failed: data.id', '  expected a value, got nothing']);
  assert.match(lines[0]!, /<red>failed<\/red>$/);
});

test('a cancelled run without attempts says so', () => {
  const lines = formatRunStory(
    sampleRun({ status: 'cancelled', attempts: [], inputs: {}, notes: [], links: [], error: { kind: 'cancelled', message: 'stopped by Ctrl-C' } }),
    UTC,
  );
  assert.ok(lines.includes('  inputs    none'));
  assert.deepEqual(lines.slice(-4), ['', 'no attempts', '', 'cancelled (cancelled): stopped by Ctrl-C']);
});

test('very long outputs are cut to a readable length', () => {
  const run = sampleRun();
  const [gather, publish] = run.attempts[1]!.steps;
  gather!.output = { ids: Array.from({ length: 50 }, (_, i) => 1000 + i) };
  publish!.output = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`key${i}`, i]));
  const text = formatRunStory(run, UTC).join('\n');
  assert.match(text, /1009,\n {12}"… 40 more items"/);
  assert.doesNotMatch(text, /1010/);
  assert.match(text, /"key38": 38,\n {8}… 22 more lines \(--json shows everything\)$/);
});

test('text from outside never carries a control character into a line; the escapes show where they were', () => {
  const hostile = 'x\x1b[2J\x9b31m\ry';
  const run = sampleRun({
    workflow: `wf${hostile}`,
    inputs: { [`k${hostile}`]: hostile, nested: { deep: hostile } },
    notes: [hostile],
    links: [`http://h/${hostile}`],
    status: 'failed',
    error: { kind: 'model', step: `s${hostile}`, message: `first ${hostile}\nsecond ${hostile}` },
  });
  const step = run.attempts.at(-1)!.steps[0]!;
  step.title = hostile;
  step.prompt = `prompt ${hostile}\nline two`;
  step.toolCalls[0]!.tool = `T${hostile}`;
  step.toolCalls[0]!.args = { q: hostile };
  const lines = [...formatRunStory(run, UTC), ...formatRunsTable([run], UTC), noRunsMessage({ workflow: hostile })];
  for (const line of lines) assert.doesNotMatch(line, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, JSON.stringify(line));
  const text = lines.join('\n');
  assert.ok(text.includes('wfx\\x1b[2J\\x9b31m\\x0dy'), 'names show the escapes');
  assert.ok(text.includes('kx\\x1b[2J\\x9b31m\\x0dy=x\\x1b[2J\\x9b31m\\x0dy'), 'input keys and values');
  assert.ok(text.includes('→ Tx\\x1b[2J'), 'tool names');
  assert.ok(text.includes('{"q":"x\\u001b[2J\\x9b31m\\ry"}'), 'JSON keeps its own escapes; C1, which JSON leaves raw, is escaped');
  assert.ok(text.includes('prompt x\\x1b[2J\\x9b31m\\x0dy\n        line two'), 'prompts keep their lines');
  assert.ok(text.includes('failed (model) in step sx\\x1b[2J\\x9b31m\\x0dy: first x\\x1b[2J\\x9b31m\\x0dy\n  second x\\x1b[2J'), 'failure messages');
});

test("the story: times in the workflow's zone when it has one and no zone is asked for", () => {
  const run = sampleRun({ workflowSource: 'version: 1\nname: weekly-summary\nschedule:\n  cron: "0 16 * * FRI"\n  timezone: Europe/Berlin\nprompt: x\n' });
  const lines = formatRunStory(run, { now: UTC.now });
  assert.equal(lines[2], '  trigger   schedule 2026-11-27 16:00');
  assert.equal(lines[5], "  created   2026-11-27 16:00:00 · times in Europe/Berlin (the workflow's schedule)");
  assert.equal(lines[6], '  started   2026-11-27 16:00:01 · ended 2026-11-27 16:02:05 · took 2m 04s');
  assert.ok(lines.includes('attempt 1  failed on build-01:4242 · 16:00:01 · took 8.0s'));
  // An asked-for zone wins; a workflow without a schedule, or one that is no YAML, changes nothing.
  assert.equal(formatRunStory(run, UTC)[5], '  created   2026-11-27 15:00:00');
  assert.equal(formatRunStory(sampleRun({ workflowSource: 'version: 1\nname: x\nprompt: y\n' }), UTC)[5], '  created   2026-11-27 15:00:00');
  assert.equal(formatRunStory(sampleRun({ workflowSource: ': [' }), UTC)[5], '  created   2026-11-27 15:00:00');
});

test('the story: a short result line under each call that ran', () => {
  const lines = formatRunStory(sampleRun(), UTC);
  const at = lines.findIndex((l) => l.includes('→ CONFLUENCE_SEARCH_CONTENT'));
  assert.equal(lines[at + 1], '        ← found 1 result: "Release notes"');
  assert.ok(lines.includes('        ← created blog post "Week 48 in ENG" in 98305 (done earlier)'));
  assert.ok(lines.includes('        ← would have labelled content 98400 with "weekly"'));
  // Failed and refused calls carry their error on the call line, with no result line.
  const failed = lines.findIndex((l) => l.includes('→ CONFLUENCE_GET_PAGE_BY_ID'));
  assert.ok(lines[failed + 1]!.includes('→ CONFLUENCE_DELETE_PAGE'));
});
