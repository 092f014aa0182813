/**
 * Links a run on the in-process sandbox records name RUNNER_SANDBOX_PUBLIC_URL (where `runner sandbox serve` shows
 * the same database), not the random port that died with the run; the summary says how to open them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startSandbox } from '../../../src/sandbox/server.ts';
import { weeklySummaryScript } from '../../fixtures/model-scripts.ts';
import { AT, WORKFLOWS, runIdOf, startModel, startSite, workspace } from '../e2e/helpers.ts';

const ws = workspace('run-links');
after(() => ws.remove());

const HINT = '(links open on the sandbox: run `runner sandbox serve`)';

test('a run on the in-process sandbox records links at the public URL, and they open on a sandbox over the same file', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_PUBLIC_URL: '' });
  assert.equal(res.code, 0, res.stderr);
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.links.length, 1);
  const link = run.links[0]!;
  assert.match(link, /^http:\/\/127\.0\.0\.1:8787\/wiki\/spaces\/TEAM\/blog\/\d{4}\/\d{2}\/\d{2}\/\d+\/Weekly\+summary\+/);
  assert.ok(res.stdout.includes(link), 'the summary shows the link');
  assert.ok(res.stdout.includes(HINT), res.stdout);

  // What `runner sandbox serve` does with the same RUNNER_SANDBOX_DB, on a free port instead of 8787.
  const serve = await startSandbox({ dbPath: join(ws.dir, 'sandbox.db'), port: 0 });
  try {
    const view = await fetch(link.replace('http://127.0.0.1:8787', serve.url), {
      headers: { Authorization: `Basic ${Buffer.from(`${serve.email}:${serve.apiToken}`).toString('base64')}` },
    });
    assert.equal(view.status, 200);
    assert.match(await view.text(), /<h1 id="content-title">Weekly summary /);
  } finally {
    await serve.close();
  }
});

test('RUNNER_SANDBOX_PUBLIC_URL names the base; a run on a running sandbox (RUNNER_SANDBOX_URL) keeps its own links and no hint', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const custom = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', '2026-12-04T16:00:00+01:00'], {
    OPENAI_BASE_URL: model.url,
    RUNNER_SANDBOX_PUBLIC_URL: 'https://sandbox.example.test/',
  });
  assert.equal(custom.code, 0, custom.stderr);
  assert.match((await ws.run(runIdOf(custom.stdout)))!.links[0]!, /^https:\/\/sandbox\.example\.test\/wiki\/spaces\/TEAM\/blog\//);

  const site = await startSite(ws.dir);
  t.after(() => site.close());
  const other = await startModel(t, weeklySummaryScript);
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], { OPENAI_BASE_URL: other.url, RUNNER_SANDBOX_URL: site.url });
  assert.equal(res.code, 0, res.stderr);
  assert.ok((await ws.run(runIdOf(res.stdout)))!.links[0]!.startsWith(`${site.url}/wiki/spaces/TEAM/blog/`));
  assert.ok(!res.stdout.includes(HINT), res.stdout);

  const bad = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], { RUNNER_SANDBOX_PUBLIC_URL: 'sandbox:8787' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /RUNNER_SANDBOX_PUBLIC_URL must be an http or https URL, not 'sandbox:8787'/);
});
