/**
 * `runner test --record <run-id>`: a run made with `runner run` (scripted model server, in-process sandbox, temp
 * stores) becomes a test case that validates and passes under `runner test`; a tool-steps-only run has no `model:`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { finalJson, type ScriptedModelServer, startScriptedModelServer, toolCall } from '../../../src/testing/scripted-model-server.ts';
import { looksClean, ROOT, runCli } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'workflow-test-record-'));
let server: ScriptedModelServer | undefined;
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});
copyFileSync(join(ROOT, 'workflows/meeting-summary-post.yaml'), join(dir, 'meeting-summary-post.yaml'));
const env = {
  OPENAI_API_KEY: 'test',
  RUNNER_BACKEND: '',
  RUNNER_SANDBOX_URL: '',
  RUNNER_STORE: 'sqlite',
  REDIS_URL: '',
  RUNNER_MODEL_RETRIES: '0',
  RUNNER_DB: join(dir, 'runs.db'),
  RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'),
};

/** The id `runner runs --json` lists first (the newest run). */
async function newestRunId(): Promise<string> {
  const r = await runCli(['runs', '--json'], { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Array<{ id: string }>)[0]!.id;
}

test('a prompt run is recorded as a case with scripted turns, and that case passes', async () => {
  const title = 'Team meeting 2026-11-24: summary';
  server = await startScriptedModelServer({
    script: (request) => {
      const last = request.toolResults.at(-1);
      const data = last ? (JSON.parse(last.output) as { data: { id: string; results: Array<{ id: string }> } }).data : undefined;
      if (request.turn === 0) return toolCall('CONFLUENCE_GET_SPACES', { spaceKey: ['TEAM'] });
      if (request.turn === 1) {
        return toolCall('CONFLUENCE_CREATE_BLOGPOST', {
          spaceId: data!.results[0]!.id,
          status: 'current',
          title,
          body: { representation: 'storage', value: '<p>Ship v2 {{ not liquid }}</p>' },
        });
      }
      return finalJson({ id: data!.id });
    },
  });
  const run = await runCli(['run', 'meeting-summary-post.yaml', '--input', 'meeting_date=2026-11-24', '--at', '2026-11-27T16:00:00+01:00'], {
    cwd: dir,
    env: { ...env, OPENAI_BASE_URL: server.url },
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const id = await newestRunId();

  const rec = await runCli(['test', '--record', id], { cwd: dir, env });
  assert.equal(rec.code, 0, rec.stdout + rec.stderr);
  assert.match(rec.stdout, /wrote .*meeting-summary-post\.test\.yaml/);
  const file = join(dir, 'meeting-summary-post.test.yaml');
  const written = parse(readFileSync(file, 'utf8'));
  assert.equal(written.workflow, 'meeting-summary-post.yaml');
  const [recorded] = written.cases;
  assert.equal(recorded.inputs.meeting_date, '2026-11-24');
  assert.equal(Date.parse(recorded.at), Date.parse('2026-11-27T16:00:00+01:00'));
  assert.equal(recorded.model.publish.length, 3);
  assert.equal(recorded.model.publish[1].with.body.value, '{% raw %}<p>Ship v2 {{ not liquid }}</p>{% endraw %}');
  assert.deepEqual(recorded.model.publish[2], { final: { id: '{{ calls.last.result.data.id }}' } });
  assert.deepEqual(recorded.expect.calls, ['CONFLUENCE_CREATE_BLOGPOST']);
  assert.equal(recorded.expect.refused, 0);
  assert.deepEqual(recorded.expect.confluence, [{ cql: `type = blogpost AND space = TEAM AND title = "${title}"`, count: 1 }]);

  const t = await runCli(['test', file], { cwd: dir, env });
  assert.equal(t.code, 0, t.stdout + t.stderr);
  assert.match(t.stdout, /1 cases?: 1 passed, 0 failed/);

  // A second recording is appended, keeping the file's comments.
  writeFileSync(file, `# kept comment\n${readFileSync(file, 'utf8')}`);
  const again = await runCli(['test', '--record', id], { cwd: dir, env });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /# kept comment/);
  assert.equal(parse(text).cases.length, 2);
  const both = await runCli(['test', file], { cwd: dir, env });
  assert.equal(both.code, 0, both.stdout + both.stderr);
});

test('a tool-steps-only run is recorded without model turns; --out names the file', async () => {
  writeFileSync(
    join(dir, 'tools.yaml'),
    `version: 1
name: label-q3
tools:
  allow: [CONFLUENCE_SEARCH_CONTENT, CONFLUENCE_ADD_CONTENT_LABEL]
steps:
  - id: find
    tool: CONFLUENCE_SEARCH_CONTENT
    with: { query: Q3 Planning, spaceKey: PROD, limit: 1 }
  - id: label
    tool: CONFLUENCE_ADD_CONTENT_LABEL
    with: { id: "{{ steps.find.output.data.response_data.results[0].content.id }}", labels: [{ prefix: global, name: urgent }] }
`,
  );
  const run = await runCli(['run', 'tools.yaml'], { cwd: dir, env: { ...env, OPENAI_BASE_URL: '' } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const id = await newestRunId();
  const out = join(dir, 'tests', 'label.test.yaml');
  rmSync(join(dir, 'tests'), { recursive: true, force: true });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'tests'));
  const rec = await runCli(['test', '--record', id, '--out', out], { cwd: dir, env });
  assert.equal(rec.code, 0, rec.stdout + rec.stderr);
  const written = parse(readFileSync(out, 'utf8'));
  assert.equal(written.workflow, '../tools.yaml');
  assert.equal(written.cases[0].model, undefined);
  assert.deepEqual(written.cases[0].expect.calls, ['CONFLUENCE_ADD_CONTENT_LABEL']);
  const t = await runCli(['test', out], { cwd: dir, env });
  assert.equal(t.code, 0, t.stdout + t.stderr);
  assert.ok(looksClean(rec.stdout + rec.stderr + t.stdout));
});

test('an unknown run id is a user error (exit 2)', async () => {
  const r = await runCli(['test', '--record', 'no-such-run-id'], { cwd: dir, env });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /no run with id 'no-such-run-id'/);
  assert.ok(looksClean(r.stdout + r.stderr));
});
