import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { createLocalNotifier } from '../../../src/notify/local-notifier.ts';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { type Bench, bench, FAILURE, workflowWith } from './fixtures.ts';
import { HANG, type Receiver, type SmtpReceiver, startReceiver, startSmtp } from './receivers.ts';

const HOOK_PATH = '/hooks/T0PATHSECRET42';
const HMAC_KEY = 'hmac-key-7f3a9c01';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function receiver(answers: number[] = [], then = 200): Promise<Receiver> {
  const r = await startReceiver(answers, then);
  cleanups.push(() => r.close());
  return r;
}

function benchOf(env: Record<string, string>): Bench {
  const b = bench(env);
  cleanups.push(() => b.remove());
  return b;
}

/** A receiver's check of X-Runner-Signature: HMAC-SHA256 of the raw body with the shared secret, in constant time. */
function verifies(body: string, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhook', () => {
  test('a failed run POSTs the signed event; the receiver verifies the body with the secret; the record keeps no secret', async () => {
    const hook = await receiver();
    const b = benchOf({ HOOK_URL: `${hook.origin}${HOOK_PATH}`, HOOK_SECRET: HMAC_KEY, RUNNER_PUBLIC_URL: 'https://runner.example.com/' });
    const workflow = workflowWith('  - on: [failed]\n    webhook: { url: { env: HOOK_URL }, secret: { env: HOOK_SECRET } }');
    const lines: string[] = [];
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle, logger: (l) => lines.push(l) });
    // A secret that reached the run's text must not reach the receiver.
    const run = await b.ended(workflow, { ...FAILURE, message: `the backend said no to ${HMAC_KEY}` });
    await notifier.runEnded(run, workflow);
    await notifier.drain(10_000);

    assert.equal(hook.requests.length, 1);
    const [req] = hook.requests;
    assert.equal(req!.path, HOOK_PATH);
    assert.equal(req!.headers['content-type'], 'application/json');
    assert.equal(req!.headers['x-runner-event'], 'failed');
    assert.match(String(req!.headers['x-runner-timestamp']), /^\d{10}$/);
    assert.ok(verifies(req!.body, req!.headers['x-runner-signature'], HMAC_KEY), 'the signature verifies with the secret');
    assert.ok(!verifies(req!.body, req!.headers['x-runner-signature'], 'another-key'), 'and not with another key');
    assert.deepEqual(JSON.parse(req!.body), {
      event: 'failed',
      run: {
        id: run.id,
        workflow: 'weekly-summary',
        status: 'failed',
        trigger: 'manual',
        slot: null,
        started_at: run.startedAt,
        finished_at: run.endedAt,
        failure: { kind: 'tool', message: 'the backend said no to [redacted]', step: 'summarise' },
        outputs: {},
        links: [],
        url: `https://runner.example.com/runs/${run.id}`,
      },
    });

    const stored = await b.record(run.id);
    assert.equal(stored.notifications?.length, 1);
    const [n] = stored.notifications!;
    assert.deepEqual(
      { event: n!.event, channel: n!.channel, target: n!.target, rule: n!.rule, done: n!.done },
      { event: 'failed', channel: 'webhook', target: `${hook.origin}/…`, rule: 'workflow#1', done: true },
    );
    assert.deepEqual(
      n!.attempts.map((a) => ({ ok: a.ok, status: a.status })),
      [{ ok: true, status: 200 }],
    );
    assert.equal(n!.deliveredAt, n!.attempts[0]!.at);
    const everything = JSON.stringify(stored) + lines.join('\n');
    for (const secret of [HMAC_KEY, HOOK_PATH, 'T0PATHSECRET42']) assert.ok(!everything.includes(secret), `${secret} is not in the record or the log`);
  });

  test('a receiver answering 500 twice, then 200, gets the event once delivered; the record shows three attempts', async () => {
    const hook = await receiver([500, 500]);
    const b = benchOf({});
    const workflow = workflowWith(`  - on: [failed]\n    webhook: { url: "${hook.origin}/alerts?token=abc123" }`);
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle });
    const run = await b.ended(workflow, FAILURE);
    await notifier.runEnded(run, workflow);
    await notifier.drain(10_000);

    assert.deepEqual(
      hook.requests.map((r) => JSON.parse(r.body).event),
      ['failed', 'failed', 'failed'],
    );
    const [n] = (await b.record(run.id)).notifications!;
    assert.deepEqual(
      n!.attempts.map(({ ok, status, error }) => ({ ok, status, error })),
      [
        { ok: false, status: 500, error: 'HTTP 500: receiver trouble' },
        { ok: false, status: 500, error: 'HTTP 500: receiver trouble' },
        { ok: true, status: 200, error: undefined },
      ],
    );
    assert.equal(n!.done, true);
    assert.equal(n!.deliveredAt, n!.attempts[2]!.at);
    assert.equal(n!.target, `${hook.origin}/alerts`, 'a URL written in the file shows its path, never its query');
  });

  test('every attempt failing: RUNNER_NOTIFY_ATTEMPTS tries, then given up (done, never delivered); a refusal is not retried', async () => {
    const busy = await receiver([], 503);
    const gone = await receiver([], 404);
    const b = benchOf({ RUNNER_NOTIFY_ATTEMPTS: '3' });
    const workflow = workflowWith(
      `  - on: [failed]\n    webhook: { url: "${busy.origin}/busy" }\n  - on: [failed]\n    webhook: { url: "${gone.origin}/gone" }`,
    );
    const lines: string[] = [];
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle, logger: (l) => lines.push(l) });
    const run = await b.ended(workflow, FAILURE);
    await notifier.runEnded(run, workflow);
    await notifier.drain(10_000);

    assert.equal(busy.requests.length, 3);
    assert.equal(gone.requests.length, 1, 'a 404 is a refusal: another attempt cannot help');
    const byRule = Object.fromEntries((await b.record(run.id)).notifications!.map((n) => [n.rule, n]));
    assert.deepEqual(
      byRule['workflow#1']!.attempts.map((a) => a.status),
      [503, 503, 503],
    );
    assert.deepEqual(
      byRule['workflow#2']!.attempts.map((a) => a.status),
      [404],
    );
    for (const n of Object.values(byRule)) {
      assert.equal(n.done, true);
      assert.equal(n.deliveredAt, undefined);
    }
    assert.equal(lines.filter((l) => l.endsWith('giving up')).length, 2, lines.join('\n'));
  });

  test('a receiver nobody listens at: the attempt records the connection failure, and the run is untouched', async () => {
    const closed = await startReceiver();
    await closed.close();
    const b = benchOf({ RUNNER_NOTIFY_ATTEMPTS: '1' });
    const workflow = workflowWith(`  - on: [succeeded]\n    webhook: { url: "${closed.origin}/x" }`);
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle });
    const run = await b.ended(workflow);
    await notifier.runEnded(run, workflow);
    await notifier.drain(10_000);
    const stored = await b.record(run.id);
    assert.equal(stored.status, 'succeeded');
    const [attempt] = stored.notifications![0]!.attempts;
    assert.equal(attempt!.ok, false);
    assert.match(attempt!.error!, /ECONNREFUSED/);
  });
});

