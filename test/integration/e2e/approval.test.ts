/**
 * e2e: approvals through the CLI, each command its own process, on the sandbox and the scripted model. Without a
 * terminal `runner run` saves the run as waiting and exits 3, writing nothing; `runner approve` in another process
 * continues it and the post is made once; `runner reject --reason` lets the model finish without writing; under a
 * pseudo-terminal `runner run` asks `approve? [y/N/d(etails)]` itself.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { test } from 'node:test';
import type { RunRecord } from '../../../src/runs/types.ts';
import type { ModelRequestView, ScriptedTurn } from '../../../src/testing/scripted-model-server.ts';
import { fixture, looksClean, ROOT, siteBed, siteClient, startModel } from './helpers.ts';

const bed = siteBed('approval');
const WORKFLOW = fixture('held-post.yaml');

/** Looks TEAM up, posts the title the prompt names, then reports the tool's answer. */
function poster(request: ModelRequestView): ScriptedTurn {
  const title = /titled "([^"]+)"/.exec(request.userText)?.[1] ?? 'missing';
  if (request.turn === 0) return { toolCalls: [{ name: 'CONFLUENCE_GET_SPACES', arguments: { spaceKey: ['TEAM'] } }] };
  if (request.turn === 1) {
    const spaceId = String(request.lastToolResult()?.data?.results?.[0]?.id ?? 'missing');
    const body = { representation: 'storage', value: '<p>The release <b>shipped</b>.</p>' };
    return { toolCalls: [{ name: 'CONFLUENCE_CREATE_BLOGPOST', arguments: { spaceId, title, status: 'current', body } }] };
  }
  return { text: `done: ${request.toolResults.at(-1)?.output ?? ''}` };
}

const postsTitled = async (title: string) => (await siteClient(bed.site).blogposts('TEAM')).filter((p) => p.title === title);
const idOf = (stdout: string) => /runner approve ([0-9a-f]{8})/.exec(stdout)?.[1] ?? assert.fail(`no approve command in:\n${stdout}`);

test('without a terminal: run waits (exit 3, nothing written); approve in another process posts once', async (t) => {
  const model = await startModel(t, poster);
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: bed.site.url };
  const title = 'Held until approved';
  const waiting = await bed.ws.cli(['run', WORKFLOW, '--input', `title=${title}`], env);
  assert.equal(waiting.code, 3, waiting.stderr);
  assert.ok(looksClean(waiting.stderr), waiting.stderr);
  assert.match(waiting.stdout, /⏸ waiting for approval .*: 1 call\(s\) held/);
  assert.match(waiting.stdout, /A post titled Held until approved goes to the whole team\./);
  assert.match(waiting.stdout, /\[1\] CONFLUENCE_CREATE_BLOGPOST \(write, step main\)/);
  assert.match(waiting.stdout, /│ The release shipped\./);
  assert.deepEqual(await postsTitled(title), []);
  const id = idOf(waiting.stdout);

  const listed = await bed.ws.cli(['runs', '--status', 'waiting', '--json']);
  assert.ok((JSON.parse(listed.stdout) as RunRecord[]).some((r) => r.id.startsWith(id)));
  const shown = await bed.ws.cli(['runs', 'show', id]);
  assert.match(shown.stdout, /approval 1 +waiting until .* · step main/);
  assert.match(shown.stdout, /\[1\] CONFLUENCE_CREATE_BLOGPOST \(write\)[\s\S]*undecided/);

  const approved = await bed.ws.cli(['approve', id, '--by', 'ana'], env);
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stderr, /approved call 1 \(CONFLUENCE_CREATE_BLOGPOST\)/);
  assert.match(approved.stdout, /✓ succeeded/);
  assert.equal((await postsTitled(title)).length, 1);
  const run = (await bed.ws.runs()).find((r) => r.id.startsWith(id))!;
  assert.equal(run.status, 'succeeded');
  assert.equal(run.approvals![0]!.calls[0]!.decision?.by, 'ana');
  assert.equal(model.requests.length, 3, 'two requests before the wait, one after');

  const again = await bed.ws.cli(['approve', id], env);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /is not waiting for approval \(it is succeeded; it was resumed by \S+ at /);
});

