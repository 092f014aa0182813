/** The summary `runner run` prints: one line per step from its tool calls, and a model it cannot reach named. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { looksClean, runCli } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'runner-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { OPENAI_API_KEY: '', RUNNER_BACKEND: '', RUNNER_SANDBOX_URL: '', RUNNER_DB: '', RUNNER_STORE: '', REDIS_URL: '', RUNNER_MODEL_RETRIES: '0' };

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('tool steps are summarised from their calls, not printed as JSON', async () => {
  writeFileSync(
    join(dir, 'tools.yaml'),
    `version: 1
name: tools-only
tools:
  allow: [CONFLUENCE_GET_SPACES, CONFLUENCE_SEARCH_CONTENT, CONFLUENCE_GET_PAGE_BY_ID]
steps:
  - id: spaces
    tool: CONFLUENCE_GET_SPACES
    with: { limit: 2 }
  - id: find
    tool: CONFLUENCE_SEARCH_CONTENT
    with: { query: Q3 Planning, spaceKey: PROD, limit: 1 }
  - id: read
    tool: CONFLUENCE_GET_PAGE_BY_ID
    with: { id: "{{ steps.find.output.data.response_data.results[0].content.id }}" }
`,
  );
  const res = await runCli(['run', 'tools.yaml'], { cwd: dir, env: { ...env, OPENAI_BASE_URL: '' } });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^ {2}spaces: got 2 spaces: "MKT", "TEAM"$/m);
  assert.match(res.stdout, /^ {2}find: found 1 result: "Q3 Planning"$/m);
  assert.match(res.stdout, /^ {2}read: read page "Q3 Planning"$/m);
  assert.match(res.stdout, /^ {2}tokens: none \(no model request\)$/m);
  assert.doesNotMatch(res.stdout, /response_data|\{"/);
});

test('a model that cannot be reached is named with the setting that chose it', async () => {
  writeFileSync(join(dir, 'prompt.yaml'), 'version: 1\nname: ask\nprompt: Say hello.\n');
  const port = await closedPort();
  const res = await runCli(['run', 'prompt.yaml'], { cwd: dir, env: { ...env, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` } });
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stdout, new RegExp(`cannot reach the model at http://127\\.0\\.0\\.1:${port}/v1 \\(OPENAI_BASE_URL\\): connection refused`));
  assert.match(res.stdout, /^ {2}main: failed$/m);
  assert.ok(looksClean(res.stdout + res.stderr));
});
