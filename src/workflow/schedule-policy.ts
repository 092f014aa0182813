/**
 * The one owner of schedule policies: which slots a scheduler runs, records as missed, or skips. `runner serve` and
 * the queue worker both ask here, so a workflow behaves the same in either mode. Pure: slots in, decisions out.
 *
 * - A slot is on time when it is the newest slot and starts at most {@link LATE_TOLERANCE_MS} after its fire time.
 *   Any other slot nothing started is late (a newer slot overtook it, or it is too late), and `schedule.catchup`
 *   decides: `none` records it as missed, `latest` runs only the newest slot, `all` runs every late slot within
 *   `catchup_window` (oldest first). Late slots outside the window are missed. So a short outage of a schedule that
 *   fires every minute runs the current slot once, not each minute it was away.
 * - A slot that comes while the workflow's previous run is still going: `overlap: skip` records it as skipped,
 *   `queue` runs it once the current run ends, `allow` runs it at once.
 */
import { nextFireTimes } from './fire-times.ts';
import type { ScheduleSpec } from './types.ts';

/** How late a slot may start and still count as on time, ms: a worker restarting or a short stall is not an outage. */
export const LATE_TOLERANCE_MS = 10 * 60_000;

/** Most slots one look-back returns (a schedule every second, down for a day, is not worth 86,400 records). */
export const MAX_SLOTS = 100;

/** What to do with slots nothing started on time. */
export interface SlotPlan {
  /** Slots to run now, oldest first. */
  run: Date[];
  /** Slots to record as missed, oldest first. */
  missed: Date[];
}

/**
 * The fire times of `schedule` strictly after `after` and at or before `upTo`, oldest first, at most `max`
 * ({@link MAX_SLOTS}); when there are more, the newest `max` are kept, since catch-up wants the recent ones.
 */
export function slotsBetween(schedule: Pick<ScheduleSpec, 'cron' | 'timezone'>, after: Date, upTo: Date, max = MAX_SLOTS): Date[] {
  const out: Date[] = [];
  let from = after;
  // Almost always the very next slot is already past `upTo`: one fire time (~10 µs) settles that.
  let size = 1;
  for (;;) {
    const batch = nextFireTimes(schedule.cron, schedule.timezone, from, size);
    for (const t of batch) {
      if (t.getTime() > upTo.getTime()) return out;
      out.push(t);
      if (out.length > max) out.shift();
    }
    if (batch.length < size) return out;
    from = batch[batch.length - 1]!;
    size = 50;
  }
}

/**
 * Splits slots nothing started (ascending) into those to run now and those to record as missed, by lateness at
 * `now` and `schedule.catchup` / `catchup_window`.
 */
export function planSlots(schedule: Pick<ScheduleSpec, 'catchup' | 'catchupWindowMs'>, slots: readonly Date[], now: Date): SlotPlan {
  const ordered = [...slots].sort((a, b) => a.getTime() - b.getTime());
  const late = (slot: Date) => now.getTime() - slot.getTime() > LATE_TOLERANCE_MS;
  const inWindow = (slot: Date) => now.getTime() - slot.getTime() <= schedule.catchupWindowMs;
  const run: Date[] = [];
  const missed: Date[] = [];
  const newest = ordered.at(-1);
  for (const slot of ordered) {
    // The newest slot on time is simply the current slot; an older one was overtaken and counts as late.
    const current = slot === newest && !late(slot);
    const take =
      schedule.catchup === 'all' ? current || inWindow(slot) : schedule.catchup === 'latest' ? slot === newest && (current || inWindow(slot)) : current;
    (take ? run : missed).push(slot);
  }
  return { run, missed };
}

/** What a slot does while the workflow's previous run goes on. */
export type OverlapAction = 'run' | 'skip' | 'queue';

/** What a slot that comes now does: `run` when nothing of the workflow runs, else as `schedule.overlap` says. */
export function overlapAction(schedule: Pick<ScheduleSpec, 'overlap'>, busy: boolean): OverlapAction {
  if (!busy || schedule.overlap === 'allow') return 'run';
  return schedule.overlap;
}

/** Why a slot was skipped under `overlap: skip`, as both modes record it: the run still going (and its slot, when it has one). */
export function overlapNote(runId: string, slot?: string): string {
  return `run ${runId}${slot ? ` of slot ${slot}` : ''} was still running (overlap: skip)`;
}
