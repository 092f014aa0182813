/** A sliding-window request limiter: at most `limit` admissions within any `windowMs`. */
export class SlidingWindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #admitted: number[] = [];

  /** `now` is the clock (default `Date.now`), injectable for tests. */
  constructor(limit: number, windowMs = 60_000, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Admits one request and returns undefined, or returns the whole seconds (at least 1) until a slot frees. */
  take(): number | undefined {
    const now = this.#now();
    this.#admitted = this.#admitted.filter((at) => at > now - this.#windowMs);
    if (this.#admitted.length < this.#limit) {
      this.#admitted.push(now);
      return undefined;
    }
    const oldest = this.#admitted[0] ?? now;
    return Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000));
  }
}
