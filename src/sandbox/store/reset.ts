/** Emptying a store. */
import type { SandboxStore } from './store.ts';
import { TABLES } from './schema.ts';

/** Deletes every row of every table (the id sequence starts over). */
export function resetStore(store: SandboxStore): void {
  store.transaction(() => {
    for (const table of TABLES) store.run(`DELETE FROM ${table}`);
    store.run(`DELETE FROM sqlite_sequence WHERE name = 'audit'`);
  });
}
