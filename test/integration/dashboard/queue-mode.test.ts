/**
 * The dashboard in queue mode, as people run it: `runner dashboard` and `runner worker` as real processes on the
 * real Redis (their own prefix). It lists the runs the workers made (RUNNER_STORE defaults to Redis when REDIS_URL
 * is set), its Approve button queues the resume for any worker, and the Queue page is Bull Board, read-only.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type ScriptedModelServer, startScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { ROOT, startSite } from '../e2e/helpers.ts';
import { testbed } from '../queue/helpers.ts';
import { basic, HELD_POST, poster, spaceId } from './world.ts';

const parts = { bed: testbed('dashboard'), site: undefined as unknown as SandboxWithMcp };
let model: ScriptedModelServer;
let url: string;
let extra: Record<string, string>;
let stopDashboard: () => Promise<void>;

before(async () => {
  parts.site = await startSite(parts.bed.ws.dir);
  const { bed, site } = parts;
  model = await startScriptedModelServer({ script: poster(await spaceId(site, 'TEAM')) });
  const workflows = join(bed.ws.dir, 'flows');
  bed.folder('flows', []);
  writeFileSync(join(workflows, 'held-post.yaml'), HELD_POST);
  extra = { RUNNER_SANDBOX_URL: site.url, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test', RUNNER_WORKFLOWS: workflows };
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'dashboard', '--port', '0'], {
    cwd: bed.ws.dir,
    env: { ...process.env, ...bed.env(extra), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // Stoppable from here on, whatever the checks below say, so a failed start never leaves the process behind.
  const exited = new Promise((resolve) => child.once('close', resolve));
  stopDashboard = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  // The banner's last line says where runs come from: wait for it, not only for the address.
  for (let i = 0; i < 200 && !/runs from: .*\n/.test(output); i++) await delay(50);
  url = /Dashboard at (http:\/\/\S+)/.exec(output)?.[1] ?? assert.fail(`no banner: ${output}`);
  assert.match(output, /runs from: Redis \(redis:\/\/127\.0\.0\.1:6379, prefix /, 'Redis is read because REDIS_URL is set');
});
after(async () => {
  await stopDashboard?.();
  await model?.close();
  await parts.bed.close();
  await parts.site?.close();
});

test('a run a worker made waits; Approve in the dashboard queues its resume and a worker finishes it, one post', async () => {
  const { bed, site } = parts;
  const enqueued = await bed.cli(['enqueue', join(bed.ws.dir, 'flows/held-post.yaml'), '--input', 'title=Queue approve'], extra);
  assert.equal(enqueued.code, 0, enqueued.stderr);
  const runId = enqueued.stdout.trim();
  await bed.worker(extra);
  for (let i = 0; i < 300 && (await bed.store.get(runId))?.status !== 'waiting'; i++) await delay(50);
  assert.equal((await bed.store.get(runId))?.status, 'waiting');

  const runs = await (await fetch(`${url}/`)).text();
  assert.match(runs, new RegExp(`data-run="${runId}"`), "the runs page shows the workers' run");
  assert.match(runs, /Queue<\/a>/, 'queue mode has a Queue page');
  const page = await (await fetch(`${url}/runs/${runId}`)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  const res = await fetch(`${url}/runs/${runId}/approve`, { method: 'POST', body: new URLSearchParams({ call: '1', csrf }), redirect: 'manual' });
  assert.equal(res.status, 303);
  const flash = await (await fetch(`${url}${res.headers.get('location')}`)).text();
  assert.match(flash, /goes on in a worker \(job [^)]*:resume:1\)/);
  for (let i = 0; i < 300 && (await bed.store.get(runId))?.status !== 'succeeded'; i++) await delay(50);
  const run = (await bed.store.get(runId))!;
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.ok(run.approvals![0]!.resumedBy, 'a worker resumed it');
  const posts = await fetch(`${site.url}/wiki/api/v2/spaces/${await spaceId(site, 'TEAM')}/blogposts?limit=250`, { headers: { authorization: basic(site) } });
  const titled = ((await posts.json()) as { results: Array<{ title: string }> }).results.filter((p) => p.title === 'Queue approve');
  assert.equal(titled.length, 1, 'exactly one post');
});

test('the Queue page is Bull Board over the runs and notification queues, and it is read-only', async () => {
  const board = await fetch(`${url}/queues`);
  assert.equal(board.status, 200);
  assert.match(await board.text(), /<html/i);
  const api = await fetch(`${url}/queues/api/queues?activeQueue=runs&page=1`);
  assert.equal(api.status, 200);
  const body = (await api.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
  assert.deepEqual(body.queues.map((q) => [q.name, q.readOnlyMode]).sort(), [
    ['notifications', true],
    ['runs', true],
  ]);
  for (const method of ['PUT', 'POST', 'DELETE']) {
    const write = await fetch(`${url}/queues/api/queues/runs/clean/completed`, { method });
    assert.equal(write.status, 405, `${method} is refused`);
  }
});
