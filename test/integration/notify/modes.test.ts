/**
 * Notifications as the product sends them, end to end: `runner serve` tells a webhook of the slots it finds missed
 * when it starts and of a workflow file that is invalid (RUNNER_NOTIFY_DEFAULT's rule); two `runner worker`
 * processes tell a signed webhook of a failed run exactly once. Real processes, SQLite, Redis, BullMQ, sandbox.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { slotRunId } from '../../../src/runs/slot-id.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { SandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { sampleRun } from '../../fixtures/run-record.ts';
import { ROOT, startSite } from '../e2e/helpers.ts';
import { spawnRunner, type Testbed, testbed, until } from '../queue/helpers.ts';
import { startReceiver } from './receivers.ts';

const beds: Testbed[] = [];
let site: SandboxWithMcp | undefined;
after(async () => {
  for (const bed of beds) await bed.close();
  await site?.close();
});

test('runner serve tells the webhook of each slot it finds missed, and of an invalid file, once each', { timeout: 60_000 }, async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const bed = testbed('notify-serve');
  beds.push(bed);
  const folder = join(bed.ws.dir, 'workflows');
  mkdirSync(folder);
  // Daily at the minute an hour ago; its newest record is three days old: three late slots, recorded missed.
  const hourAgo = new Date(Date.now() - 3600_000);
  const day = (back: number) =>
    new Date(
      Date.UTC(hourAgo.getUTCFullYear(), hourAgo.getUTCMonth(), hourAgo.getUTCDate() - back, hourAgo.getUTCHours(), hourAgo.getUTCMinutes()),
    ).toISOString();
  writeFileSync(
    join(folder, 'nightly.yaml'),
    `version: 1
name: nightly
schedule:
  cron: "${hourAgo.getUTCMinutes()} ${hourAgo.getUTCHours()} * * *"
notify:
  - on: [missed]
    webhook: { url: { env: ALERT_URL } }
prompt: Summarise the day in TEAM.
`,
  );
  writeFileSync(join(folder, 'broken.yaml'), 'version: 1\nname: broken\nschedule:\n  cron: "not a cron"\nprompt: hi\n');
  const defaults = join(bed.ws.dir, 'notify-defaults.yaml');
  writeFileSync(defaults, 'notify:\n  - on: [invalid]\n    webhook: { url: { env: ALERT_URL } }\n');
  const seed = openSqliteRunStore(bed.ws.dbPath);
  await seed.save(sampleRun({ id: slotRunId('nightly', day(3)), workflow: 'nightly', trigger: { type: 'schedule', slot: day(3) } }));
  await seed.close();

  const serve = spawnRunner(['serve', folder], bed.ws.env({ ALERT_URL: `${receiver.origin}/hooks/ops`, RUNNER_NOTIFY_DEFAULT: defaults }));
  t.after(() => {
    serve.child.kill('SIGKILL');
    return serve.exited;
  });
  await serve.waitFor(/watching .* for changes/);
  const events = () => receiver.requests.map((r) => JSON.parse(r.body) as { event: string; run?: { id: string; slot?: string } });
  await until('three missed and one invalid event', async () => (receiver.requests.length >= 4 ? true : undefined), 30_000);
  const missed = events().filter((e) => e.event === 'missed');
  assert.deepEqual(missed.map((e) => e.run?.slot).sort(), [day(2), day(1), day(0)]);
  assert.deepEqual(missed.map((e) => e.run?.id).sort(), [day(2), day(1), day(0)].map((slot) => slotRunId('nightly', slot)).sort());
  const invalid = events().filter((e) => e.event === 'invalid');
  assert.equal(invalid.length, 1, JSON.stringify(events()));
  assert.match(JSON.stringify(invalid[0]), /broken\.yaml/);
  assert.ok(!serve.lines.join('\n').includes('/hooks/ops'), `the webhook URL (a secret from the environment) is not logged:\n${serve.lines.join('\n')}`);

  const store = openSqliteRunStore(bed.ws.dbPath);
  t.after(() => store.close());
  await until('the deliveries recorded', async () => {
    const runs = await Promise.all([day(2), day(1), day(0)].map((slot) => store.get(slotRunId('nightly', slot))));
    return runs.every((r) => r?.notifications?.[0]?.deliveredAt) ? runs : undefined;
  });
  const recorded = (await store.get(slotRunId('nightly', day(0))))!;
  assert.equal(recorded.status, 'missed');
  assert.deepEqual(
    recorded.notifications!.map((n) => [n.event, n.channel, n.rule, n.attempts.length]),
    [['missed', 'webhook', 'workflow#1', 1]],
  );
  assert.ok(!JSON.stringify(recorded).includes('/hooks/ops'), 'the recorded target keeps the secret URL out');
});

test('two workers: a failed run is told to the signed webhook exactly once', { timeout: 90_000 }, async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  site ??= await startSite((beds[0] ?? testbed('notify-site')).ws.dir);
  const bed = testbed('notify-queue');
  beds.push(bed);
  const folder = bed.folder('notify', []);
  const file = join(folder, 'label-missing.yaml');
  const original = readFileSync(join(ROOT, 'test/fixtures/queue-workflows/manual-label.yaml'), 'utf8');
  writeFileSync(
    file,
    original.replace('name: manual-label', 'name: label-missing') +
      '\nnotify:\n  - on: [failed, succeeded]\n    webhook: { url: { env: ALERT_URL }, secret: { env: ALERT_SECRET } }\n',
  );
  const env = { RUNNER_SANDBOX_URL: site.url, ALERT_URL: `${receiver.origin}/alerts`, ALERT_SECRET: 'hmac-key-not-for-logs' };
  const workers = await Promise.all([bed.worker(env), bed.worker(env)]);
  const enqueued = await bed.cli(['enqueue', file, '--input', 'title=No Such Page', '--json'], env);
  assert.equal(enqueued.code, 0, enqueued.stderr);
  const { runId } = JSON.parse(enqueued.stdout) as { runId: string };

  const run = await until(
    'the run failed and its notification delivered',
    async () => {
      const record = await bed.store.get(runId);
      return record?.status === 'failed' && record.notifications?.[0]?.deliveredAt ? record : undefined;
    },
    40_000,
  );
  assert.equal(run.error?.kind, 'assertion');
  // Both workers are idle now; nothing else is coming.
  await until('both workers idle', async () => ((await bed.queue.getActiveCount()) === 0 ? true : undefined));
  assert.equal(receiver.requests.length, 1, 'one delivery, whichever worker sent it');
  const [request] = receiver.requests;
  const expected = `sha256=${createHmac('sha256', 'hmac-key-not-for-logs').update(request!.body).digest('hex')}`;
  assert.equal(request!.headers['x-runner-signature'], expected);
  const body = JSON.parse(request!.body) as { event: string; run: { id: string; status: string; failure: { kind: string } } };
  assert.deepEqual([body.event, body.run.id, body.run.status, body.run.failure.kind], ['failed', runId, 'failed', 'assertion']);
  assert.deepEqual(
    run.notifications!.map((n) => [n.event, n.rule, n.attempts.length, n.done]),
    [['failed', 'workflow#1', 1, true]],
  );
  const logs = workers.flatMap((w) => w.lines).join('\n');
  assert.ok(!logs.includes('hmac-key-not-for-logs') && !logs.includes('/alerts'), 'no secret in the worker logs');
});
