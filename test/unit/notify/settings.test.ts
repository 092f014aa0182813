import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { UserError } from '../../../src/shared/errors.ts';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/nonexistent-notify-test' });

test('notification settings and their defaults', () => {
  assert.deepEqual(load({}).notify, {
    defaultsFile: undefined,
    publicUrl: undefined,
    smtpUrl: undefined,
    smtpFrom: `confluence-runner@${hostname()}`,
    attempts: 5,
    backoffMs: 2000,
  });
  const set = load({
    RUNNER_NOTIFY_DEFAULT: 'ops/notify.yaml',
    RUNNER_PUBLIC_URL: 'https://runner.example.com/',
    RUNNER_SMTP_URL: 'smtps://mailer:p%40ss-word@smtp.example.com:465',
    RUNNER_SMTP_FROM: 'runner@example.com',
    RUNNER_NOTIFY_ATTEMPTS: '2',
    RUNNER_NOTIFY_BACKOFF: '250ms',
  });
  assert.deepEqual(set.notify, {
    defaultsFile: 'ops/notify.yaml',
    publicUrl: 'https://runner.example.com',
    smtpUrl: 'smtps://mailer:p%40ss-word@smtp.example.com:465',
    smtpFrom: 'runner@example.com',
    attempts: 2,
    backoffMs: 250,
  });
  for (const secret of ['smtps://mailer:p%40ss-word@smtp.example.com:465', 'p%40ss-word', 'p@ss-word']) assert.ok(set.secrets.has(secret), secret);
});

test('bad values are user errors that do not print the SMTP URL', () => {
  const refused = (env: Record<string, string>, message: RegExp) =>
    assert.throws(
      () => load(env),
      (e: Error) => e instanceof UserError && message.test(e.message),
    );
  refused({ RUNNER_PUBLIC_URL: 'runner.example.com' }, /RUNNER_PUBLIC_URL must be an http or https URL/);
  refused({ RUNNER_NOTIFY_ATTEMPTS: '0' }, /at least 1/);
  refused({ RUNNER_NOTIFY_BACKOFF: 'soon' }, /RUNNER_NOTIFY_BACKOFF must be a duration/);
  refused({ RUNNER_SMTP_URL: 'https://user:hunter22@mail.example.com' }, /^RUNNER_SMTP_URL must start with smtp:\/\/ or smtps:\/\/, not https:\/\/$/);
  refused({ RUNNER_SMTP_URL: 'not a url hunter22' }, /^RUNNER_SMTP_URL must be a URL like/);
});
