/**
 * Queue mode, the shared store seen from the CLI and what Redis holds: `RUNNER_STORE=redis runner runs --json`
 * lists the runs worker processes made (manual and scheduled), and no key under the prefix (job payloads, scheduler
 * templates, events, records, journals) carries the OpenAI key the producers and workers had in their environment.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Redis } from 'ioredis';
import type { RunRecord } from '../../../src/runs/types.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { WORKFLOWS, startModel, startSite } from '../e2e/helpers.ts';
import { queueFixture, testbed, until, type Testbed } from './helpers.ts';

let bed: Testbed;
let site: SandboxWithMcp;
before(async () => {
  bed = testbed('runs-store');
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  await site?.close();
});

/** Every value stored under these keys, as text (hash fields and stream entries included). */
async function everyValue(redis: Redis, keys: string[]): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const key of keys) {
    const type = await redis.type(key);
    let values: unknown;
    if (type === 'string') values = await redis.get(key);
    else if (type === 'hash') values = await redis.hgetall(key);
    else if (type === 'zset') values = await redis.zrange(key, '0', '-1', 'WITHSCORES');
    else if (type === 'list') values = await redis.lrange(key, '0', '-1');
    else if (type === 'set') values = await redis.smembers(key);
    else if (type === 'stream') values = await redis.xrange(key, '-', '+');
    else throw new Error(`${key} has an unexpected type ${type}`);
    out.push([key, JSON.stringify(values)]);
  }
  return out;
}

test("runner runs --json with RUNNER_STORE=redis lists the workers' runs; no key under the prefix holds the API key", { timeout: 40_000 }, async (t) => {
  const secret = `sk-sentinel-${randomUUID()}`;
  const model = await startModel(t, () => ({ text: 'Hello, team.' }), { apiKey: secret });
  const env = { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: secret, RUNNER_SANDBOX_URL: site.url };
  const workers = await Promise.all([bed.worker(env, ['--concurrency', '2']), bed.worker(env, ['--concurrency', '2'])]);

  const enqueue = async (file: string, ...args: string[]) => {
    const result = await bed.cli(['enqueue', file, ...args, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret));
    return (JSON.parse(result.stdout) as { runId: string }).runId;
  };
  const prompts = await enqueue(queueFixture('two-prompts.yaml'), '--input', 'who=the night shift');
  const labels = await enqueue(WORKFLOWS.labelQ3);
  const sync = await bed.cli(['schedule', 'sync', bed.folder('scheduled', ['tick-label.yaml'])], env);
  assert.equal(sync.code, 0, sync.stderr);

  const scheduled = await until('a scheduled run to succeed', async () => (await bed.store.list({ workflow: 'tick-label', status: 'succeeded', limit: 1 }))[0]);
  await until('both manual runs to end', async () => {
    const runs = await Promise.all([prompts, labels].map((id) => bed.store.get(id)));
    return runs.every((r) => r?.status === 'succeeded' || r?.status === 'failed');
  });
  for (const worker of workers) worker.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all(workers.map((w) => w.exited)), [0, 0]);

  const listed = await bed.cli(['runs', '--json', '--limit', '100'], { RUNNER_STORE: 'redis' });
  assert.equal(listed.code, 0, listed.stderr);
  const runs = JSON.parse(listed.stdout) as RunRecord[];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const identities = workers.map((w) => w.identity);
  for (const id of [prompts, labels, scheduled.id]) {
    const run = byId.get(id);
    assert.ok(run, `${id} is listed`);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.ok(identities.includes(run.attempts[0]!.worker!), `${id} ran on a worker: ${run.attempts[0]!.worker}`);
  }
  assert.deepEqual(byId.get(prompts)!.inputs, { who: 'the night shift' });
  assert.deepEqual(byId.get(prompts)!.trigger, { type: 'manual' });
  assert.deepEqual(byId.get(scheduled.id)!.trigger, scheduled.trigger);
  assert.deepEqual(
    runs.map((r) => r.createdAt),
    runs
      .map((r) => r.createdAt)
      .sort()
      .reverse(),
    'most recent first',
  );
  const shown = await bed.cli(['runs', 'show', prompts.slice(0, 8), '--json'], { RUNNER_STORE: 'redis' });
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual(JSON.parse(shown.stdout), byId.get(prompts));
  // The local store (RUNNER_DB) knows nothing of them.
  const local = await bed.cli(['runs', '--json'], { RUNNER_STORE: 'sqlite' });
  assert.deepEqual(JSON.parse(local.stdout), []);

  // The key was used (the model server insists on it) and went nowhere near Redis.
  assert.ok(model.requests.length >= 2 && model.requests.every((r) => r.status === 200));
  const keys = await bed.keys();
  const values = await everyValue(bed.redis, keys);
  assert.ok(
    values.some(([key, value]) => key === `${bed.prefix}:runs:${prompts}` && JSON.parse(JSON.parse(value).data).source.includes('name: two-prompts')),
    "the manual job's payload was checked",
  );
  assert.ok(
    values.some(([key, value]) => key === `${bed.prefix}:runs:repeat:tick-label` && value.includes('tick-label')),
    'the scheduler template was checked',
  );
  assert.deepEqual(
    values.filter(([key, value]) => key.includes(secret) || value.includes(secret)).map(([key]) => key),
    [],
  );
  for (const worker of workers) assert.ok(!worker.lines.join('\n').includes(secret));
});
