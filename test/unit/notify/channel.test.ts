import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { registerSecrets, resolveChannel, targetOf } from '../../../src/notify/channel.ts';
import { UserError } from '../../../src/shared/errors.ts';

const config = () => loadConfig({ env: { HOOK: 'https://hooks.example.com/services/T1/B2/secretpath', KEY: 'hmac-key-abc' }, cwd: '/nonexistent-notify-test' });

test('targets never hold a secret: an env URL shows its origin only, a written URL no query, email its recipients', () => {
  const c = config();
  assert.equal(targetOf({ kind: 'slack', url: { env: 'HOOK' } }, c), 'https://hooks.example.com/…');
  assert.equal(targetOf({ kind: 'webhook', url: 'https://user:pw@h.example.com/alerts?token=x' }, c), 'https://h.example.com/alerts');
  assert.equal(targetOf({ kind: 'webhook', url: { env: 'UNSET_HOOK' } }, c), '$UNSET_HOOK (unset)');
  assert.equal(targetOf({ kind: 'email', to: ['a@example.com', 'b@example.com'] }, c), 'a@example.com, b@example.com');
});

test('resolving reads {env} values into the secret registry, and a secret written in the file joins it too', () => {
  const c = config();
  assert.deepEqual(resolveChannel({ kind: 'webhook', url: { env: 'HOOK' }, secret: 'written-secret' }, c), {
    kind: 'webhook',
    url: 'https://hooks.example.com/services/T1/B2/secretpath',
    secret: 'written-secret',
  });
  assert.ok(c.secrets.has('https://hooks.example.com/services/T1/B2/secretpath'));
  assert.ok(c.secrets.has('written-secret'));
  assert.throws(
    () => resolveChannel({ kind: 'slack', url: { env: 'NOPE' } }, c),
    (e: Error) => e instanceof UserError && /NOPE/.test(e.message),
  );
});

test('registerSecrets learns every secret of the rules before anything runs', () => {
  const c = config();
  registerSecrets(
    [
      { on: ['failed'], channel: { kind: 'webhook', url: 'https://h.example.com/x', secret: { env: 'KEY' } } },
      { on: ['failed'], channel: { kind: 'webhook', url: { env: 'HOOK' }, secret: 'in-the-file' } },
    ],
    c,
  );
  for (const value of ['hmac-key-abc', 'https://hooks.example.com/services/T1/B2/secretpath', 'in-the-file']) assert.ok(c.secrets.has(value), value);
  assert.ok(!c.secrets.has('https://h.example.com/x'), 'a URL written in the file is not a secret');
});
