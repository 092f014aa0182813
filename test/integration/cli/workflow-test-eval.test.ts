/**
 * `runner test --model` (eval mode) end to end: real CLI processes against the scripted model server standing in for
 * a real model through OPENAI_BASE_URL; a script that gets the title wrong in every third conversation gives the
 * pass rates 2/3 and 4/6; `--compare` prints both models; `--min-pass-rate` decides the exit code.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type ModelRequestView, type ScriptedTurn, startScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import { looksClean, ROOT, runCli } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'workflow-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));
copyFileSync(join(ROOT, 'workflows/meeting-summary-post.yaml'), join(dir, 'meeting-summary-post.yaml'));
copyFileSync(join(ROOT, 'workflows/label-q3-planning.yaml'), join(dir, 'label-q3-planning.yaml'));

const TITLE = 'Team meeting 2026-11-24: summary';
const FILE = join(dir, 'post.test.yaml');
writeFileSync(
  FILE,
  `workflow: meeting-summary-post.yaml
cases:
  - name: posts with the right title
    inputs: { meeting_date: "2026-11-24" }
    model: { publish: [{ final: { id: "scripted turns are ignored in eval mode" } }] }
    expect:
      calls: [CONFLUENCE_CREATE_BLOGPOST]
      confluence: [{ cql: 'type = blogpost AND space = TEAM AND title = "${TITLE}"', count: 1 }]
`,
);
const NO_PROMPT = join(dir, 'label.test.yaml');
writeFileSync(
  NO_PROMPT,
  `workflow: label-q3-planning.yaml
cases:
  - name: labels the page
    expect: { confluence: [{ cql: 'label = urgent AND space = PROD', count: 1 }] }
`,
);

/**
 * A "real" model that finds TEAM and posts the blog post; per model name it counts conversations and, when
 * `wrongEvery` is set for that model, every such conversation writes a wrong title. Runs go one at a time (--jobs 1).
 */
function flakyModel(wrongEvery: Record<string, number>) {
  const conversations = new Map<string, number>();
  return (request: ModelRequestView): ScriptedTurn => {
    if (request.turn === 0) conversations.set(request.model, (conversations.get(request.model) ?? 0) + 1);
    const n = conversations.get(request.model)!;
    const every = wrongEvery[request.model];
    if (request.turn === 0)
      return { toolCalls: [{ name: 'CONFLUENCE_GET_SPACES', arguments: { spaceKey: ['TEAM'] } }], usage: { inputTokens: 100, outputTokens: 10 } };
    if (request.turn === 1) {
      const spaceId = request.lastToolResult().data.results[0].id;
      const title = every && n % every === 0 ? 'Team meeting: wrong' : TITLE;
      const args = { spaceId, status: 'current', title, body: { representation: 'storage', value: '<p>Ship v2</p>' } };
      return { toolCalls: [{ name: 'CONFLUENCE_CREATE_BLOGPOST', arguments: args }], usage: { inputTokens: 200, outputTokens: 20 } };
    }
    return { text: JSON.stringify({ id: String(request.lastToolResult().data.id) }), usage: { inputTokens: 300, outputTokens: 30 } };
  };
}

interface EvalJson {
  file: string;
  name: string;
  model: string;
  runs: number;
  passed: number;
  rate: number;
  tokens: number;
  durationMs: number;
  note?: string;
  failures: string[];
  failedRuns: string[];
  cost?: number;
}

async function evalCli(args: string[], wrongEvery: Record<string, number>, env: Record<string, string> = {}) {
  const server = await startScriptedModelServer({ script: flakyModel(wrongEvery) });
  try {
    return await runCli(['test', ...args, '--jobs', '1'], {
      env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key', RUNNER_MODEL_RETRIES: '0', RUNNER_MODEL_PRICES: '', ...env },
    });
  } finally {
    await server.close();
  }
}

