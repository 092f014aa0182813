/**
 * e2e: `runner run workflows/weekly-summary.yaml` as a child process against the scripted model and a sandbox
 * started here, checked on the site itself, in the run record and in what the model was sent.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunRecord } from '../../../src/runs/types.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { SIMULATED_NOTE } from '../../../src/agent/simulate.ts';
import { WEEKLY_SUMMARY_MARKDOWN, weeklySummaryScript } from '../../fixtures/model-scripts.ts';
import { AT, AT_WEEK, WORKFLOWS, callsOf, runIdOf, siteClient, startModel, startSite, stepsOf, workspace, type SiteClient } from './helpers.ts';

const ws = workspace('publish');
let site: SandboxWithMcp;
let rest: SiteClient;

before(async () => {
  site = await startSite(ws.dir);
  rest = siteClient(site);
});
after(async () => {
  await site?.close();
  ws.remove();
});

/** Checks that the run published a blog post in TEAM, labelled, and recorded its link. */
async function assertPublished(run: RunRecord): Promise<void> {
  const postId = (run.outputs.publish as { id: string }).id;
  const post = await rest.get(`/wiki/api/v2/blogposts/${postId}`);
  assert.equal(post.status, 200, `blog post ${postId} is not on the site`);
  assert.equal(post.json.spaceId, await rest.spaceId('TEAM'));
  assert.equal(post.json.title, `Weekly summary ${AT_WEEK}`);
  assert.equal(post.json.status, 'current');
  const labels = await rest.get(`/wiki/api/v2/blogposts/${postId}/labels`);
  assert.deepEqual(
    labels.json.results.map((l: { name: string }) => l.name),
    ['weekly-summary'],
  );
  assert.deepEqual(run.links, [`${post.json._links.base}${post.json._links.webui}`]);
  assert.ok(run.links[0]!.startsWith(`${site.url}/wiki/spaces/TEAM/blog/`), run.links.join(' '));
}

test('weekly-summary publishes a labelled blog post, and the record tells the whole story', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url });
  assert.equal(res.code, 0, res.stderr);
  const id = runIdOf(res.stdout);
  assert.match(res.stdout, /✓ succeeded/);
  assert.match(res.stdout, new RegExp(`run id: ${id}`));

  const run = (await ws.run(id))!;
  assert.equal(run.status, 'succeeded');
  assert.equal(run.mode, 'live');
  assert.equal(run.backend, 'sandbox');
  assert.equal(run.attempts.length, 1);
  assert.deepEqual(
    stepsOf(run).map((s) => [s.id, s.kind, s.status]),
    [
      ['gather', 'prompt', 'succeeded'],
      ['publish', 'prompt', 'succeeded'],
      ['label', 'tool', 'succeeded'],
    ],
  );
  assert.deepEqual(
    callsOf(run).map((c) => [c.tool, c.status]),
    [
      ['CONFLUENCE_SEARCH_CONTENT', 'ok'],
      ['CONFLUENCE_GET_PAGE_BY_ID', 'ok'],
      ['CONFLUENCE_GET_SPACES', 'ok'],
      ['CONFLUENCE_CREATE_BLOGPOST', 'ok'],
      ['CONFLUENCE_ADD_CONTENT_LABEL', 'ok'],
    ],
  );
  const create = callsOf(run).find((c) => c.tool === 'CONFLUENCE_CREATE_BLOGPOST')!;
  assert.equal((create.args as { title: string }).title, `Weekly summary ${AT_WEEK}`);
  assert.equal(create.effect, 'write');
  // body_format: markdown: the model wrote Markdown, the site got storage, and the record keeps both.
  assert.equal(create.markdown, WEEKLY_SUMMARY_MARKDOWN);
  assert.match(create.note ?? '', /written in Markdown/);
  const sent = (create.args as { body: { value: string } }).body.value;
  assert.match(sent, /^<h2>Summary of the week<\/h2>/);
  const postId = (run.outputs.publish as { id: string }).id;
  const stored = await rest.get(`/wiki/api/v2/blogposts/${postId}?body-format=storage`);
  assert.equal(stored.json.body.storage.value, sent);
  assert.match(sent, /<ac:task-list>\n<ac:task><ac:task-status>incomplete<\/ac:task-status><ac:task-body>Follow up &amp; ship<\/ac:task-body><\/ac:task>/);
  assert.match(sent, /<ac:structured-macro ac:name="info"><ac:rich-text-body>\n<p>Written by the runner.<\/p>/);
  assert.equal(run.usage.requests, model.requests.length);
  assert.ok(run.usage.inputTokens > 0 && run.usage.outputTokens > 0, JSON.stringify(run.usage));
  await assertPublished(run);
  assert.ok(res.stdout.includes(run.links[0]!), 'the summary shows the link');
  assert.match(res.stderr, /✓ publish /, 'progress goes to stderr');

  const shown = await ws.cli(['runs', 'show', id, '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual(JSON.parse(shown.stdout), run);
});

test('run --json prints the record on stdout and nothing else', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT, '--json'], { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stderr, '');
  const printed = JSON.parse(res.stdout) as RunRecord;
  assert.equal(printed.status, 'succeeded');
  assert.deepEqual(printed, await ws.run(printed.id));
  await assertPublished(printed);
});

test('--preview leaves the site unchanged and says what it would have done', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const before = await rest.blogposts('TEAM');
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT, '--preview'], { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url });
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(await rest.blogposts('TEAM'), before, 'a blog post appeared in preview mode');

  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.mode, 'preview');
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(
    callsOf(run).map((c) => [c.tool, c.status]),
    [
      ['CONFLUENCE_SEARCH_CONTENT', 'ok'],
      ['CONFLUENCE_GET_PAGE_BY_ID', 'ok'],
      ['CONFLUENCE_GET_SPACES', 'ok'],
      ['CONFLUENCE_CREATE_BLOGPOST', 'simulated'],
      ['CONFLUENCE_ADD_CONTENT_LABEL', 'simulated'],
    ],
  );
  assert.deepEqual(run.links, []);

  // The model's next request carries the simulated result, marked as such.
  const afterCreate = model.requests.find((r) => r.userText.includes('Publish a blog post') && r.turn === 2)!;
  const result = JSON.parse(afterCreate.toolResults.at(-1)!.output) as { simulated?: boolean; note?: string; data?: { title?: string } };
  assert.equal(result.simulated, true);
  assert.equal(result.note, `${SIMULATED_NOTE} (CONFLUENCE_CREATE_BLOGPOST)`);
  assert.equal(result.data?.title, `Weekly summary ${AT_WEEK}`);

  assert.match(res.stdout, /preview: 2 write\(s\) not executed:/);
  assert.match(res.stdout, new RegExp(`would have created blog post "Weekly summary ${AT_WEEK}" in \\S+ +\\(CONFLUENCE_CREATE_BLOGPOST \\{`));
  assert.match(res.stdout, /would have labelled content \S+ with "[^"]+" +\(CONFLUENCE_ADD_CONTENT_LABEL \{/);
});

test('RUNNER_OPENAI_API=responses talks the Responses API to OPENAI_BASE_URL', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], {
    OPENAI_BASE_URL: model.url,
    RUNNER_OPENAI_API: 'responses',
    RUNNER_SANDBOX_URL: site.url,
  });
  assert.equal(res.code, 0, res.stderr);
  assert.ok(model.requests.length >= 6);
  assert.deepEqual([...new Set(model.requests.map((r) => `${r.api} ${r.path}`))], ['responses /v1/responses']);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'succeeded');
  await assertPublished(run);
});
