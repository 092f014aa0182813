/**
 * e2e: `tools.backend: confluence` runs the toolkit in-process against a Confluence site (a sandbox on loopback,
 * spoken to over its REST API only), through the same gateway and record as every backend.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox/server.ts';
import { approvedPageScript } from '../../fixtures/model-scripts.ts';
import { WORKFLOWS, callsOf, looksClean, runIdOf, siteClient, startModel, workspace, type SiteClient } from './helpers.ts';

const ws = workspace('confluence');
let site: SandboxHandle;
let rest: SiteClient;

before(async () => {
  site = await startSandbox({ port: 0, dbPath: join(ws.dir, 'site.db'), seed: true });
  rest = siteClient(site);
});
after(async () => {
  await site?.close();
  ws.remove();
});

/** The site's settings, with any of them overridden. */
const siteEnv = (extra: Record<string, string> = {}) => ({
  RUNNER_BACKEND: 'confluence',
  CONFLUENCE_BASE_URL: site.url,
  CONFLUENCE_EMAIL: site.email,
  CONFLUENCE_API_TOKEN: site.apiToken,
  ...extra,
});

/** Labels of the page with this title in PROD. */
async function labelsOf(title: string): Promise<string[]> {
  const [page] = await rest.pagesTitled('PROD', title);
  assert.ok(page, `no page '${title}' in PROD`);
  const { json } = await rest.get(`/wiki/api/v2/pages/${page.id}/labels`);
  return json.results.map((l: { name: string }) => l.name);
}

test('a tool-step workflow labels the page on the site, and the record says confluence', async () => {
  const res = await ws.cli(['run', WORKFLOWS.labelQ3, '-i', 'label=direct-backend'], siteEnv());
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'succeeded');
  assert.equal(run.backend, 'confluence');
  assert.deepEqual(
    callsOf(run).map((c) => c.tool),
    ['CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_ADD_CONTENT_LABEL', 'CONFLUENCE_GET_LABELS_FOR_PAGE'],
  );
  assert.ok((await labelsOf('Q3 Planning')).includes('direct-backend'));
});

test('a wrong token fails the run as auth, not retried, before any tool call', async () => {
  const res = await ws.cli(['run', WORKFLOWS.labelQ3, '-i', 'label=never-added'], siteEnv({ CONFLUENCE_API_TOKEN: 'wrong-token' }));
  assert.equal(res.code, 1, res.stderr + res.stdout);
  assert.ok(looksClean(res.stdout + res.stderr));
  assert.doesNotMatch(res.stdout + res.stderr, /wrong-token/);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'failed');
  assert.equal(run.backend, 'confluence');
  assert.equal(run.error?.kind, 'auth');
  assert.equal(run.error?.retryable, false);
  assert.match(run.error!.message, /refused the login \(HTTP 401\).*CONFLUENCE_API_TOKEN/);
  assert.deepEqual(callsOf(run), []);
  assert.ok(!(await labelsOf('Q3 Planning')).includes('never-added'));
});

test('missing settings: one line naming them, exit 2, no run', async () => {
  const before = (await ws.runs()).length;
  const res = await ws.cli(['run', WORKFLOWS.labelQ3], siteEnv({ CONFLUENCE_EMAIL: '', CONFLUENCE_API_TOKEN: '' }));
  assert.equal(res.code, 2, res.stderr);
  assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  assert.match(res.stderr, /the confluence backend needs CONFLUENCE_EMAIL, CONFLUENCE_API_TOKEN/);
  assert.ok(looksClean(res.stderr));
  assert.equal((await ws.runs()).length, before);
});

test('a prompt step creates a page through the model and the confluence backend', async (t) => {
  const model = await startModel(t, approvedPageScript);
  const file = join(ws.dir, 'create-page.yaml');
  writeFileSync(
    file,
    [
      'version: 1',
      'name: create-page',
      'tools:',
      '  backend: confluence',
      '  allow: [CONFLUENCE_GET_SPACES, CONFLUENCE_CREATE_PAGE]',
      'steps:',
      '  - id: create',
      '    prompt: Create a page titled "Direct backend page" in space MKT with a short checklist. Answer with the page id.',
      '    output:',
      '      schema: { type: object, required: [id], additionalProperties: false, properties: { id: { type: string } } }',
      '',
    ].join('\n'),
  );
  const res = await ws.cli(['run', file], { ...siteEnv({ RUNNER_BACKEND: '' }), OPENAI_BASE_URL: model.url });
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.backend, 'confluence');
  const id = (run.outputs.create as { id: string }).id;
  const page = await rest.get(`/wiki/api/v2/pages/${id}`);
  assert.equal(page.status, 200);
  assert.equal(page.json.title, 'Direct backend page');
  assert.equal(page.json.spaceId, await rest.spaceId('MKT'));
});
