/**
 * Deliveries a process still has going: each can be awaited for a while and then given up (aborted), so a process
 * leaving waits a bounded time and leaves nothing running behind it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Work in flight, with the signal that stops it. */
export class InFlight {
  readonly #tasks = new Map<Promise<void>, AbortController>();

  /** Starts `work` in the background; its errors are the caller's to catch inside `work`. */
  run(work: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    const task: Promise<void> = work(controller.signal)
      .catch(() => {})
      .finally(() => this.#tasks.delete(task));
    this.#tasks.set(task, controller);
  }

  /** How many are in flight. */
  get size(): number {
    return this.#tasks.size;
  }

  /** Waits at most `ms` for what is in flight now (and what it starts meanwhile), then aborts what is left. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#tasks.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const timer = new AbortController();
      await Promise.race([Promise.all(this.#tasks.keys()), sleep(left, undefined, { signal: timer.signal }).catch(() => {})]);
      timer.abort();
    }
    for (const controller of this.#tasks.values()) controller.abort();
  }
}

/** Waits `ms`, or less when `signal` aborts; never keeps the process alive by itself. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal, ref: false }).catch(() => {});
}
