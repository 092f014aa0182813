/**
 * A store that stops writing once its run is no longer ours. In queue mode a worker that loses a job's lock (it
 * stalled, and the job went to another worker) must not overwrite the record the new owner is writing.
 */
import type { RunStore } from './types.ts';

/** A store wrapper with a switch. */
export interface FencedStore extends RunStore {
  /** From now on, record saves are dropped (reads and journal entries still go through). */
  fence(): void;
  readonly fenced: boolean;
}

/** Wraps `store`; `close()` does not close the wrapped store (its owner does). */
export function fencedStore(store: RunStore): FencedStore {
  let fenced = false;
  return {
    get fenced() {
      return fenced;
    },
    fence() {
      fenced = true;
    },
    save: (run) => (fenced ? Promise.resolve() : store.save(run)),
    // Journal entries stay: a write that happened must be known to whoever owns the run now, whoever made it.
    addJournal: (runId, entry) => store.addJournal(runId, entry),
    get: (id) => store.get(id),
    list: (filter) => store.list(filter),
    journal: (runId) => store.journal(runId),
    close: async () => {},
  };
}
