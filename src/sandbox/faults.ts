/** Fault injection for the sandbox's REST face: rate limits (429), outages (503, 500) and latency. */

/** What faults to inject; parse one from text with {@link parseFaults}. */
export interface FaultSpec {
  /** Probability (0..1) per REST call of each error status (429, 500, 503). */
  rates: Partial<Record<429 | 500 | 503, number>>;
  /** Extra latency before every REST answer, in milliseconds (default 0). */
  latencyMs: number;
  /** `Retry-After` seconds sent with 429 and 503 (default 1). */
  retryAfterSeconds: number;
  /** PRNG seed, so a run's fault sequence repeats (default 1). */
  seed: number;
}

const STATUSES = [429, 500, 503] as const;

/** Parses "429=0.1,503=0.05,latency=50ms,retry-after=2,seed=7"; throws an Error naming the bad part. */
export function parseFaults(text: string): FaultSpec {
  const spec: FaultSpec = { rates: {}, latencyMs: 0, retryAfterSeconds: 1, seed: 1 };
  const allowed = 'allowed: 429=<0..1>, 500=<0..1>, 503=<0..1>, latency=<ms>ms, retry-after=<seconds>, seed=<integer>';
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value, extra] = part.split('=').map((s) => s.trim());
    if (!key || value === undefined || value === '' || extra !== undefined) throw new Error(`Invalid fault '${part}': expected key=value; ${allowed}`);
    const status = STATUSES.find((s) => String(s) === key);
    if (status) {
      const p = Number(value);
      if (!Number.isFinite(p) || p < 0 || p > 1) throw new Error(`Invalid fault '${part}': the rate must be a number between 0 and 1`);
      spec.rates[status] = p;
    } else if (key === 'latency') {
      const m = /^(\d+)(ms|s)?$/.exec(value);
      if (!m) throw new Error(`Invalid fault '${part}': latency must look like 50ms or 1s`);
      spec.latencyMs = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
    } else if (key === 'retry-after') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`Invalid fault '${part}': retry-after must be a whole number of seconds`);
      spec.retryAfterSeconds = n;
    } else if (key === 'seed') {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new Error(`Invalid fault '${part}': seed must be an integer`);
      spec.seed = n;
    } else {
      throw new Error(`Unknown fault '${key}'; ${allowed}`);
    }
  }
  const total = Object.values(spec.rates).reduce((a, b) => a + b, 0);
  if (total > 1) throw new Error(`Invalid faults '${text}': the error rates add up to ${Math.round(total * 1000) / 1000}, more than 1`);
  return spec;
}

/** A fault decided for one call: an error status with headers, or nothing; plus the delay. */
export interface FaultDecision {
  status?: number;
  headers: Record<string, string>;
  delayMs: number;
}

/** Decides, call after call, which fault (if any) to inject; deterministic for a given seed. */
export class FaultInjector {
  readonly #spec: FaultSpec;
  #state: number;
  constructor(spec: FaultSpec) {
    this.#spec = spec;
    this.#state = spec.seed >>> 0 || 1;
  }

  /** mulberry32: small, fast and good enough for fault dice. */
  #random(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The fault for the next call. */
  next(): FaultDecision {
    const roll = this.#random();
    let acc = 0;
    for (const status of STATUSES) {
      acc += this.#spec.rates[status] ?? 0;
      if (roll < acc) {
        const headers: Record<string, string> = status === 500 ? {} : { 'Retry-After': String(this.#spec.retryAfterSeconds) };
        return { status, headers, delayMs: this.#spec.latencyMs };
      }
    }
    return { headers: {}, delayMs: this.#spec.latencyMs };
  }
}
