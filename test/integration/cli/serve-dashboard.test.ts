/**
 * `runner serve --dashboard`: one process schedules the folder and serves the dashboard over the same SQLite file;
 * the runs serve makes appear on the runs page, the Workflows page shows the schedule, and one SIGINT stops both.
 * `runner dashboard` off loopback without RUNNER_DASHBOARD_TOKEN prints a generated sign-in link and asks for it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { looksClean, ROOT, spawnCli } from './cli-process.ts';

function workspace(t: { after(fn: () => void): void }): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'runner-serve-dashboard-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'workflows'));
  const original = readFileSync(join(ROOT, 'workflows', 'label-q3-planning.yaml'), 'utf8');
  writeFileSync(
    join(dir, 'workflows', 'label.yaml'),
    original.replace(/^description: .*$/m, (line) => `${line}\nschedule:\n  cron: "*/2 * * * * *"\n  timezone: UTC`),
  );
  const env = {
    RUNNER_DB: join(dir, 'runs.db'),
    RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'),
    RUNNER_WORKFLOWS: join(dir, 'workflows'),
    RUNNER_BACKEND: 'sandbox',
    RUNNER_SANDBOX_URL: '',
    RUNNER_DASHBOARD_TOKEN: '',
    REDIS_URL: '',
    RUNNER_STORE: '',
  };
  return { dir, env };
}

test('serve --dashboard: scheduled runs show on the runs page; one SIGINT stops both cleanly', { timeout: 60_000 }, async (t) => {
  const { dir, env } = workspace(t);
  const serve = await spawnCli(['serve', '--dashboard', '--port', '0'], { cwd: dir, env, ready: /Dashboard at (http:\/\/\S+)/ });
  t.after(() => serve.stop());
  const url = serve.match[1]!;
  let page = '';
  for (let i = 0; i < 100 && !/data-run=/.test(page); i++) {
    await delay(200);
    page = await (await fetch(`${url}/?workflow=label-q3-planning&trigger=schedule`)).text();
  }
  assert.match(page, /badge s-(running|succeeded)/, 'a run serve made is on the page');
  const workflows = await (await fetch(`${url}/workflows`)).text();
  assert.match(workflows, /Every 2 seconds <code>\*\/2 \* \* \* \* \*<\/code> \(UTC\)/);
  assert.equal(await serve.stop(), 0);
  assert.ok(looksClean(serve.stderr()), serve.stderr());
  await assert.rejects(fetch(`${url}/`), 'the dashboard stopped with serve');
});

test('dashboard off loopback: a generated token, printed once with a sign-in link, is required', { timeout: 30_000 }, async (t) => {
  const { dir, env } = workspace(t);
  const dashboard = await spawnCli(['dashboard', '--host', '0.0.0.0', '--port', '0'], { cwd: dir, env, ready: /sign in: (http:\/\/\S+)\/login\?token=(\S+)/ });
  t.after(() => dashboard.stop());
  const [, url, token] = dashboard.match;
  assert.match(dashboard.stderr(), /warning: --host 0\.0\.0\.0: the dashboard .* listens on every interface/);
  assert.equal((await fetch(`${url}/`)).status, 401);
  assert.equal((await fetch(`${url}/`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  const signIn = await fetch(`${url}/login?token=${token}`, { redirect: 'manual' });
  assert.equal(signIn.status, 303);
  assert.equal(await dashboard.stop(), 0);
  assert.ok(looksClean(dashboard.stderr()), dashboard.stderr());
});
