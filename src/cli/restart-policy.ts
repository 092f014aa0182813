/**
 * When the worker supervisor restarts a child that ended on its own: after a short backoff that doubles with each
 * recent crash of the same child, and not at all once it crashed too often too soon (a child that dies right after
 * every start would otherwise spin), or when it reported a usage error (exit 2: bad settings a restart cannot fix).
 */

/** Options of {@link RestartPolicy}. */
export interface RestartPolicyOptions {
  /** Crashes of one child within `windowMs` that make the supervisor give up on it (default 5). */
  maxCrashes?: number;
  /** How far back crashes count, ms (default 60 000: a minute). */
  windowMs?: number;
  /** Wait before the first restart, ms; doubled for each further recent crash (default 1000). */
  firstDelayMs?: number;
  /** Longest wait before a restart, ms (default 16 000). */
  maxDelayMs?: number;
}

/** What to do about one ended child. */
export type RestartDecision = { restart: true; delayMs: number } | { restart: false; reason: string };

/** Exit code of a child that stopped on a usage error (bad flags or settings): the CLI's `EXIT.usage`. */
const USAGE_ERROR = 2;

/** Crash history per child index, and the decision it leads to. */
export class RestartPolicy {
  readonly #maxCrashes: number;
  readonly #windowMs: number;
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #crashes = new Map<number, number[]>();

  constructor(options: RestartPolicyOptions = {}) {
    this.#maxCrashes = options.maxCrashes ?? 5;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#firstDelayMs = options.firstDelayMs ?? 1000;
    this.#maxDelayMs = options.maxDelayMs ?? 16_000;
  }

  /** Records that child `index` ended with `code` at `now` (ms) and decides whether and when it starts again. */
  crashed(index: number, code: number | null, now: number): RestartDecision {
    if (code === USAGE_ERROR) return { restart: false, reason: 'it stopped on a usage error (exit 2), which a restart cannot fix' };
    const recent = (this.#crashes.get(index) ?? []).filter((at) => now - at < this.#windowMs);
    recent.push(now);
    this.#crashes.set(index, recent);
    if (recent.length >= this.#maxCrashes) {
      return { restart: false, reason: `it ended ${recent.length} times within ${Math.round(this.#windowMs / 1000)} s` };
    }
    return { restart: true, delayMs: Math.min(this.#maxDelayMs, this.#firstDelayMs * 2 ** (recent.length - 1)) };
  }
}