test('an attempt the receiver never answers ends at its timeout and is tried again', async () => {
  const slow = await receiver([HANG]);
  const b = benchOf({});
  const workflow = workflowWith(`  - on: [failed]\n    webhook: { url: "${slow.origin}/slow" }`);
  const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle, attemptTimeoutMs: 200 });
  const run = await b.ended(workflow, FAILURE);
  await notifier.runEnded(run, workflow);
  await notifier.drain(10_000);
  const [n] = (await b.record(run.id)).notifications!;
  assert.deepEqual(
    n!.attempts.map(({ ok, error }) => [ok, error]),
    [
      [false, 'no answer within 0.2 s'],
      [true, undefined],
    ],
  );
  assert.equal(slow.requests.length, 2);
});

test('drain waits only as long as it is told, then gives up what is in flight without writing to the record', async () => {
  const stuck = await receiver([], HANG);
  const b = benchOf({});
  const workflow = workflowWith(`  - on: [failed]\n    webhook: { url: "${stuck.origin}/stuck" }`);
  const lines: string[] = [];
  const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle, logger: (l) => lines.push(l) });
  const run = await b.ended(workflow, FAILURE);
  await notifier.runEnded(run, workflow);
  await notifier.drain(50);
  const [n] = (await b.record(run.id)).notifications!;
  assert.deepEqual(n!.attempts, []);
  assert.equal(n!.done, undefined);
  assert.deepEqual(lines, []);
});

