/** Schedule slots that passed while nothing ran: recorded as `missed` runs, never silently dropped. */
import type { RunLifecycle } from '../runs/lifecycle.ts';
import { nextFireTimes } from '../workflow/fire-times.ts';
import type { Workflow } from '../workflow/types.ts';
import { slotRunId } from '../runs/slot-id.ts';

/** Most missed slots recorded at once (a schedule every second, down for a day, is not worth 86,400 records). */
export const MAX_MISSED = 100;

/**
 * Slots of `workflow` after `slot`, up to `taken` (at most {@link MAX_MISSED}): `taken` is when a worker took the
 * late job of `slot`, and BullMQ schedules the next job for the first slot after that moment, so none of these
 * ever gets a job of its own.
 */
export function missedSlots(workflow: Workflow, slot: Date, taken: Date): Date[] {
  if (!workflow.schedule) return [];
  const out: Date[] = [];
  let from = slot;
  // Every schedule job asks, and almost always the very next slot is still ahead: one fire time (~10 µs) settles
  // that; 20 cost ~0.2 ms, which 500 jobs due at once would pay for nothing.
  let size = 1;
  while (out.length < MAX_MISSED) {
    const batch = nextFireTimes(workflow.schedule.cron, workflow.schedule.timezone, from, size);
    for (const t of batch) {
      if (t.getTime() > taken.getTime() || out.length >= MAX_MISSED) return out;
      out.push(t);
    }
    if (batch.length === 0) return out;
    from = batch[batch.length - 1]!;
    size = 20;
  }
  return out;
}

/** Records each missed slot as a run with status `missed` (idempotent: the run id is the slot's). */
export async function recordMissed(lifecycle: RunLifecycle, workflow: Workflow, slots: readonly Date[], now: Date, late: { slot: string }): Promise<void> {
  for (const slot of slots) {
    const iso = slot.toISOString();
    await lifecycle.missed(workflow, {
      id: slotRunId(workflow.name, iso),
      trigger: { type: 'schedule', slot: iso },
      inputs: {},
      mode: workflow.mode,
      backend: workflow.tools.backend ?? '',
      model: workflow.agent.model ?? '',
      notes: [`no worker ran this slot; noticed at ${now.toISOString()} when the late run of slot ${late.slot} started`],
    });
  }
}
