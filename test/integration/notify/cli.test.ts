/**
 * `runner notify test` and `runner run` as child processes: samples reach every channel, failures exit 1, a bad
 * RUNNER_NOTIFY_DEFAULT file exits 2 with file:line:col, and no secret reaches stdout, stderr or the record.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { looksClean, runIdOf, workspace } from '../e2e/helpers.ts';
import { type Receiver, type SmtpReceiver, startReceiver, startSmtp } from './receivers.ts';

const HOOK_PATH = '/hooks/PATH-SECRET-8d21';
const HMAC_KEY = 'cli-hmac-key-4c5e7a';
const SLACK_PATH = '/services/T000/B000/SLACKSECRET77';
const SMTP_PASSWORD = 'cli-smtp-pass-29f1';

const ws = workspace('notify');
let hook: Receiver;
let failing: Receiver;
let smtp: SmtpReceiver;
before(async () => {
  [hook, failing, smtp] = await Promise.all([startReceiver(), startReceiver([], 500), startSmtp('mailer', SMTP_PASSWORD)]);
});
after(async () => {
  await Promise.all([hook.close(), failing.close(), smtp.close()]);
  ws.remove();
});

/** Writes a file into the workspace and returns its path. */
function file(name: string, text: string): string {
  const path = join(ws.dir, name);
  writeFileSync(path, text);
  return path;
}

