/**
 * BullMQ's job schedulers on the runner's own fire times. BullMQ asks its `repeatStrategy` for every scheduler's
 * next job, in the Queue (`upsertJobScheduler`, i.e. `schedule sync`) and in the Worker (after taking each
 * scheduled job); left to its default it would use cron-parser, whose day rule, duplicate handling and daylight
 * saving differ from `runner list`, `run --plan`, missed slots and `runner serve`. Every Queue and Worker the
 * runner creates passes {@link SCHEDULE_SETTINGS}.
 */
import type { AdvancedRepeatOptions, RepeatOptions } from 'bullmq';
import { nextFireTime } from '../workflow/fire-times.ts';

/**
 * The next fire time (epoch ms) of `opts.pattern` in `opts.tz` (default UTC) strictly after `millis`, and not
 * before `opts.startDate`; undefined when there is none before `opts.endDate` (or within the search bound), which
 * tells BullMQ the scheduler is done. An invalid pattern throws (the runner only syncs validated ones).
 */
export function cronRepeatStrategy(millis: number, opts: RepeatOptions): number | undefined {
  if (!opts.pattern) return undefined;
  if (opts.immediately) return millis;
  const start = opts.startDate === undefined ? undefined : new Date(opts.startDate).getTime();
  // A start date is the first moment a fire time may have: one on the start date itself counts.
  const after = start !== undefined && start - 1 > millis ? start - 1 : millis;
  const next = nextFireTime(opts.pattern, opts.tz ?? 'UTC', new Date(after))?.getTime();
  if (next === undefined) return undefined;
  if (opts.endDate !== undefined && next > new Date(opts.endDate).getTime()) return undefined;
  return next;
}

/** The `settings` every runner Queue and Worker gets: BullMQ's schedulers fire when the runner says they do. */
export const SCHEDULE_SETTINGS: AdvancedRepeatOptions = { repeatStrategy: cronRepeatStrategy };
