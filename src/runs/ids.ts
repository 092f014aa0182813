import { randomUUID } from 'node:crypto';

/** A new run id: a random UUID, so ids from different processes and machines never collide. */
export function newRunId(): string {
  return randomUUID();
}
