import cron from 'node-cron';
import { normalizeCron } from '../workflow/cron.ts';

/** One started cron task. */
export interface CronTask {
  /** The next fire time, when there is one. */
  nextRun(): Date | undefined;
  /** Stops the task for good; safe to call twice. */
  destroy(): void;
}

/** Starts a cron task that calls `onFire` with each scheduled fire time (the slot, not the moment it ran). */
export type ScheduleFactory = (spec: { name: string; cron: string; timezone: string }, onFire: (slot: Date) => void) => CronTask;

/**
 * node-cron v4 as a {@link ScheduleFactory}. It reads 5 fields, or 6 with seconds first, in the task's time zone, and
 * passes the callback a context whose `date` is the scheduled slot (`triggeredAt` is when it actually ran).
 * Its own warnings (e.g. a missed execution after the event loop stalled) go to `logger`.
 */
export function nodeCronSchedule(logger?: { warn(message: string): void; error(message: string): void }): ScheduleFactory {
  const quiet = () => {};
  const cronLogger = {
    info: quiet,
    debug: quiet,
    warn: (m: string) => logger?.warn(`node-cron: ${m}`),
    error: (m: string | Error) => logger?.error(`node-cron: ${m instanceof Error ? m.message : m}`),
  };
  return (spec, onFire) => {
    const task = cron.schedule(normalizeCron(spec.cron), (context) => onFire(context.date), { name: spec.name, timezone: spec.timezone, logger: cronLogger });
    return { nextRun: () => task.getNextRun() ?? undefined, destroy: () => void task.destroy() };
  };
}
