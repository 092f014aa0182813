/**
 * e2e: connecting a Composio user's Confluence account through the sandbox's tool-router face with the real
 * `@composio/core` client: `runner connect` prints an auth link, the test opens it and confirms, the command reports
 * the connection active; a run for a user without one fails at once with kind `auth`, before any model request.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { Composio } from '@composio/core';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { weeklySummaryScript } from '../../fixtures/model-scripts.ts';
import { AT, ROOT, WORKFLOWS, looksClean, runIdOf, startModel, startSite, workspace } from './helpers.ts';

const ws = workspace('connect');
let site: SandboxWithMcp;
let composio: Composio;

before(async () => {
  site = await startSite(ws.dir);
  composio = new Composio({ apiKey: site.toolRouterApiKey, baseURL: site.url, allowTracking: false, disableVersionCheck: true });
});
after(async () => {
  await site?.close();
  ws.remove();
});

const composioEnv = (user: string) => ({
  COMPOSIO_API_KEY: site.toolRouterApiKey,
  COMPOSIO_BASE_URL: site.url,
  COMPOSIO_USER_ID: user,
});

/** Runs the CLI as a child, calling `onStdout` with everything printed so far each time stdout grows. */
function runLive(
  args: string[],
  env: Record<string, string>,
  onStdout: (text: string) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [`${ROOT}src/cli/main.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...ws.env(env), NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    onStdout(stdout);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('a new user has no connection, and its tools answer "No connected account found" (1803)', async () => {
  const session = await composio.create('fresh-user', { toolkits: ['confluence'], manageConnections: false });
  const { items } = await session.toolkits({ toolkits: ['confluence'] });
  assert.equal(items.length, 1);
  assert.equal(items[0]?.slug, 'confluence');
  assert.equal(items[0]?.connection?.isActive, false);
  assert.equal(items[0]?.connection?.connectedAccount, undefined);
  await assert.rejects(session.execute('CONFLUENCE_GET_SPACES', {}), (error: Error & { status?: number; error?: any }) => {
    assert.match(error.message, /No connected account found for user fresh-user and toolkit confluence/);
    return true;
  });
  const raw = await fetch(`${site.url}/api/v3.1/tool_router/session/${session.sessionId}/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': site.toolRouterApiKey },
    body: JSON.stringify({ tool_slug: 'CONFLUENCE_GET_SPACES', arguments: {} }),
  });
  const body = (await raw.json()) as { error: { code: number; message: string; status: number } };
  assert.equal(body.error.code, 1803);
  assert.equal(body.error.status, raw.status);
});

test('runner connect prints an auth link, waits, and reports the connection active once it is confirmed', async () => {
  const before = await ws.cli(['connections', '--user', 'new-user', '--json'], composioEnv('default'));
  assert.equal(before.code, 0, before.stderr);
  assert.deepEqual(JSON.parse(before.stdout), [{ user: 'new-user', toolkit: 'confluence', account: null, status: 'none' }]);

  let opened: Promise<void> | undefined;
  const consent: { get?: number; html?: string; post?: number } = {};
  const result = await runLive(['connect', '--user', 'new-user', '--wait', '20s'], composioEnv('default'), (stdout) => {
    const url = /https?:\/\/\S+\/tool_router\/link\/\S+/.exec(stdout)?.[0];
    if (!url || opened) return;
    opened = (async () => {
      const page = await fetch(url);
      consent.get = page.status;
      consent.html = await page.text();
      const confirm = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      consent.post = confirm.status;
      await confirm.text();
    })();
  });
  await opened;
  assert.equal(result.code, 0, result.stderr);
  assert.ok(looksClean(result.stderr), result.stderr);
  assert.match(result.stdout, /Open this link to connect Confluence for Composio user new-user:/);
  assert.equal(consent.get, 200);
  assert.match(consent.html ?? '', /<form method="post">/);
  assert.match(consent.html ?? '', /new-user/);
  assert.equal(consent.post, 200);
  assert.match(result.stdout, /Confluence is connected for Composio user new-user: account ca_\S+, active\./);
  // The status line shows what was seen while waiting, if anything (the test may confirm before the first check).
  assert.doesNotMatch(result.stderr, /waiting for the connection: (active|failed)/);

  const listed = await ws.cli(['connections', '--user', 'new-user', '--json'], composioEnv('default'));
  assert.equal(listed.code, 0, listed.stderr);
  const [row] = JSON.parse(listed.stdout) as Array<{ toolkit: string; account: string; status: string }>;
  assert.equal(row?.status, 'active');
  assert.match(row?.account ?? '', /^ca_/);

  const again = await ws.cli(['connect', '--user', 'new-user'], composioEnv('default'));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already|connected for Composio user new-user/);
});

