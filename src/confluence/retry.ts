/**
 * The client's retry policy, as pure functions: which failures are worth another attempt and how long to wait.
 */

/** Methods whose replay cannot create a second object; only these are retried after a 5xx other than 503 or a transport failure. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Base of the exponential backoff used when the server gives no `Retry-After`. */
const BASE_DELAY_MS = 1000;

/**
 * Whether a request that failed this way may be sent again.
 * 429 and 503 mean "not processed, slow down" and are retried for every method; other 5xx answers and
 * transport failures only for reads, because a create that reached the server must not be replayed.
 */
export function isRetryable(method: string, status: number | 'network'): boolean {
  if (status === 429 || status === 503) return true;
  if (status === 'network' || status >= 500) return IDEMPOTENT.has(method.toUpperCase());
  return false;
}

/** Milliseconds from a `Retry-After` header (delta-seconds or HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header == null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const when = Date.parse(text);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, when - now);
}

/** Exponential backoff with jitter for attempt n (0-based), capped at `maxMs`: between half and all of base·2ⁿ. */
export function backoffDelay(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const full = Math.min(maxMs, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(full / 2 + (random() * full) / 2);
}
