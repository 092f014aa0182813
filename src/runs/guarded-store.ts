/**
 * The persistence boundary of run records: a store wrapper with the duties no writer should do by hand.
 * - Redaction: every record and journal entry is redacted against the process's live secret registry on its way
 *   to the store, so no secret reaches SQLite or Redis bytes whoever wrote it.
 * - Fencing: in queue mode a worker that loses a job's lock (it stalled, and the job went to another worker) must
 *   not overwrite the record the new owner is writing; once fenced, record saves are dropped.
 */
import { createRedactor, type Redactor } from '../shared/redact.ts';
import type { SecretRegistry } from '../shared/secrets.ts';
import type { RunStore } from './types.ts';

const GUARDED = Symbol('guarded run store');

/** A store wrapper that redacts and can be fenced. */
export interface GuardedStore extends RunStore {
  readonly [GUARDED]: true;
  /** From now on, record saves are dropped (reads and journal entries still go through). */
  fence(): void;
  readonly fenced: boolean;
  /** The redaction applied on the way in, for callers that hand a record to someone else (a printed summary). */
  readonly redact: Redactor;
}

/**
 * Wraps `store` (or returns it when it is already guarded). `close()` does not close the wrapped store: its owner
 * does.
 */
export function guardStore(store: RunStore, secrets: SecretRegistry): GuardedStore {
  if (isGuarded(store)) return store;
  const redact = createRedactor(secrets);
  let fenced = false;
  return {
    [GUARDED]: true,
    redact,
    get fenced() {
      return fenced;
    },
    fence() {
      fenced = true;
    },
    save: (run) => (fenced ? Promise.resolve() : store.save(redact(run))),
    // Journal entries stay when fenced: a write that happened must be known to whoever owns the run now.
    addJournal: (runId, entry) => store.addJournal(runId, redact(entry)),
    // A fenced writer changes nothing; it reads what the owner stored.
    update: (id, change) =>
      fenced
        ? store.get(id)
        : store.update(id, (current) => {
            const next = change(current);
            return next && redact(next);
          }),
    get: (id) => store.get(id),
    list: (filter) => store.list(filter),
    journal: (runId) => store.journal(runId),
    close: async () => {},
  };
}

/** Whether `store` is already a {@link GuardedStore}. */
export function isGuarded(store: RunStore): store is GuardedStore {
  return (store as Partial<GuardedStore>)[GUARDED] === true;
}
