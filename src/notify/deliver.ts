/**
 * One delivery attempt of one notice to one channel, whatever the channel: never throws, answers the attempt as
 * a record keeps it (ok, HTTP status or SMTP reply code, the redacted error) and whether another attempt may help.
 */
import type { RunnerConfig } from '../config/config.ts';
import { UserError } from '../shared/errors.ts';
import type { Redactor } from '../shared/redact.ts';
import { publishNotification } from '../runs/run-channels.ts';
import type { DeliveryAttempt } from '../runs/types.ts';
import type { NotifyChannel } from '../workflow/types.ts';
import { resolveChannel } from './channel.ts';
import { emailMessage, sendEmail } from './email.ts';
import type { Notice } from './notice.ts';
import { payloadOf } from './payload.ts';
import { slackMessage } from './slack.ts';
import { summaryOf } from './summary.ts';
import { postJson } from './webhook.ts';

/** How long one attempt may take, ms: 10 s. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** Longest error kept in a record, in characters. */
const ERROR_CHARS = 500;

/** Options of {@link deliverOnce}. */
export interface DeliverOptions {
  /** Notification settings, and the secrets `{env: NAME}` values are read from. */
  config: Pick<RunnerConfig, 'notify' | 'lookupEnv' | 'secrets'>;
  /** Redaction of everything sent and recorded (the live secret registry). */
  redact: Redactor;
  /** Timeout of the attempt, ms (default {@link ATTEMPT_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Clock (default: the system clock). */
  now?: () => Date;
  /** Stops the attempt early (the process is leaving). */
  signal?: AbortSignal;
}

/** How one attempt went. */
export interface Delivery {
  attempt: DeliveryAttempt;
  /** Whether another attempt may help (a timeout, a 5xx, a 429); false for refusals and configuration problems. */
  retryable: boolean;
}

/** Tries once to deliver `notice` through `channel`; the outcome is published on the notification channel (metrics). */
export async function deliverOnce(notice: Notice, channel: NotifyChannel, options: DeliverOptions): Promise<Delivery> {
  const delivery = await attemptDelivery(notice, channel, options);
  publishNotification({ channel: channel.kind, event: notice.event, ok: delivery.attempt.ok, retryable: delivery.retryable });
  return delivery;
}

async function attemptDelivery(notice: Notice, channel: NotifyChannel, options: DeliverOptions): Promise<Delivery> {
  const at = (options.now ?? (() => new Date()))();
  const timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const { notify } = options.config;
  const failed = (error: string, retryable: boolean, status?: number): Delivery => ({
    attempt: { at: at.toISOString(), ok: false, ...(status !== undefined ? { status } : {}), error: cut(options.redact(error)) },
    retryable,
  });
  try {
    const resolved = resolveChannel(channel, options.config);
    if (resolved.kind === 'email') {
      if (!notify.smtpUrl) return failed('RUNNER_SMTP_URL is not set: email notifications need an SMTP server', false);
      const summary = summaryOf(notice, { publicUrl: notify.publicUrl, redact: options.redact });
      const sent = await sendEmail(resolved.to, emailMessage(summary), {
        url: notify.smtpUrl,
        from: notify.smtpFrom,
        timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { attempt: { at: at.toISOString(), ok: true, ...(sent.code !== undefined ? { status: sent.code } : {}) }, retryable: false };
    }
    const body =
      resolved.kind === 'webhook'
        ? JSON.stringify(payloadOf(notice, { publicUrl: notify.publicUrl, redact: options.redact }))
        : JSON.stringify(slackMessage(summaryOf(notice, { publicUrl: notify.publicUrl, redact: options.redact })));
    const answer = await postJson(resolved.url, body, {
      event: notice.event,
      at,
      timeoutMs,
      ...(resolved.kind === 'webhook' && resolved.secret !== undefined ? { secret: resolved.secret } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (answer.status >= 200 && answer.status < 300) return { attempt: { at: at.toISOString(), ok: true, status: answer.status }, retryable: false };
    const said = answer.body.trim().replace(/\s+/g, ' ');
    return failed(`HTTP ${answer.status}${said ? `: ${said}` : ''}`, retryableStatus(answer.status), answer.status);
  } catch (error) {
    if (error instanceof UserError) return failed(error.message, false);
    const smtp = (error as { responseCode?: unknown }).responseCode;
    const code = typeof smtp === 'number' ? smtp : undefined;
    return failed(describe(error, timeoutMs, options.signal), code === undefined || code < 500, code);
  }
}

/** Statuses worth another attempt: the receiver was busy or broken, not refusing. */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** An error as one line: a timeout says how long, a failed connection says why (its errno code). */
function describe(error: unknown, timeoutMs: number, signal: AbortSignal | undefined): string {
  if (signal?.aborted) return 'stopped: the process is leaving';
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ETIMEDOUT' || e.code === 'EABORT') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(error)}${cause && !e.message?.includes(cause) ? `: ${cause}` : ''}`;
}

function cut(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= ERROR_CHARS ? line : `${line.slice(0, ERROR_CHARS)}…`;
}
