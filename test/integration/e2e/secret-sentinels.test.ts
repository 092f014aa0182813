/**
 * e2e regression: a secret the runner learns only when a run opens its backend (an MCP header read through
 * `{env: NAME}`) is kept out of everything, on the FIRST run of a process, even when the MCP server echoes it in a
 * tool result (which becomes a step output) and in a tool error, and the model server echoes it in an error body.
 * Checked in `runner run` (stdout, stderr, records, the SQLite bytes) and in queue mode (the worker's log lines,
 * every Redis key under the prefix: records, journal, BullMQ jobs).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Redis } from 'ioredis';
import { type EchoMcpServer, startEchoMcpServer } from '../../fixtures/echo-mcp.ts';
import { testbed, until } from '../queue/helpers.ts';
import { callsOf, runIdOf, startModel, stepsOf, workspace } from './helpers.ts';

const SENTINEL = 'tok-SENTINEL-77f1c0de';
const LEAK = /SENTINEL/;

let echo: EchoMcpServer;
const ws = workspace('sentinels');
before(async () => {
  echo = await startEchoMcpServer();
});
after(async () => {
  await echo?.close();
  ws.remove();
});

/** The workflow: a tool step whose output echoes the header, then a prompt step the model fails with an echo. */
function writeWorkflow(dir: string): string {
  const file = join(dir, 'sentinel-echo.yaml');
  writeFileSync(
    file,
    `version: 1
name: sentinel-echo
tools:
  backend: mcp
  mcp:
    url: ${echo.url}
    headers:
      Authorization: { env: ECHO_TOKEN }
steps:
  - id: me
    tool: CONFLUENCE_GET_CURRENT_USER
  - id: ask
    prompt: "The user is {{ steps.me.output.data.displayName }}. List the spaces."
`,
  );
  return file;
}

/** First request: the model calls the tool that fails with the echoed header; second: a 400 that echoes it too. */
const echoingModel = (request: { turn: number }) =>
  request.turn === 0
    ? { toolCalls: [{ name: 'CONFLUENCE_GET_SPACES', arguments: {} }] }
    : { fault: { status: 400, message: `upstream refused the request carrying token ${SENTINEL}` } };

test('runner run: the first run of a process keeps an {env} header secret out of output, records and the SQLite file', async (t) => {
  const model = await startModel(t, echoingModel);
  const file = writeWorkflow(ws.dir);
  const res = await ws.cli(['run', file], { ECHO_TOKEN: `Bearer ${SENTINEL}`, OPENAI_BASE_URL: model.url });
  assert.equal(res.code, 1, res.stderr);
  assert.ok(echo.seen.includes(`Bearer ${SENTINEL}`), 'the secret really went to the MCP server');
  assert.doesNotMatch(res.stdout, LEAK);
  assert.doesNotMatch(res.stderr, LEAK);

  const run = (await ws.run(runIdOf(res.stdout)))!;
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.kind, 'model');
  assert.match(run.error!.message, /HTTP 400: .*carrying token \[redacted\]$/, 'the bare token of a Bearer header is masked too');
  assert.equal((run.outputs.me as { data: { displayName: string } }).data.displayName, 'token is [redacted]', 'step outputs are redacted');
  const [me, spaces] = callsOf(run);
  assert.equal(me?.status, 'ok');
  assert.equal(spaces?.status, 'error');
  assert.equal(spaces?.error, 'the server rejected credentials [redacted]');
  assert.match(stepsOf(run)[1]!.prompt!, /The user is token is \[redacted\]\./);
  assert.doesNotMatch(model.requests[0]!.userText, LEAK, 'the prompt sent to the model was redacted too');

  for (const args of [
    ['runs', 'show', run.id, '--json'],
    ['runs', 'show', run.id],
    ['runs', '--json'],
  ]) {
    const shown = await ws.cli(args);
    assert.equal(shown.code, 0, shown.stderr);
    assert.doesNotMatch(shown.stdout, LEAK, `${args.join(' ')} shows the secret`);
  }
  for (const path of [ws.dbPath, `${ws.dbPath}-wal`].filter((f) => existsSync(f))) {
    assert.equal(readFileSync(path).indexOf('SENTINEL'), -1, `${path} holds the secret`);
  }
});

test('queue mode: neither the worker log nor any Redis key (records, journal, jobs) holds the secret', async (t) => {
  const bed = testbed('sentinels');
  t.after(() => bed.close());
  const model = await startModel(t, echoingModel);
  const file = writeWorkflow(bed.ws.dir);
  const worker = await bed.worker({ ECHO_TOKEN: `Bearer ${SENTINEL}`, OPENAI_BASE_URL: model.url });
  const queued = await bed.cli(['enqueue', file, '--json']);
  assert.equal(queued.code, 0, queued.stderr);
  const { runId } = JSON.parse(queued.stdout) as { runId: string };
  const run = await until('the queued run to end', async () => {
    const record = await bed.store.get(runId);
    return record && record.status !== 'queued' && record.status !== 'running' ? record : undefined;
  });
  assert.equal(run.status, 'failed');
  assert.equal((run.outputs.me as { data: { displayName: string } }).data.displayName, 'token is [redacted]');
  await worker.waitFor(/failed sentinel-echo/);
  assert.ok(echo.seen.includes(`Bearer ${SENTINEL}`));
  assert.doesNotMatch(worker.lines.join('\n'), LEAK, 'a worker log line holds the secret');

  const keys = await bed.keys();
  assert.ok(
    keys.some((k) => k.endsWith(`:run:${runId}`)) && keys.some((k) => k.includes(':runs:')),
    `expected records and jobs under the prefix: ${keys.join(', ')}`,
  );
  for (const key of keys) assert.doesNotMatch(await dump(bed.redis, key), LEAK, `${key} holds the secret`);
});

/** Everything a key holds, as text, whatever its type. */
async function dump(redis: Redis, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}