describe('slack', () => {
  test('an incoming-webhook message: header, workflow and status, the reason, the links; a text fallback', async () => {
    const slack = await receiver();
    const b = benchOf({ SLACK_URL: `${slack.origin}/services/T000/B000/XXXXSECRET`, RUNNER_PUBLIC_URL: 'https://runner.example.com' });
    const workflow = workflowWith('  - on: [failed]\n    slack: { url: { env: SLACK_URL } }');
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle });
    const run = await b.ended(workflow, { ...FAILURE, message: 'the backend said <no> & left' });
    await notifier.runEnded(run, workflow);
    await notifier.drain(10_000);

    assert.equal(slack.requests.length, 1);
    const message = JSON.parse(slack.requests[0]!.body);
    assert.equal(message.text, 'weekly-summary failed: tool in step summarise: the backend said <no> & left');
    const [header, fields, reason, links, context] = message.blocks;
    assert.deepEqual(header, { type: 'header', text: { type: 'plain_text', text: 'weekly-summary failed', emoji: true } });
    assert.deepEqual(
      fields.fields.map((f: { text: string }) => f.text),
      ['*Workflow*\nweekly-summary', '*Status*\n:x: failed'],
    );
    assert.equal(reason.text.text, '*Reason*\ntool in step summarise: the backend said &lt;no&gt; &amp; left');
    const url = `https://runner.example.com/runs/${run.id}`;
    assert.equal(links.text.text, `*Links*\n<${url}|${url}>`);
    assert.deepEqual(context, { type: 'context', elements: [{ type: 'mrkdwn', text: `run ${run.id}` }] });
    const [n] = (await b.record(run.id)).notifications!;
    assert.equal(n!.target, `${slack.origin}/…`);
    assert.ok(!JSON.stringify(n).includes('XXXXSECRET'));
  });
});

describe('email', () => {
  let smtp: SmtpReceiver;
  test('plain text and HTML through RUNNER_SMTP_URL, from RUNNER_SMTP_FROM; the password shows nowhere', async () => {
    const password = 'smtp-pass-93ab17';
    smtp = await startSmtp('mailer', password);
    cleanups.push(() => smtp.close());
    const b = benchOf({ RUNNER_SMTP_URL: smtp.url, RUNNER_SMTP_FROM: 'runner@example.com' });
    const workflow = workflowWith('  - on: [failed]\n    email: { to: [docs-team@example.com, ops@example.com] }');
    const lines: string[] = [];
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle, logger: (l) => lines.push(l) });
    const run = await b.ended(workflow, FAILURE);
    await notifier.runEnded(run, workflow);
    await notifier.drain(10_000);

    assert.equal(smtp.messages.length, 1, lines.join('\n'));
    const [mail] = smtp.messages;
    assert.equal(mail!.subject, '[confluence-runner] weekly-summary failed');
    assert.equal(mail!.from?.text, 'runner@example.com');
    assert.deepEqual(
      (Array.isArray(mail!.to) ? mail!.to : [mail!.to]).flatMap((a) => a!.value.map((v) => v.address)),
      ['docs-team@example.com', 'ops@example.com'],
    );
    assert.match(mail!.text ?? '', /Workflow: weekly-summary\nStatus: failed\n/);
    assert.match(mail!.text ?? '', /tool in step summarise: the backend said no/);
    assert.match(String(mail!.html), /<h2>weekly-summary failed<\/h2>/);
    assert.match(String(mail!.html), /<td>failed<\/td>/);
    const [n] = (await b.record(run.id)).notifications!;
    assert.deepEqual(
      { channel: n!.channel, target: n!.target, ok: n!.attempts[0]!.ok, status: n!.attempts[0]!.status },
      { channel: 'email', target: 'docs-team@example.com, ops@example.com', ok: true, status: 250 },
    );
    assert.ok(!(JSON.stringify(await b.record(run.id)) + lines.join('\n')).includes(password));
  });

  test('a wrong password: the SMTP reply code is recorded, the error is redacted, and a refusal is not retried', async () => {
    smtp = await startSmtp('mailer', 'right-password-1');
    cleanups.push(() => smtp.close());
    const wrong = smtp.url.replace('right-password-1', 'wrong-password-2');
    const b = benchOf({ RUNNER_SMTP_URL: wrong });
    const workflow = workflowWith('  - on: [failed]\n    email: { to: [ops@example.com] }');
    const lines: string[] = [];
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle, logger: (l) => lines.push(l) });
    const run = await b.ended(workflow, FAILURE);
    await notifier.runEnded(run, workflow);
    await notifier.drain(10_000);
    assert.equal(smtp.messages.length, 0);
    assert.equal(smtp.refusedLogins, 1);
    const [n] = (await b.record(run.id)).notifications!;
    assert.equal(n!.attempts.length, 1);
    assert.equal(n!.attempts[0]!.status, 535);
    assert.equal(n!.done, true);
    assert.ok(!(JSON.stringify(n) + lines.join('\n')).includes('wrong-password-2'));
  });
});

