/**
 * HTTP delivery (webhooks and Slack): a JSON POST with the runner's headers, signed when the rule has a secret.
 *
 * Receivers verify `X-Runner-Signature: sha256=<hex>`: the HMAC-SHA256 of the raw request body (the bytes as
 * received, before any JSON parsing) keyed with the secret, compared in constant time.
 */
import { createHmac } from 'node:crypto';

/** Bytes of an answer's body kept for an error message. */
const ANSWER_BYTES = 2048;

/** `sha256=<hex HMAC-SHA256 of body keyed with secret>`, the value of X-Runner-Signature. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a POST needs besides the URL and body. */
export interface PostOptions {
  /** The event (X-Runner-Event). */
  event: string;
  /** When the attempt was made (X-Runner-Timestamp, unix seconds). */
  at: Date;
  /** Key of X-Runner-Signature (default: unsigned). */
  secret?: string;
  /** Gives up after this long, ms. */
  timeoutMs: number;
  /** Stops the request early (the process is leaving). */
  signal?: AbortSignal;
}

/** The receiver's answer: its status and the start of its body. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** POSTs `body` (JSON text) to `url`; redirects are not followed (a 3xx is an answer like any other). */
export async function postJson(url: string, body: string, options: PostOptions): Promise<HttpAnswer> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'confluence-runner',
    'X-Runner-Event': options.event,
    'X-Runner-Timestamp': String(Math.floor(options.at.getTime() / 1000)),
  };
  if (options.secret !== undefined) headers['X-Runner-Signature'] = signBody(body, options.secret);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    redirect: 'manual',
    signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
  });
  return { status: response.status, body: await startOf(response) };
}

/** The first {@link ANSWER_BYTES} of a body as text; the rest is not read. */
async function startOf(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString('utf8');
}