test('runner connect exits 1 when the wait ends, and 2 for bad flags or a missing key', async () => {
  const waited = await ws.cli(['connect', '--user', 'slow-user', '--wait', '2s'], composioEnv('default'));
  assert.equal(waited.code, 1);
  assert.match(waited.stdout, /\/tool_router\/link\//);
  assert.match(waited.stderr, /not finished after 2s/);
  assert.ok(looksClean(waited.stderr), waited.stderr);

  const noKey = await ws.cli(['connect'], { COMPOSIO_BASE_URL: site.url });
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /COMPOSIO_API_KEY is not set/);
  const badWait = await ws.cli(['connect', '--wait', 'soon'], composioEnv('default'));
  assert.equal(badWait.code, 2);
  assert.match(badWait.stderr, /--wait must be a duration/);
  const badToolkit = await ws.cli(['connect', 'jira'], composioEnv('default'));
  assert.equal(badToolkit.code, 2);
  assert.match(badToolkit.stderr, /unknown toolkit 'jira'/);
});

test('a run for a user without a connection fails at once with kind auth, no model request, not retryable', async (t) => {
  const model = await startModel(t, weeklySummaryScript);
  const res = await ws.cli(['run', WORKFLOWS.weeklySummary, '--at', AT], {
    OPENAI_BASE_URL: model.url,
    RUNNER_BACKEND: 'composio',
    ...composioEnv('unconnected-user'),
  });
  assert.equal(res.code, 1, res.stderr);
  assert.ok(looksClean(res.stderr), res.stderr);
  assert.equal(model.requests.length, 0, 'no model request is spent');
  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.kind, 'auth');
  // The queue retries only failures marked retryable (queue/processor.ts); this one is not.
  assert.equal(run.error?.retryable, false);
  assert.match(
    run.error?.message ?? '',
    /Composio user unconnected-user has no Confluence connection; connect it with `runner connect --user unconnected-user`/,
  );
  assert.equal(run.attempts.length, 1);
  assert.deepEqual(
    run.attempts[0]?.steps.flatMap((s) => s.toolCalls),
    [],
  );
});

test('COMPOSIO_MANAGE_CONNECTIONS hands an unconnected user an auth link; once confirmed, its tools run', async () => {
  const session = await composio.create('meta-user', { toolkits: ['confluence'] });
  const meta = async (slug: string, args: unknown) => {
    const res = await fetch(`${site.url}/api/v3.1/tool_router/session/${session.sessionId}/execute_meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': site.toolRouterApiKey },
      body: JSON.stringify({ slug, arguments: args }),
    });
    return (await res.json()) as { data: Record<string, any>; error: string | null };
  };
  const search = await meta('COMPOSIO_SEARCH_TOOLS', { queries: [{ use_case: 'list spaces' }] });
  assert.equal(search.data.toolkit_connection_statuses[0].has_active_connection, false);
  const blocked = await meta('COMPOSIO_MULTI_EXECUTE_TOOL', {
    sync_response_to_workbench: false,
    tools: [{ tool_slug: 'CONFLUENCE_GET_SPACES', arguments: {} }],
  });
  assert.match(JSON.stringify(blocked.data.results[0]), /No connected account found for user meta-user/);

  const managed = await meta('COMPOSIO_MANAGE_CONNECTIONS', { toolkits: ['confluence'] });
  const result = managed.data.results.confluence;
  assert.equal(result.status, 'initiated');
  assert.equal(result.has_active_connection, false);
  assert.match(result.redirect_url, /\/tool_router\/link\//);
  assert.equal(managed.data.summary.initiated_connections, 1);
  const confirmed = await fetch(result.redirect_url, { method: 'POST' });
  assert.equal(confirmed.status, 200);
  await confirmed.text();

  const again = await meta('COMPOSIO_MANAGE_CONNECTIONS', { toolkits: ['confluence'] });
  assert.equal(again.data.results.confluence.status, 'active');
  assert.equal(again.data.results.confluence.connected_account_id, result.connected_account_id);
  const spaces = await session.execute('CONFLUENCE_GET_SPACES', {});
  assert.equal(spaces.error, null);
});

test('with --callback-url the consent page sends the person there afterwards', async () => {
  let location: string | null = null;
  let posted: Promise<void> | undefined;
  const result = await runLive(
    ['connect', '--user', 'callback-user', '--callback-url', 'https://app.example.com/done', '--wait', '20s'],
    composioEnv('default'),
    (stdout) => {
      const url = /https?:\/\/\S+\/tool_router\/link\/\S+/.exec(stdout)?.[0];
      if (!url || posted) return;
      posted = (async () => {
        const res = await fetch(url, { method: 'POST', redirect: 'manual' });
        location = res.headers.get('location');
      })();
    },
  );
  await posted;
  assert.equal(result.code, 0, result.stderr);
  const target = new URL(location ?? 'http://missing/');
  assert.equal(`${target.origin}${target.pathname}`, 'https://app.example.com/done');
  assert.equal(target.searchParams.get('status'), 'success');
  assert.match(target.searchParams.get('connected_account_id') ?? '', /^ca_/);
});
