/**
 * e2e: a model that tries a delete its workflow does not allow. The call never reaches the site, the record
 * keeps it as refused with its arguments, and the model is told why.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { obsoletePageScript } from '../../fixtures/model-scripts.ts';
import { callsOf, fixture, looksClean, runIdOf, siteClient, startModel, startSite, stepsOf, workspace, type SiteClient } from './helpers.ts';

const ws = workspace('refusals');
let site: SandboxWithMcp;
let rest: SiteClient;
let pageId: string;

before(async () => {
  site = await startSite(ws.dir);
  rest = siteClient(site);
  const [page] = await rest.pagesTitled('PROD', 'Q3 Planning');
  pageId = page!.id;
});
after(async () => {
  await site?.close();
  ws.remove();
});

async function assertPageIntact(): Promise<void> {
  const page = await rest.get(`/wiki/api/v2/pages/${pageId}`);
  assert.equal(page.status, 200);
  assert.equal(page.json.status, 'current');
  assert.equal(page.json.title, 'Q3 Planning');
}

test('a delete outside tools.allow is refused, recorded with its arguments, and the model is told why', async (t) => {
  const model = await startModel(t, obsoletePageScript);
  const res = await ws.cli(['run', fixture('delete-not-allowed.yaml'), '--input', `page_id=${pageId}`], {
    OPENAI_BASE_URL: model.url,
    RUNNER_SANDBOX_URL: site.url,
  });
  // The refusal is the model's to handle: it answers, so the step and the run succeed (with the refusal on record).
  assert.equal(res.code, 0, res.stderr);
  await assertPageIntact();

  assert.ok(!model.requests[0]!.toolNames.includes('CONFLUENCE_DELETE_PAGE'), 'the model was offered the delete tool');
  assert.deepEqual(model.requests[0]!.toolNames.toSorted(), ['CONFLUENCE_GET_PAGE_BY_ID', 'CONFLUENCE_SEARCH_CONTENT']);

  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'succeeded');
  const [call, ...others] = callsOf(run);
  assert.deepEqual(others, []);
  assert.equal(call!.tool, 'CONFLUENCE_DELETE_PAGE');
  assert.equal(call!.status, 'refused');
  assert.equal(call!.effect, 'destructive');
  assert.deepEqual(call!.args, { id: pageId });
  assert.equal(call!.turn, 1);
  assert.match(
    call!.error!,
    /^Refused by the runner: CONFLUENCE_DELETE_PAGE is not in this workflow's tools\.allow; allowed tools: .*CONFLUENCE_GET_PAGE_BY_ID.*\. The call was not executed\.$/,
  );

  // The model's next request carries the refusal as the tool's result.
  assert.equal(model.requests.length, 2);
  const seen = JSON.parse(model.requests[1]!.toolResults.at(-1)!.output) as { successful: boolean; error: string; data: unknown };
  assert.deepEqual(seen, { data: null, error: call!.error, successful: false, failure: { kind: 'validation', retryable: false } });

  const [step] = stepsOf(run);
  assert.equal(step!.status, 'succeeded');
  assert.equal(step!.output, `I did not delete the page: ${call!.error}`);
  assert.match(res.stderr, /→ CONFLUENCE_DELETE_PAGE \{"id":"\d+"\} REFUSED/);
});

test('a delete listed without tools.allow_destructive does not even start a run', async (t) => {
  const model = await startModel(t, obsoletePageScript);
  const before = (await ws.runs()).length;
  const res = await ws.cli(['run', fixture('delete-not-destructive.yaml'), '--input', `page_id=${pageId}`], {
    OPENAI_BASE_URL: model.url,
    RUNNER_SANDBOX_URL: site.url,
  });
  assert.equal(res.code, 2, res.stderr);
  assert.equal(res.stdout, '');
  assert.match(
    res.stderr,
    /delete-not-destructive\.yaml:\d+:\d+: tool 'CONFLUENCE_DELETE_PAGE' is destructive; set tools\.allow_destructive: true to allow it/,
  );
  assert.ok(looksClean(res.stderr), res.stderr);
  assert.equal(model.requests.length, 0);
  assert.equal((await ws.runs()).length, before);
  await assertPageIntact();
});
