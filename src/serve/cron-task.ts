/**
 * `runner serve`'s cron tasks: one timer per workflow, armed for the next fire time that `workflow/fire-times.ts`
 * computes (the same instants `runner list`, `run --plan` and the queue use).
 */
import { nextFireTime } from '../workflow/fire-times.ts';

/** One started cron task. */
export interface CronTask {
  /** The next fire time, when there is one (none after `destroy`). */
  nextRun(): Date | undefined;
  /** Stops the task for good; safe to call twice. */
  destroy(): void;
}

/** Starts a cron task that calls `onFire` with each scheduled fire time (the slot, not the moment it ran). */
export type ScheduleFactory = (spec: { name: string; cron: string; timezone: string }, onFire: (slot: Date) => void) => CronTask;

/** The clock and timers a {@link timerSchedule} runs on; tests pass fakes. */
export interface TimerHost {
  /** Now, in epoch ms. */
  now(): number;
  /** Calls `fn` once after `ms` (never more than {@link MAX_TIMER_MS}); returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer set by `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** Options of {@link timerSchedule}. */
export interface TimerScheduleOptions {
  /** Clock and timers (default: the system clock and Node's setTimeout/clearTimeout). */
  host?: TimerHost;
  /** Where an `onFire` that throws is reported (default: the error is rethrown from the timer). */
  logger?: { error(message: string): void };
}

/** The longest delay Node's setTimeout takes (2^31-1 ms, about 24.8 days); longer waits are made of several. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const systemHost: TimerHost = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A {@link ScheduleFactory} on plain timers. Each task sleeps until its next fire time, re-arming when the wait is
 * longer than a timer can take or the timer woke early; a timer that wakes late (a stalled event loop, a suspended
 * machine) fires the slot it was armed for once, then arms for the first fire time after now: the slots that passed
 * meanwhile are not fired in a burst (a day asleep would be 86,400 of an every-second schedule). What becomes of
 * them is the caller's to decide (`runner serve` asks `workflow/schedule-policy.ts`: missed or caught up). No slot is
 * fired twice. An invalid expression or zone throws when the task is started.
 */
export function timerSchedule(options: TimerScheduleOptions = {}): ScheduleFactory {
  const host = options.host ?? systemHost;
  return (spec, onFire) => {
    let next = nextFireTime(spec.cron, spec.timezone, new Date(host.now()));
    let handle: unknown;
    let destroyed = false;
    const arm = () => {
      handle = undefined;
      if (destroyed || !next) return;
      const wait = next.getTime() - host.now();
      handle = host.setTimeout(wake, Math.min(Math.max(wait, 0), MAX_TIMER_MS));
    };
    const wake = () => {
      handle = undefined;
      if (destroyed || !next) return;
      if (host.now() < next.getTime()) return arm();
      const slot = next;
      next = nextFireTime(spec.cron, spec.timezone, slot);
      const now = host.now();
      if (next && next.getTime() <= now) next = nextFireTime(spec.cron, spec.timezone, new Date(now));
      arm();
      try {
        onFire(slot);
      } catch (error) {
        if (!options.logger) throw error;
        options.logger.error(`${spec.name}: slot ${slot.toISOString()} failed to start: ${(error as Error).message}`);
      }
    };
    arm();
    return {
      nextRun: () => (destroyed ? undefined : next),
      destroy: () => {
        destroyed = true;
        if (handle !== undefined) host.clearTimeout(handle);
        handle = undefined;
      },
    };
  };
}