describe('once per run, event and rule', () => {
  test('two notifiers (two processes on one SQLite file) told of the same end: one delivery', async () => {
    const hook = await receiver();
    const b = benchOf({});
    const workflow = workflowWith(`  - on: [failed]\n    webhook: { url: "${hook.origin}/once" }`);
    const otherStore = openSqliteRunStore(b.dbPath);
    cleanups.push(() => otherStore.close());
    const other = new RunLifecycle(otherStore, { secrets: b.config.secrets });
    const notifiers = [createLocalNotifier({ config: b.config, lifecycle: b.lifecycle }), createLocalNotifier({ config: b.config, lifecycle: other })];
    const run = await b.ended(workflow, FAILURE);
    await Promise.all(notifiers.map((n) => n.runEnded(run, workflow)));
    await Promise.all(notifiers.map((n) => n.drain(10_000)));
    assert.equal(hook.requests.length, 1);
    assert.equal((await b.record(run.id)).notifications!.length, 1);
  });

  test('recovered is sent only for the first success after a failure', async () => {
    const hook = await receiver();
    const b = benchOf({});
    const workflow = workflowWith(`  - on: [recovered]\n    webhook: { url: "${hook.origin}/recovered" }`);
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle });
    const runs = [];
    for (const failure of [undefined, FAILURE, undefined, undefined, FAILURE, FAILURE, undefined]) {
      const run = await b.ended(workflow, failure);
      runs.push(run);
      await notifier.runEnded(run, workflow);
    }
    await notifier.drain(10_000);
    const told = hook.requests.map((r) => JSON.parse(r.body));
    assert.deepEqual(
      told.map((p) => [p.event, p.run.id]),
      [
        ['recovered', runs[2]!.id],
        ['recovered', runs[6]!.id],
      ],
    );
  });

  test('a cancelled run tells nobody; a succeeded one goes only to rules for succeeded', async () => {
    const hook = await receiver();
    const b = benchOf({});
    const workflow = workflowWith(`  - on: [failed]\n    webhook: { url: "${hook.origin}/f" }\n  - on: [succeeded]\n    webhook: { url: "${hook.origin}/s" }`);
    const notifier = createLocalNotifier({ config: b.config, lifecycle: b.lifecycle });
    await notifier.runEnded(await b.ended(workflow, { kind: 'cancelled', message: 'stopped', retryable: false }), workflow);
    await notifier.runEnded(await b.ended(workflow), workflow);
    await notifier.drain(10_000);
    assert.deepEqual(
      hook.requests.map((r) => r.path),
      ['/s'],
    );
  });
});

describe('RUNNER_NOTIFY_DEFAULT', () => {
  test("the defaults file's rules are added to every workflow's, as default#<n>", async () => {
    const hook = await receiver();
    const b = benchOf({});
    const file = join(b.dir, 'notify.yaml');
    writeFileSync(file, `notify:\n  - on: [failed, invalid]\n    webhook: { url: "${hook.origin}/ops" }\n`);
    const config = { ...b.config, notify: { ...b.config.notify, defaultsFile: file } };
    const workflow = workflowWith(`  - on: [succeeded]\n    webhook: { url: "${hook.origin}/team" }`);
    const notifier = createLocalNotifier({ config, lifecycle: b.lifecycle });
    const run = await b.ended(workflow, FAILURE);
    await notifier.runEnded(run, workflow);
    await notifier.invalid({ file: 'workflows/weekly-summary.yaml', workflow, problems: ['workflows/weekly-summary.yaml:3:7: a problem'] });
    await notifier.drain(10_000);
    assert.deepEqual(
      hook.requests.map((r) => [r.path, r.headers['x-runner-event']]),
      [
        ['/ops', 'failed'],
        ['/ops', 'invalid'],
      ],
    );
    assert.deepEqual(JSON.parse(hook.requests[1]!.body), {
      event: 'invalid',
      run: null,
      workflow: 'weekly-summary',
      file: 'workflows/weekly-summary.yaml',
      problems: ['workflows/weekly-summary.yaml:3:7: a problem'],
    });
    assert.deepEqual(
      (await b.record(run.id)).notifications!.map((n) => n.rule),
      ['default#1'],
    );
  });
});
