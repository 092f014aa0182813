/** Errors the store raises; the HTTP layer maps each kind onto a status code. */

/** What went wrong, in store terms (no HTTP here). */
export type StoreErrorKind = 'not_found' | 'conflict' | 'invalid' | 'duplicate';

/** A refused store operation: `kind` says why, `message` is shown to the client. */
export class StoreError extends Error {
  /** Why the operation was refused. */
  readonly kind: StoreErrorKind;
  constructor(kind: StoreErrorKind, message: string) {
    super(message);
    this.name = 'StoreError';
    this.kind = kind;
  }
}

/** Throws a not_found StoreError unless `value` is present. */
export function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new StoreError('not_found', `${what} not found`);
  return value;
}
