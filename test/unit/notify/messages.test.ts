import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { emailMessage } from '../../../src/notify/email.ts';
import { PAYLOAD_OUTPUT_CHARS, payloadOf } from '../../../src/notify/payload.ts';
import { slackMessage } from '../../../src/notify/slack.ts';
import { summaryOf } from '../../../src/notify/summary.ts';
import { signBody } from '../../../src/notify/webhook.ts';
import { createRedactor, MASK } from '../../../src/shared/redact.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

const SECRET = 'tok-5e3c9a71';
const redact = createRedactor([SECRET]);

describe('webhook payload', () => {
  test('the run as the README documents it: slot from a schedule trigger, url from RUNNER_PUBLIC_URL, secrets redacted', () => {
    const run = sampleRun({ status: 'failed', error: { kind: 'tool', message: `refused with ${SECRET}`, step: 'publish' } });
    assert.deepEqual(payloadOf({ event: 'failed', run }, { publicUrl: 'https://runner.example.com', redact }), {
      event: 'failed',
      run: {
        id: run.id,
        workflow: 'weekly-summary',
        status: 'failed',
        trigger: 'schedule',
        slot: '2026-11-27T15:00:00.000Z',
        started_at: '2026-11-27T15:00:01.000Z',
        finished_at: '2026-11-27T15:02:05.500Z',
        failure: { kind: 'tool', message: `refused with ${MASK}`, step: 'publish' },
        outputs: run.outputs,
        links: run.links,
        url: `https://runner.example.com/runs/${run.id}`,
      },
    });
  });

  test('a manual run has no slot; without RUNNER_PUBLIC_URL no url; long outputs are cut', () => {
    const run = sampleRun({ trigger: { type: 'manual' }, outputs: { big: 'x'.repeat(PAYLOAD_OUTPUT_CHARS) } });
    const { run: told } = payloadOf({ event: 'succeeded', run }, { redact }) as { run: Record<string, unknown> };
    assert.equal(told.slot, null);
    assert.equal(told.url, null);
    assert.equal(told.failure, null);
    assert.equal(typeof told.outputs, 'string');
    assert.equal((told.outputs as string).length, PAYLOAD_OUTPUT_CHARS + 1);
  });

  test('an invalid file: no run, the problems', () => {
    assert.deepEqual(payloadOf({ event: 'invalid', report: { file: 'workflows/a.yaml', problems: ['workflows/a.yaml:1:1: bad'] } }, { redact }), {
      event: 'invalid',
      run: null,
      workflow: null,
      file: 'workflows/a.yaml',
      problems: ['workflows/a.yaml:1:1: bad'],
    });
  });

  test('the signature is sha256=<hex HMAC-SHA256 of the raw body>', () => {
    const body = '{"event":"failed"}';
    assert.equal(signBody(body, 'k3y'), `sha256=${createHmac('sha256', 'k3y').update(body).digest('hex')}`);
  });
});

describe('summaries, Slack and email', () => {
  test('a waiting run says how to decide; missed and skipped say which slot', () => {
    const waiting = sampleRun({
      status: 'waiting',
      approvals: [
        {
          since: '2026-11-27T15:01:00.000Z',
          expiresAt: '2026-11-28T15:01:00.000Z',
          calls: [{ n: 1, tool: 'CONFLUENCE_CREATE_PAGE', effect: 'write', args: {}, step: 'publish' }],
          resume: { step: 'publish', index: 1 },
        },
      ],
    });
    const summary = summaryOf({ event: 'waiting', run: waiting }, { redact });
    assert.equal(summary.headline, 'weekly-summary waits for approval');
    assert.equal(summary.reason, '1 held call(s) wait for a person: runner approve 3f2a9c1e (or runner reject), until 2026-11-28T15:01:00.000Z');
    const missed = summaryOf({ event: 'missed', run: sampleRun({ status: 'missed', notes: [] }) }, { redact });
    assert.equal(missed.headline, 'weekly-summary missed its 2026-11-27T15:00:00.000Z run');
    assert.equal(missed.reason, 'the slot passed while nothing ran it');
    const skipped = summaryOf({ event: 'skipped', run: sampleRun({ status: 'skipped', notes: ['the schedule is paused'] }) }, { redact });
    assert.equal(skipped.reason, 'the schedule is paused');
  });

  test("Slack's mrkdwn and the email's HTML escape what came from the run; secrets are redacted in both", () => {
    const run = sampleRun({ status: 'failed', error: { kind: 'model', message: `<b>&</b> ${SECRET}` } });
    const summary = summaryOf({ event: 'failed', run }, { publicUrl: 'https://runner.example.com', redact });
    const slack = slackMessage(summary);
    assert.equal(slack.text, `weekly-summary failed: model: <b>&</b> ${MASK}`);
    assert.equal((slack.blocks[2] as { text: { text: string } }).text.text, `*Reason*\nmodel: &lt;b&gt;&amp;&lt;/b&gt; ${MASK}`);
    const links = (slack.blocks[3] as { text: { text: string } }).text.text;
    assert.ok(links.includes(`<https://runner.example.com/runs/${run.id}|`));
    assert.ok(links.includes('<http://127.0.0.1:8787/wiki/spaces/ENG/blog/98400|'));
    const email = emailMessage(summary);
    assert.equal(email.subject, '[confluence-runner] weekly-summary failed');
    assert.match(email.text, new RegExp(`model: <b>&</b> \\${MASK}`));
    assert.match(email.html, /model: &lt;b&gt;&amp;&lt;\/b&gt; \[redacted\]/);
    assert.match(email.html, /<a href="http:\/\/127\.0\.0\.1:8787\/wiki\/spaces\/ENG\/blog\/98400">/);
    for (const text of [JSON.stringify(slack), email.text, email.html]) assert.ok(!text.includes(SECRET));
  });
});
