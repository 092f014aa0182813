import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ModelRequestView, ScriptedTurn } from '../../../src/testing/scripted-model-server.ts';
import { ROOT, looksClean, startModel, workspace } from './helpers.ts';

const ws = workspace('chat');
after(() => ws.remove());

/** Runs `runner chat ...args` with `input` piped to stdin. */
function chat(args: string[], input: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${ROOT}src/cli/main.ts`, 'chat', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Answers the greeting, looks spaces up with a real tool call, and otherwise reports what the user said before. */
function assistant(request: ModelRequestView): ScriptedTurn {
  const last = request.lastUserText;
  if (last === 'What can you help me with?') return { text: 'I can read and change your Confluence site.' };
  if (last.includes('spaces')) {
    if (request.toolResults.length === 0 || !JSON.stringify(request.body.messages.at(-1)).includes('tool')) {
      return { toolCalls: [{ name: 'CONFLUENCE_GET_SPACES', arguments: { limit: 10 } }] };
    }
    const names = (request.lastToolResult()?.data?.results ?? []).map((s: { key: string }) => s.key);
    return { text: `The site has ${names.length} spaces: ${names.join(', ')}.` };
  }
  const earlier = (request.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'user').map((m) => m.content);
  return { text: `Before this you said: ${earlier.slice(0, -1).join(' | ')}` };
}

test('runner chat greets, uses the tools, and keeps its history across restarts, per session', async (t) => {
  const model = await startModel(t, assistant);
  const env = ws.env({ OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test' });

  const first = await chat(['--session', 'team'], 'list the spaces\nq\n', env);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(looksClean(first.stderr), first.stderr);
  assert.match(first.stdout, /Assistant: I can read and change your Confluence site\./);
  assert.match(first.stdout, /You: list the spaces\nAssistant: The site has 3 spaces: (MKT|TEAM|PROD)(, (MKT|TEAM|PROD)){2}\./);
  assert.match(first.stdout, /Goodbye!/);
  assert.match(first.stderr, /CONFLUENCE_GET_SPACES .*ok/, 'each tool call is shown');

  const before = model.requests.length;
  const second = await chat(['--session', 'team'], 'what did I say?\nexit\n', env);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /resumed/);
  assert.doesNotMatch(second.stdout, /I can read and change/, 'no second greeting in a resumed session');
  assert.match(second.stdout, /Before this you said: What can you help me with\? \| list the spaces/);
  assert.equal(model.requests.length, before + 1, 'one model request for one message');

  const other = await chat(['--session', 'solo'], 'what did I say?\nquit\n', env);
  assert.equal(other.code, 0, other.stderr);
  assert.match(other.stdout, /Assistant: I can read and change/, 'a new session starts with the greeting');
  assert.match(other.stdout, /Before this you said: What can you help me with\?\n/, 'and sees none of the other session');

  const list = await chat(['--list'], '', env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^team\s+\d+ item/m);
  assert.match(list.stdout, /^solo\s+\d+ item/m);

  const reset = await chat(['--session', 'team', '--reset'], 'what did I say?\nq\n', env);
  assert.match(reset.stdout, /Assistant: I can read and change/, '--reset forgets the history');
});

test('runner chat without any model configured says what to set and exits at once, leaving nothing open', async () => {
  const started = Date.now();
  const child = spawn(process.execPath, [`${ROOT}src/cli/main.ts`, 'chat'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...ws.env() } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // stdin stays open, as a terminal's would: only the runner itself can end the process.
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('hung');
    }, 30_000);
    child.on('exit', (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? String(signal));
    });
  });
  assert.equal(code, 2, `exit after ${Date.now() - started} ms; stderr: ${stderr}`);
  assert.match(stderr, /^error: no model configured: set OPENAI_API_KEY .* or OPENAI_BASE_URL/m);
  assert.ok(looksClean(stderr), stderr);
});
