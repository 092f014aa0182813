import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadNotifyDefaults, parseNotifyDefaults } from '../../../src/notify/defaults.ts';
import { formatDiagnostic, UserError, WorkflowInvalidError } from '../../../src/shared/errors.ts';

/** The problems a defaults text is refused with, as printed. */
function problems(text: string): string[] {
  try {
    parseNotifyDefaults('notify.yaml', text);
  } catch (error) {
    assert.ok(error instanceof WorkflowInvalidError && error instanceof UserError);
    return error.diagnostics.map(formatDiagnostic);
  }
  assert.fail('the text was accepted');
}

test('rules are read as a workflow reads its own', () => {
  const rules = parseNotifyDefaults(
    'notify.yaml',
    'notify:\n  - on: [failed, missed]\n    webhook: { url: { env: OPS_URL }, secret: s3cret-key }\n  - on: [waiting]\n    email: { to: [ops@example.com] }\n',
  );
  assert.deepEqual(rules, [
    { on: ['failed', 'missed'], channel: { kind: 'webhook', url: { env: 'OPS_URL' }, secret: 's3cret-key' } },
    { on: ['waiting'], channel: { kind: 'email', to: ['ops@example.com'] } },
  ]);
  assert.deepEqual(parseNotifyDefaults('notify.yaml', '# nothing yet\n'), []);
  assert.deepEqual(loadNotifyDefaults(undefined), []);
});

test('every problem at its line and column, with the messages a workflow gets', () => {
  assert.deepEqual(problems('notify:\n  - on: []\n    email: { to: [not-an-address] }\n  - webhook: { url: "https://h.example.com/x", sekret: x }\n'), [
    'notify.yaml:2:9: notify[0].on must not be an empty list',
    "notify.yaml:3:19: 'not-an-address' is not an email address (like docs-team@example.com)",
    "notify.yaml:4:5: missing required key 'on' in notify[1] — failed, missed (a slot nothing ran), waiting (held for a person), recovered (the first success after failures), succeeded, invalid (the file stopped validating; serve), skipped (a slot skipped by overlap or a pause)",
    "notify.yaml:4:48: unknown key 'sekret'; did you mean 'secret'?",
  ]);
  assert.deepEqual(problems('- on: [failed]\n'), [
    'notify.yaml:1:1: the file of RUNNER_NOTIFY_DEFAULT must be a map with one key, notify: a list of rules (on: [...] and a webhook, slack or email)',
  ]);
  assert.deepEqual(problems('notify: {}\n'), ['notify.yaml:1:9: notify must be a list, got a map']);
  assert.match(problems('notify: [\n')[0]!, /^notify\.yaml:\d+:\d+: /);
});

test('a file that cannot be read is one problem at 1:1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'notify-defaults-'));
  try {
    assert.throws(
      () => loadNotifyDefaults(join(dir, 'missing.yaml')),
      (error: WorkflowInvalidError) => {
        assert.match(error.message, /missing\.yaml:1:1: RUNNER_NOTIFY_DEFAULT: /);
        return true;
      },
    );
    writeFileSync(join(dir, 'ok.yaml'), 'notify:\n  - on: [failed]\n    email: { to: [a@example.com] }\n');
    assert.equal(loadNotifyDefaults(join(dir, 'ok.yaml')).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
