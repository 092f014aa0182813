/**
 * e2e: control characters in an input, in the model's answer and in the names and arguments of its tool calls
 * never reach the terminal as controls. `runner run`, `runner runs show` and the error of a bad input print them
 * as visible escapes; the record keeps every value as it was given; `--json` stays JSON of the same values.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { looksClean, runIdOf, startModel, stepsOf, workspace } from './helpers.ts';

const ws = workspace('hostile-text');
after(() => ws.remove());

/** Clears the screen, then retitles the window (OSC ... BEL), then a C1 CSI (red) and a carriage return. */
const HOSTILE = 'a\x1b[2Jb\x1b]0;pwned\x07c\x9b31md\re';
/** What a terminal would act on: C0 but newline and tab, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const FILE = join(ws.dir, 'hostile.yaml');
writeFileSync(
  FILE,
  `version: 1
name: hostile-text
inputs:
  title: { type: string, required: true }
tools:
  allow: [CONFLUENCE_SEARCH_CONTENT]
steps:
  - id: ask
    title: "Look for {{ inputs.title }}"
    prompt: "Search for {{ inputs.title }}."
`,
);

function assertNoControls(text: string, where: string): void {
  const at = CONTROL.exec(text);
  assert.equal(
    at,
    null,
    `${where} holds control character U+${at?.[0].charCodeAt(0).toString(16).padStart(4, '0')} near ${JSON.stringify(text.slice(Math.max(0, (at?.index ?? 0) - 40), (at?.index ?? 0) + 10))}`,
  );
}

test('runner run and runner runs show print hostile text as escapes; the record keeps it as given', async (t) => {
  const model = await startModel(t, [
    {
      toolCalls: [
        { name: 'CONFLUENCE_SEARCH_CONTENT', arguments: { query: HOSTILE } },
        { name: `EVIL_\x1b[2J_TOOL`, arguments: { x: HOSTILE } },
      ],
    },
    { text: `Found nothing for ${HOSTILE}.` },
  ]);
  const run = await ws.cli(['run', FILE, '--input', `title=${HOSTILE}`], { OPENAI_BASE_URL: model.url });
  assert.equal(run.code, 0, run.stderr);
  assertNoControls(run.stdout, 'stdout of runner run');
  assertNoControls(run.stderr, 'stderr of runner run');
  assert.ok(run.stdout.includes('Found nothing for a\\x1b[2Jb\\x1b]0;pwned\\x07c\\x9b31md\\x0de.'), run.stdout);
  assert.ok(run.stderr.includes('Look for a\\x1b[2Jb'), 'the step title in the progress lines');
  assert.ok(run.stderr.includes('EVIL_\\x1b[2J_TOOL'), 'the refused tool name in the progress lines');

  const id = runIdOf(run.stdout);
  const record = (await ws.run(id))!;
  assert.equal(record.inputs.title, HOSTILE, 'the record keeps the input as given');
  assert.equal(record.outputs.ask, `Found nothing for ${HOSTILE}.`);
  assert.equal(stepsOf(record)[0]!.title, `Look for ${HOSTILE}`);
  assert.deepEqual(
    stepsOf(record)[0]!.toolCalls.map((c) => [c.tool, c.status]),
    [
      ['CONFLUENCE_SEARCH_CONTENT', 'ok'],
      ['EVIL_\x1b[2J_TOOL', 'refused'],
    ],
  );

  const show = await ws.cli(['runs', 'show', id]);
  assert.equal(show.code, 0, show.stderr);
  assertNoControls(show.stdout, 'runner runs show');
  assert.match(show.stdout, /inputs {4}title=a\\x1b\[2Jb\\x1b\]0;pwned\\x07c\\x9b31md\\x0de/);
  assert.ok(show.stdout.includes('→ EVIL_\\x1b[2J_TOOL'));

  const json = await ws.cli(['runs', 'show', id, '--json']);
  assertNoControls(json.stdout, 'runner runs show --json');
  const parsed = JSON.parse(json.stdout) as typeof record;
  assert.equal(parsed.inputs.title, HOSTILE, 'JSON output escapes the JSON way and keeps the value');
});

test('an error quoting a hostile value is one escaped line', async () => {
  const bad = await ws.cli(['run', FILE, '--input', 'title=x', '--input', `ti\x1b[2Jtle=x`]);
  assert.equal(bad.code, 2);
  assertNoControls(bad.stderr, 'stderr');
  assert.ok(bad.stderr.includes('ti\\x1b[2Jtle'), bad.stderr);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.ok(looksClean(bad.stderr));
});
