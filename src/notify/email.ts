/**
 * Email notifications: a plain-text and an HTML part made from a summary, sent through RUNNER_SMTP_URL with
 * nodemailer (a new connection per message; notifications are rare).
 */
import type { Summary } from './summary.ts';

/** An email's subject and parts. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** The email for a summary. */
export function emailMessage(summary: Summary): EmailMessage {
  const links = [...(summary.url ? [summary.url] : []), ...summary.links];
  const text = [
    summary.headline,
    '',
    `Workflow: ${summary.workflow}`,
    `Status: ${summary.status}`,
    ...(summary.runId ? [`Run: ${summary.runId}`] : []),
    '',
    summary.reason,
    ...(links.length ? ['', 'Links:', ...links.map((l) => `  ${l}`)] : []),
    '',
    '-- confluence-runner',
  ].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<h2>${escapeHtml(summary.headline)}</h2>`,
    '<table>',
    `<tr><th align="left">Workflow</th><td>${escapeHtml(summary.workflow)}</td></tr>`,
    `<tr><th align="left">Status</th><td>${escapeHtml(summary.status)}</td></tr>`,
    ...(summary.runId ? [`<tr><th align="left">Run</th><td>${escapeHtml(summary.runId)}</td></tr>`] : []),
    '</table>',
    `<p style="white-space: pre-wrap">${escapeHtml(summary.reason)}</p>`,
    ...(links.length
      ? ['<ul>', ...links.map((l) => `<li>${/^https?:\/\//.test(l) ? `<a href="${escapeHtml(l)}">${escapeHtml(l)}</a>` : escapeHtml(l)}</li>`), '</ul>']
      : []),
    '<p style="color: #888">confluence-runner</p>',
    '</body></html>',
  ].join('\n');
  return { subject: `[confluence-runner] ${summary.headline}`, text, html };
}

/** Where and how to send. */
export interface SmtpOptions {
  /** `smtp[s]://user:pass@host:port` (RUNNER_SMTP_URL). */
  url: string;
  /** The sender (RUNNER_SMTP_FROM). */
  from: string;
  /** Gives up after this long, ms (connecting, the greeting, any silence, the whole send). */
  timeoutMs: number;
  /** Stops the send early (the process is leaving). */
  signal?: AbortSignal;
}

/** What the SMTP server answered to the message. */
export interface SmtpResult {
  /** The reply code (250 when accepted). */
  code?: number;
  response: string;
}

/** Sends one email; rejects with nodemailer's error (its `responseCode` is the server's reply code, when it gave one). */
export async function sendEmail(to: readonly string[], message: EmailMessage, options: SmtpOptions): Promise<SmtpResult> {
  // nodemailer takes ~75 ms to load: only a process that sends an email pays it, not every `runner run`.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    url: options.url,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    socketCloseTimeout: 0,
  });
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const info = await transport.sendMail({
      from: options.from,
      to: [...to],
      subject: message.subject,
      text: message.text,
      html: message.html,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    const code = Number(/^(\d{3})/.exec(info.response)?.[1]);
    return { ...(Number.isFinite(code) ? { code } : {}), response: info.response };
  } finally {
    transport.close();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