test('--model --repeat 3: a model wrong in every third conversation passes 2/3; report only, exit 0', async () => {
  const r = await evalCli([FILE, '--model', 'scripted-x', '--repeat', '3', '--reporter', 'json'], { 'scripted-x': 3 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [result, ...rest] = JSON.parse(r.stdout) as EvalJson[];
  assert.equal(rest.length, 0);
  assert.equal(result!.model, 'scripted-x');
  assert.equal(result!.runs, 3);
  assert.equal(result!.passed, 2);
  assert.equal(result!.rate.toFixed(2), '0.67');
  assert.equal(result!.tokens, 660);
  assert.ok(result!.durationMs > 0);
  assert.equal(result!.failedRuns.length, 1);
  assert.match(result!.failures[0]!, /expected 1 result\(s\), got 0/);
});

test('--repeat 6 gives 4/6; --min-pass-rate 1 exits 1, 0.5 exits 0', async () => {
  const r = await evalCli([FILE, '--model', 'scripted-x', '--repeat', '6', '--reporter', 'json', '--min-pass-rate', '1'], { 'scripted-x': 3 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const [result] = JSON.parse(r.stdout) as EvalJson[];
  assert.equal(`${result!.passed}/${result!.runs}`, '4/6');
  const half = await evalCli([FILE, '--model', 'scripted-x', '--repeat', '3', '--min-pass-rate', '0.5'], { 'scripted-x': 3 });
  assert.equal(half.code, 0, half.stdout + half.stderr);
  assert.match(half.stdout, /post\.test\.yaml › posts with the right title\s+2\/3 67%, 660 tok, \d+ ms/);
  assert.match(half.stdout, /✓ every pass rate at least 0\.5/);
  assert.ok(looksClean(half.stdout + half.stderr));
});

test('--compare a,b evaluates each model and prints them side by side; junit fails the one below --min-pass-rate', async () => {
  const r = await evalCli([FILE, '--compare', 'a,b', '--repeat', '3'], { a: 3 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [header, , row] = r.stdout.split('\n');
  assert.match(header!, /^case\s+a\s+b$/);
  assert.match(row!, /posts with the right title\s+2\/3 67%, 660 tok, \d+ ms\s+3\/3 100%, 660 tok, \d+ ms$/);
  assert.match(r.stdout, /› posts with the right title \[a\]:\n {4}confluence .*expected 1 result\(s\), got 0\n {4}failed runs: [0-9a-f-]{36}/);

  const j = await evalCli([FILE, '--compare', 'a,b', '--repeat', '3', '--reporter', 'junit', '--min-pass-rate', '1'], { a: 3 });
  assert.equal(j.code, 1);
  assert.match(j.stdout, /<testsuites name="runner test --model" tests="2" failures="1"/);
  assert.match(j.stdout, /<testcase name="posts with the right title \[a\]"[^>]*>\n\s*<failure message="pass rate 2\/3 below 1">/);
  assert.match(j.stdout, /<testcase name="posts with the right title \[b\]"[^>]*\/>/);
});

test('a case whose workflow has no prompt step runs once, with a note; bad eval flags exit 2', async () => {
  const r = await evalCli([NO_PROMPT, '--compare', 'a,b', '--reporter', 'json'], {});
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const results = JSON.parse(r.stdout) as EvalJson[];
  assert.equal(results.length, 1);
  assert.equal(results[0]!.runs, 1);
  assert.equal(results[0]!.passed, 1);
  assert.match(results[0]!.note!, /no prompt step: nothing to evaluate/);

  for (const args of [
    ['--model', 'x', '--repeat', '0'],
    ['--model', 'x', '--compare', 'a,b'],
    ['--compare', 'a,'],
    ['--model', 'x', '--min-pass-rate', '2'],
    ['--repeat', '3'],
  ]) {
    const bad = await runCli(['test', FILE, ...args], { env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stdout}${bad.stderr}`);
    assert.ok(looksClean(bad.stdout + bad.stderr));
  }
});

test('RUNNER_MODEL_PRICES gives each model with a price its mean cost per run; a bad price list exits 2', async () => {
  const r = await evalCli([FILE, '--compare', 'a,b', '--repeat', '2', '--reporter', 'json'], {}, { RUNNER_MODEL_PRICES: 'a=2/2' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [a, b] = JSON.parse(r.stdout) as EvalJson[];
  assert.equal(a!.model, 'a');
  assert.equal(a!.cost!.toFixed(6), ((2 * a!.tokens) / 1e6).toFixed(6), 'every run spends the same tokens: mean tokens x USD 2 per million');
  assert.equal(b!.cost, undefined, 'no price, no cost');
  const human = await evalCli([FILE, '--model', 'a', '--repeat', '1'], {}, { RUNNER_MODEL_PRICES: 'a=2/2' });
  assert.match(human.stdout, /\$0\.\d{4}\/run/);
  const bad = await evalCli([FILE, '--model', 'a', '--repeat', '1'], {}, { RUNNER_MODEL_PRICES: 'a=cheap' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /RUNNER_MODEL_PRICES: 'a=cheap' is not model=input\/output/);
  assert.ok(looksClean(bad.stderr), bad.stderr);
});
