/**
 * e2e: the composio backend through the real @composio/core client, pointed at the sandbox's Tool Router face,
 * with direct tools and with the router's meta tools (whose inner calls the runner still gates one by one).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { routerPublishScript, weeklySummaryScript } from '../../fixtures/model-scripts.ts';
import { AT, AT_WEEK, WORKFLOWS, callsOf, fixture, runIdOf, siteClient, startModel, startSite, workspace, type SiteClient } from './helpers.ts';

const ws = workspace('composio');
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

const composioEnv = (preset: string) => ({
  COMPOSIO_API_KEY: site.toolRouterApiKey,
  COMPOSIO_BASE_URL: site.url,
  COMPOSIO_SESSION_PRESET: preset,
});

const WEEKLY_ALLOW = [
  'CONFLUENCE_ADD_CONTENT_LABEL',
  'CONFLUENCE_CREATE_BLOGPOST',
  'CONFLUENCE_GET_PAGES',
  'CONFLUENCE_GET_PAGE_BY_ID',
  'CONFLUENCE_GET_SPACES',
  'CONFLUENCE_SEARCH_CONTENT',
];

test('direct tools: weekly-summary publishes through a Tool Router session offering exactly the allowed tools', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], {
    OPENAI_BASE_URL: model.url,
    RUNNER_BACKEND: 'composio',
    ...composioEnv('direct_tools'),
  });
  assert.equal(res.code, 0, res.stderr);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'succeeded');
  assert.equal(run.backend, 'composio');
  for (const request of model.requests) assert.deepEqual(request.toolNames.toSorted(), WEEKLY_ALLOW);
  assert.ok(callsOf(run).every((c) => c.status === 'ok' && c.via === undefined));

  const postId = (run.outputs.publish as { id: string }).id;
  const post = await rest.get(`/wiki/api/v2/blogposts/${postId}`);
  assert.equal(post.status, 200);
  assert.equal(post.json.title, `Weekly summary ${AT_WEEK}`);
  const labels = await rest.get(`/wiki/api/v2/blogposts/${postId}/labels`);
  assert.deepEqual(
    labels.json.results.map((l: { name: string }) => l.name),
    ['weekly-summary'],
  );
});

test('meta tools: inner calls of COMPOSIO_MULTI_EXECUTE_TOOL are gated one by one', async (t) => {
  const [q3] = await rest.pagesTitled('PROD', 'Q3 Planning');
  const model = await startModel(t, routerPublishScript(q3!.id));
  const title = 'Release notes 4.2';
  const res = await ws.cli(['run', fixture('publish-via-router.yaml'), '--backend', 'composio', '--input', `title=${title}`], {
    OPENAI_BASE_URL: model.url,
    ...composioEnv('meta_tools'),
  });
  assert.equal(res.code, 0, res.stderr);

  // The model sees the router's meta tools, not the app tools, and no connection management: an unattended run
  // cannot finish an auth link (the connection is checked before the run instead).
  assert.deepEqual(model.requests[0]!.toolNames.toSorted(), ['COMPOSIO_GET_TOOL_SCHEMAS', 'COMPOSIO_MULTI_EXECUTE_TOOL', 'COMPOSIO_SEARCH_TOOLS']);

  // The post exists; the page the model tried to delete does too.
  const posts = (await rest.blogposts('TEAM')).filter((p) => p.title === title);
  assert.equal(posts.length, 1);
  const page = await rest.get(`/wiki/api/v2/pages/${q3!.id}`);
  assert.equal(page.status, 200);
  assert.equal(page.json.status, 'current');

  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(run.outputs.main, { id: posts[0]!.id });
  // Refusals are recorded as they are decided, before the rest of the batch runs.
  assert.deepEqual(
    callsOf(run).map((c) => [c.tool, c.status, c.via]),
    [
      ['CONFLUENCE_GET_SPACES', 'ok', 'COMPOSIO_MULTI_EXECUTE_TOOL'],
      ['CONFLUENCE_DELETE_PAGE', 'refused', 'COMPOSIO_MULTI_EXECUTE_TOOL'],
      ['CONFLUENCE_CREATE_BLOGPOST', 'ok', 'COMPOSIO_MULTI_EXECUTE_TOOL'],
    ],
  );
  const refused = callsOf(run).find((c) => c.status === 'refused')!;
  assert.deepEqual(refused.args, { id: q3!.id });
  assert.match(
    refused.error!,
    /^Refused by the runner: CONFLUENCE_DELETE_PAGE is not in this workflow's tools\.allow; allowed tools: (.+)\. The call was not executed\.$/,
  );
  // Even though the router lists only meta tools, the refusal names the app tools the workflow allows.
  const allowedNamed = /allowed tools: (.+)\. The call/.exec(refused.error!)![1]!.split(', ').toSorted();
  assert.deepEqual(allowedNamed, ['CONFLUENCE_CREATE_BLOGPOST', 'CONFLUENCE_GET_SPACES']);
  assert.ok(
    run.links.some((l) => l.includes(`/${posts[0]!.id}/`)),
    JSON.stringify(run.links),
  );

  // What the model got back: the router's shape, in request order, the refusal in place of the delete's result.
  const answer = model.requests[2]!.lastToolResult() as { successful: boolean; error: string; data: { results: any[]; error_count: number } };
  assert.equal(answer.successful, false);
  assert.equal(answer.data.error_count, 1);
  assert.deepEqual(
    answer.data.results.map((r) => [r.index, r.tool_slug]),
    [
      [0, 'CONFLUENCE_CREATE_BLOGPOST'],
      [1, 'CONFLUENCE_DELETE_PAGE'],
    ],
  );
  assert.equal(answer.data.results[0].response.data.id, posts[0]!.id);
  assert.equal(answer.data.results[1].response, null);
  assert.equal(answer.data.results[1].error, refused.error);
});
