/**
 * `runner model serve`: the scripted model server as a command. A real `runner run` talks to it over HTTP; a bad
 * script file is a user error at file:line:col; `--faults` makes the model fail the run after its retries.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { callsOf, looksClean, runCli, runIdOf, workspace } from '../e2e/helpers.ts';
import { spawnCli } from './cli-process.ts';

const ws = workspace('model-serve');
after(() => ws.remove());

const SCRIPT = `# a tool call, then the final answer
- call: CONFLUENCE_GET_SPACES
  with: { limit: 5 }
- text: The site has spaces.
`;

const WORKFLOW = `version: 1
name: scripted-check
tools:
  allow: [CONFLUENCE_GET_SPACES]
steps:
  - id: look
    prompt: List the spaces of the site.
`;

const READY = /Scripted model listening on (http:\/\/127\.0\.0\.1:\d+\/v1)[\s\S]*Press Ctrl-C to stop/;

function files(): { script: string; workflow: string } {
  const script = join(ws.dir, 'model.yaml');
  const workflow = join(ws.dir, 'scripted-check.yaml');
  writeFileSync(script, SCRIPT);
  writeFileSync(workflow, WORKFLOW);
  return { script, workflow };
}

test('a run against `runner model serve` makes the scripted tool call and succeeds', async (t) => {
  const { script, workflow } = files();
  const model = await spawnCli(['model', 'serve', '--script', script, '--port', '0'], { ready: READY, env: ws.env() });
  t.after(() => model.stop());
  const url = model.match[1]!;
  assert.match(model.stdout(), new RegExp(`OPENAI_BASE_URL=${url} RUNNER_MODEL=scripted runner run`));

  const res = await runCli(['run', workflow], { cwd: ws.dir, env: ws.env({ OPENAI_BASE_URL: url, RUNNER_MODEL: 'scripted' }) });
  assert.equal(res.code, 0, res.stderr);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(
    callsOf(run).map((c) => c.tool),
    ['CONFLUENCE_GET_SPACES'],
  );
  assert.match(model.stderr(), /turn 1 chat.*: call CONFLUENCE_GET_SPACES/);
  assert.match(model.stderr(), /turn 2 chat.*: text "The site has spaces\."/);
  assert.equal(await model.stop(), 0);
  assert.match(model.stderr(), /scripted model stopped/);
});

test('a bad script file: exit 2, every problem at file:line:col, no stack trace', async () => {
  const bad = join(ws.dir, 'bad.yaml');
  writeFileSync(bad, ['turns:', '  - txt: hello', '  - call: X', '    with: 3', 'repeat: maybe', ''].join('\n'));
  const res = await runCli(['model', 'serve', '--script', bad, '--port', '0'], { env: ws.env() });
  assert.equal(res.code, 2, res.stderr);
  assert.ok(res.stderr.includes(`${bad}:2:5: turn 1: unknown key 'txt'; did you mean 'text'?`), res.stderr);
  assert.ok(res.stderr.includes(`${bad}:4:11: turn 2: with must be a map of the tool's arguments`), res.stderr);
  assert.ok(res.stderr.includes(`${bad}:5:9: repeat must be true or false`), res.stderr);
  assert.ok(looksClean(res.stderr), res.stderr);
  assert.equal(res.stdout, '');
});

test('--faults 503=1: the run fails with kind model after its retries', async (t) => {
  const { script, workflow } = files();
  const model = await spawnCli(['model', 'serve', '--script', script, '--port', '0', '--faults', '503=1,retry-after=0'], { ready: READY, env: ws.env() });
  t.after(() => model.stop());
  const env = ws.env({ OPENAI_BASE_URL: model.match[1]!, RUNNER_MODEL: 'scripted', RUNNER_MODEL_RETRIES: '1' });
  const res = await runCli(['run', workflow], { cwd: ws.dir, env });
  assert.notEqual(res.code, 0);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.kind, 'model');
  assert.equal(model.stderr().match(/: 503/g)?.length, 2, model.stderr());
});
