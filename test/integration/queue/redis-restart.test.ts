/**
 * Queue mode survives a Redis restart: a worker process on a Redis server of the test's own (append-only file, so
 * the data outlives the restart) has runs in flight and runs queued when the server stops; once it is back on the
 * same port and folder, every run ends succeeded.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { startModel, startSite } from '../e2e/helpers.ts';
import { queueFixture, testbed, until, type Testbed } from './helpers.ts';

/** A redis-server child of this test. */
interface OwnRedis {
  child: ChildProcess;
  exited: Promise<unknown>;
}

let port: number;
let dataDir: string;
let server: OwnRedis | undefined;
let bed: Testbed;
let site: SandboxWithMcp;

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: free } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return free;
}

/** Starts redis-server on `port` with its data in `dataDir` and waits until it answers. */
async function startRedis(): Promise<OwnRedis> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--save', ''], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await until(
      'redis-server to answer',
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
        try {
          if (probe.status !== 'ready') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        }
      },
      10_000,
    );
  } finally {
    probe.disconnect();
  }
  return { child, exited };
}

before(async () => {
  port = await freePort();
  bed = testbed('redis-restart', { redisUrl: `redis://127.0.0.1:${port}` });
  dataDir = join(bed.ws.dir, 'redis');
  mkdirSync(dataDir);
  server = await startRedis();
  site = await startSite(bed.ws.dir);
});
after(async () => {
  await bed?.close();
  server?.child.kill('SIGKILL');
  await server?.exited;
  await site?.close();
});

test('runs in flight and queued when Redis stops all end succeeded once it is back', { timeout: 45_000 }, async (t) => {
  const model = await startModel(t, () => ({ text: 'Hello, team.' }), { latencyMs: 1000 });
  const env = { OPENAI_BASE_URL: model.url, RUNNER_SANDBOX_URL: site.url };
  const worker = await bed.worker(env, ['--concurrency', '2']);
  const runIds = await Promise.all(
    [0, 1, 2, 3, 4].map(async (i) => {
      const result = await bed.cli(['enqueue', queueFixture('two-prompts.yaml'), '--input', `who=team ${i}`, '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      return (JSON.parse(result.stdout) as { runId: string }).runId;
    }),
  );
  const states = await until('two runs in flight and the rest queued', async () => {
    const all = await Promise.all(runIds.map(async (id) => (await bed.store.get(id))?.status));
    return all.filter((s) => s === 'running').length === 2 && all.filter((s) => s === 'queued').length >= 1 ? all : undefined;
  });
  assert.ok(
    states.every((s) => s !== 'failed' && s !== 'cancelled'),
    states.join(),
  );

  // SIGTERM: redis-server writes the append-only file and exits.
  server!.child.kill('SIGTERM');
  assert.equal(await server!.exited, 0);
  await worker.waitFor(/redis: .*(ECONNREFUSED|Connection is closed|connect)/i);
  server = await startRedis();

  const finished = await until(
    'every run to end',
    async () => {
      const runs = await Promise.all(runIds.map((id) => bed.store.get(id)));
      return runs.every((r) => r && ['succeeded', 'failed', 'cancelled'].includes(r.status)) ? runs : undefined;
    },
    30_000,
  );
  for (const run of finished) {
    assert.equal(run!.status, 'succeeded', `${run!.id}: ${JSON.stringify(run!.error)}`);
    assert.ok(run!.attempts.length >= 1 && run!.attempts.at(-1)!.status === 'succeeded');
    assert.deepEqual(run!.outputs, { draft: 'Hello, team.', shorten: 'Hello, team.' });
  }
  await until('every job to be completed', async () => {
    const jobStates = await Promise.all(runIds.map((id) => bed.queue.getJobState(id)));
    return jobStates.every((s) => s === 'completed');
  });
  assert.equal(worker.child.exitCode, null, 'the worker lived through the restart');
  // The outage shows as log lines, not as error dumps.
  assert.ok(worker.lines.some((l) => / redis: connect ECONNREFUSED /.test(l)));
  assert.deepEqual(
    worker.lines.filter((l) => !/^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(l)),
    [],
    'every stderr line is a timestamped log line',
  );
});