test('two people approve the same run at the same moment: one run goes on, the post is made once, the other is told', async (t) => {
  const model = await startModel(t, poster);
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: bed.site.url };
  const title = 'Approved twice at once';
  const waiting = await bed.ws.cli(['run', WORKFLOW, '--input', `title=${title}`, '--no-prompt'], env);
  assert.equal(waiting.code, 3, waiting.stderr);
  const id = idOf(waiting.stdout);
  const [a, b] = await Promise.all([bed.ws.cli(['approve', id, '--by', 'ana'], env), bed.ws.cli(['approve', id, '--by', 'bo'], env)]);
  const codes = [a.code, b.code].sort();
  assert.deepEqual(codes, [0, 2], `${a.stderr}\n---\n${b.stderr}`);
  const loser = a.code === 2 ? a : b;
  assert.match(loser.stderr, /was already (approved by (ana|bo)|resumed by \S+) at /);
  assert.ok(looksClean(loser.stderr), loser.stderr);
  assert.equal((await postsTitled(title)).length, 1);
  const run = (await bed.ws.runs()).find((r) => r.id.startsWith(id))!;
  assert.equal(run.status, 'succeeded');
  assert.equal(run.attempts.length, 1, 'the one attempt went on; none was closed as abandoned');
});

test('reject with a reason: the model is told, finishes without writing, and the record says who and why', async (t) => {
  const model = await startModel(t, poster);
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: bed.site.url };
  const title = 'Rejected by a person';
  const waiting = await bed.ws.cli(['run', WORKFLOW, '--input', `title=${title}`, '--no-prompt'], env);
  assert.equal(waiting.code, 3, waiting.stderr);
  const id = idOf(waiting.stdout);
  const rejected = await bed.ws.cli(['reject', id, '--reason', 'not before Monday', '--by', 'bo'], env);
  assert.equal(rejected.code, 0, rejected.stderr);
  assert.match(rejected.stdout, /done: .*Refused by a person \(bo refused it: not before Monday\)/);
  assert.deepEqual(await postsTitled(title), []);
  const run = (await bed.ws.runs()).find((r) => r.id.startsWith(id))!;
  assert.deepEqual(run.approvals![0]!.calls[0]!.decision && [run.approvals![0]!.calls[0]!.decision.approved, run.approvals![0]!.calls[0]!.decision.reason], [
    false,
    'not before Monday',
  ]);
});

test('on a terminal, runner run asks: d shows the call in full, y approves, and the run goes on in the same process', async (t) => {
  const model = await startModel(t, poster);
  const title = 'Approved at the prompt';
  const env = bed.ws.env({ OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: bed.site.url, NO_COLOR: '1' });
  const command = `${JSON.stringify(process.execPath)} src/cli/main.ts run ${JSON.stringify(WORKFLOW)} --input ${JSON.stringify(`title=${title}`)}`;
  // `script` gives the command a pseudo-terminal; what is piped in is typed at the prompt.
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    const child = execFile('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout }),
    );
    // Typed ahead: the terminal keeps the lines until the prompts read them, one answer each.
    child.stdin!.end('d\ny\n');
  });
  assert.equal(code, 0, output);
  assert.match(output, /approve \[1\] CONFLUENCE_CREATE_BLOGPOST\? \[y\/N\/d\(etails\)\]/);
  assert.match(output, /"title": "Approved at the prompt"/, 'd printed the arguments in full');
  assert.match(output, /✓ succeeded/);
  assert.equal((await postsTitled(title)).length, 1);
});

test('on a terminal, Ctrl-C at the question stops asking: the run keeps waiting, nothing is written, exit 3', async (t) => {
  const model = await startModel(t, poster);
  const title = 'Not decided now';
  const env = bed.ws.env({ OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: bed.site.url, NO_COLOR: '1' });
  const command = `${JSON.stringify(process.execPath)} src/cli/main.ts run ${JSON.stringify(WORKFLOW)} --input ${JSON.stringify(`title=${title}`)}`;
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    let output = '';
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env } });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // Ctrl-C once the question is on the screen; stdin stays open, so only the Ctrl-C can end the prompt.
      if (/\[y\/N\/d\(etails\)\] $/.test(output)) child.stdin.write('\x03');
    });
    child.on('close', (status) => {
      child.stdin.destroy();
      resolve({ code: status ?? 1, output });
    });
  });
  assert.equal(code, 3, output);
  assert.match(output, /decide with: runner approve [0-9a-f]{8}/);
  assert.doesNotMatch(output, /cancelled/);
  assert.deepEqual(await postsTitled(title), []);
  const run = (await bed.ws.runs()).find((r) => r.inputs.title === title)!;
  assert.equal(run.status, 'waiting');
});
