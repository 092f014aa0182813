/**
 * The secrets one process knows, in one live registry: the values of secret settings, and every value read through
 * a workflow's `{env: NAME}`. Redaction reads the registry when it runs, not when it was set up, so a secret learned
 * late (an MCP header read when the backend opens) is masked in everything written after that moment, including
 * the first run of a process.
 */

/** Shorter values are not treated as secrets: masking them would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 4;

/** `<scheme> <credential>` as sent in Authorization headers. */
const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Bot|ApiKey|Digest)\s+(\S+)$/i;

/** A growing set of secret values. */
export class SecretRegistry {
  readonly #values = new Set<string>();
  /** Longest first, so a secret that contains another is masked whole; rebuilt after each change. */
  #sorted: string[] = [];

  constructor(values: Iterable<string | undefined> = []) {
    for (const value of values) this.add(value);
  }

  /**
   * Registers a secret value (ignored when undefined or shorter than {@link MIN_SECRET_LENGTH}). An HTTP credential
   * such as `Bearer <token>` also registers the bare `<token>`, which servers are as likely to echo.
   */
  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH || this.#values.has(value)) return;
    this.#values.add(value);
    const credential = AUTH_SCHEME.exec(value)?.[1];
    if (credential && credential.length >= MIN_SECRET_LENGTH) this.#values.add(credential);
    this.#sorted = [...this.#values].sort((a, b) => b.length - a.length);
  }

  /** Whether `value` is a registered secret. */
  has(value: string): boolean {
    return this.#values.has(value);
  }

  /** The registered values, longest first. */
  values(): readonly string[] {
    return this.#sorted;
  }
}