/** The secrets' environment, and a blank RUNNER_NOTIFY_DEFAULT unless a test sets one. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOOK_URL: `${hook.origin}${HOOK_PATH}`,
    HOOK_SECRET: HMAC_KEY,
    SLACK_URL: `${hook.origin}${SLACK_PATH}`,
    RUNNER_SMTP_URL: smtp.url,
    RUNNER_SMTP_FROM: 'runner@example.com',
    RUNNER_NOTIFY_DEFAULT: '',
    RUNNER_NOTIFY_BACKOFF: '10ms',
    ...extra,
  };
}

function noSecrets(text: string): void {
  for (const secret of [HOOK_PATH, HMAC_KEY, SLACK_PATH, 'SLACKSECRET77', SMTP_PASSWORD]) assert.ok(!text.includes(secret), `${secret} leaked:\n${text}`);
}

const CHANNELS = `version: 1
name: alerts
notify:
  - on: [failed]
    webhook: { url: { env: HOOK_URL }, secret: { env: HOOK_SECRET } }
  - on: [failed, recovered]
    slack: { url: { env: SLACK_URL } }
  - on: [waiting]
    email: { to: [ops@example.com] }
prompt: Nothing to do.
`;

describe('runner notify test', () => {
  test('sends a sample failed event to every channel: one line each, exit 0; the webhook is signed; no secret printed', async () => {
    const before = hook.requests.length;
    const mails = smtp.messages.length;
    const res = await ws.cli(['notify', 'test', file('alerts.yaml', CHANNELS)], env());
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const lines = res.stdout.trim().split('\n');
    assert.deepEqual(lines, [
      `✓ workflow#1 webhook ${hook.origin}/…: ok (200)`,
      `✓ workflow#2 slack ${hook.origin}/…: ok (200)`,
      '✓ workflow#3 email ops@example.com: ok (250) (this rule is not for failed; sent anyway)',
      '✓ a sample failed event reached 3 channel(s)',
    ]);
    const got = hook.requests.slice(before);
    const webhook = got.find((r) => r.path === HOOK_PATH)!;
    assert.equal(webhook.headers['x-runner-event'], 'failed');
    assert.equal(webhook.headers['x-runner-signature'], `sha256=${createHmac('sha256', HMAC_KEY).update(webhook.body).digest('hex')}`);
    const payload = JSON.parse(webhook.body);
    assert.equal(payload.event, 'failed');
    assert.equal(payload.run.workflow, 'alerts');
    assert.equal(payload.run.status, 'failed');
    assert.match(payload.run.failure.message, /runner notify test/);
    assert.ok(Array.isArray(JSON.parse(got.find((r) => r.path === SLACK_PATH)!.body).blocks));
    assert.equal(smtp.messages.length, mails + 1);
    assert.equal(smtp.messages.at(-1)!.subject, '[confluence-runner] alerts failed');
    noSecrets(res.stdout + res.stderr);
  });

  test('--event picks the sample; a channel that fails is named with its error and the exit code is 1', async () => {
    const workflow = file(
      'mixed.yaml',
      `version: 1\nname: mixed\nnotify:\n  - on: [recovered]\n    webhook: { url: { env: HOOK_URL } }\n  - on: [recovered]\n    webhook: { url: "${failing.origin}/down" }\nprompt: hi\n`,
    );
    const before = hook.requests.length;
    const res = await ws.cli(['notify', 'test', workflow, '--event', 'recovered'], env());
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.equal(hook.requests[before]!.headers['x-runner-event'], 'recovered');
    assert.equal(JSON.parse(hook.requests[before]!.body).run.status, 'succeeded');
    assert.match(res.stdout, new RegExp(`✗ workflow#2 webhook ${failing.origin}/down: failed: HTTP 500: receiver trouble`));
    assert.match(res.stdout, /✗ 1 of 2 channel\(s\) failed/);
    assert.equal(failing.requests.length, 1, 'a test is one attempt, never retried');
    noSecrets(res.stdout + res.stderr);
  });

  test('RUNNER_NOTIFY_DEFAULT adds its channels; a bad defaults file is every problem at file:line:col, exit 2, no stack', async () => {
    const workflow = file('alerts.yaml', CHANNELS);
    const good = file('notify-ok.yaml', `notify:\n  - on: [failed]\n    webhook: { url: "${hook.origin}/ops" }\n`);
    const ok = await ws.cli(['notify', 'test', workflow], env({ RUNNER_NOTIFY_DEFAULT: good }));
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, new RegExp(`✓ default#1 webhook ${hook.origin}/ops: ok \\(200\\)`));

    const bad = file(
      'notify-bad.yaml',
      [
        'notify:',
        '  - on: [failed, exploded]',
        '    webhook: { url: "ftp://hooks.example.com/x" }',
        '  - on: [failed]',
        '  - on: [missed]',
        '    slack: { url: "https://hooks.slack.com/services/T/B/X" }',
        'notfy: []',
        '',
      ].join('\n'),
    );
    const res = await ws.cli(['notify', 'test', workflow], env({ RUNNER_NOTIFY_DEFAULT: bad }));
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.ok(looksClean(res.stderr), res.stderr);
    const lines = res.stderr.trim().split('\n');
    assert.deepEqual(lines, [
      `error: ${bad}:2:18: invalid notify[0].on[1] 'exploded' (allowed: failed, missed, waiting, recovered, succeeded, invalid, skipped)`,
      `error: ${bad}:3:21: webhook.url must be an http or https URL, not 'ftp://hooks.example.com/x'`,
      `error: ${bad}:4:5: a notify rule needs a channel: webhook: { url: ... }, slack: { url: ... } or email: { to: [...] }`,
      `error: ${bad}:6:19: a Slack webhook URL is a secret (anyone with it can post to the channel): give it as { env: SLACK_WEBHOOK_URL } instead of in the file`,
      `error: ${bad}:7:1: unknown key 'notfy'; the file of RUNNER_NOTIFY_DEFAULT must be a map with one key, notify: a list of rules (on: [...] and a webhook, slack or email)`,
    ]);
    assert.equal(res.stdout, '');
  });

  test('a workflow that does not validate, or has no rules, exits 2', async () => {
    const invalid = await ws.cli(['notify', 'test', file('broken.yaml', 'version: 1\nname: broken\nnotify:\n  - on: [failed]\nprompt: hi\n')], env());
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /broken\.yaml:4:5: a notify rule needs a channel/);
    const none = await ws.cli(['notify', 'test', file('quiet.yaml', 'version: 1\nname: quiet\nprompt: hi\n')], env());
    assert.equal(none.code, 2);
    assert.match(none.stderr, /has no notify rules and RUNNER_NOTIFY_DEFAULT adds none/);
    assert.ok(looksClean(invalid.stderr + none.stderr));
  });
});

describe('runner run', () => {
  // Tool steps only: no model; the search finds no such page, so the assertion fails the run.
  const FAILING = `version: 1
name: notified-run
notify:
  - on: [failed]
    webhook: { url: { env: HOOK_URL }, secret: { env: HOOK_SECRET } }
tools:
  allow: [CONFLUENCE_SEARCH_CONTENT]
steps:
  - id: find
    tool: CONFLUENCE_SEARCH_CONTENT
    with: { query: "No page is called this", spaceKey: PROD, limit: 1 }
    assert:
      - { path: data.response_data.results.0.content.title, equals: "No page is called this" }
`;

  test('a failed run tells its webhook before the process exits; the record keeps the delivery, not the secrets', async () => {
    const before = hook.requests.length;
    const res = await ws.cli(['run', file('notified-run.yaml', FAILING)], env());
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const id = runIdOf(res.stdout);
    const got = hook.requests.slice(before);
    assert.equal(got.length, 1);
    assert.deepEqual([JSON.parse(got[0]!.body).event, JSON.parse(got[0]!.body).run.id], ['failed', id]);
    const run = (await ws.run(id))!;
    assert.deepEqual(
      run.notifications!.map((n) => [n.event, n.rule, n.target, n.done, n.attempts.map((a) => a.status)]),
      [['failed', 'workflow#1', `${hook.origin}/…`, true, [200]]],
    );
    noSecrets(JSON.stringify(run) + res.stdout + res.stderr);
  });

  test('a bad RUNNER_NOTIFY_DEFAULT file stops the run before it starts (exit 2)', async () => {
    const bad = file('notify-broken.yaml', 'notify:\n  - on: [nothing]\n    email: { to: [ops@example.com] }\n');
    const runs = (await ws.runs()).length;
    const res = await ws.cli(['run', file('notified-run.yaml', FAILING)], env({ RUNNER_NOTIFY_DEFAULT: bad }));
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.match(res.stderr, new RegExp(`${bad}:2:10: invalid notify\\[0\\]\\.on\\[0\\] 'nothing'`));
    assert.ok(looksClean(res.stderr));
    assert.equal((await ws.runs()).length, runs, 'nothing ran');
  });
});
