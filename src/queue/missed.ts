/**
 * Schedule slots the queue will not run: recorded as `missed` (late, and the catch-up policy leaves them out) or
 * `skipped` (paused, or `overlap: skip`), each with its reason, never silently dropped.
 */
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { Notifier } from '../notify/notifier.ts';
import { slotRunId } from '../runs/slot-id.ts';
import { slotsBetween } from '../workflow/schedule-policy.ts';
import type { Workflow } from '../workflow/types.ts';

/**
 * Slots of `workflow` after `slot`, up to `taken` (the newest {@link slotsBetween} keeps): `taken` is when a worker
 * took the job of `slot`, and BullMQ schedules the next job for the first slot after that moment, so none of these
 * ever gets a job of its own.
 */
export function slotsWithoutJob(workflow: Workflow, slot: Date, taken: Date): Date[] {
  return workflow.schedule ? slotsBetween(workflow.schedule, slot, taken) : [];
}

/** A slot to record, and why it does not run. */
export interface SlotNotRun {
  slot: Date;
  note: string;
}

/** Where records of slots that did not run go, and who hears of them. */
export interface NotRunTarget {
  lifecycle: RunLifecycle;
  notifier: Notifier;
  /** Backend and model names for the records (what a run would have used). */
  backend: string;
  model: string;
}

/**
 * Records each slot as a run with status `status` and its note, and tells the notifier of each record written.
 * Idempotent: the run id is the slot's, and a slot that has a record already is left as it is.
 */
export async function recordNotRun(target: NotRunTarget, workflow: Workflow, slots: readonly SlotNotRun[], status: 'missed' | 'skipped'): Promise<void> {
  for (const { slot, note } of slots) {
    const iso = slot.toISOString();
    const id = slotRunId(workflow.name, iso);
    const fields = {
      id,
      trigger: { type: 'schedule' as const, slot: iso },
      inputs: {},
      mode: workflow.mode,
      backend: target.backend,
      model: target.model,
      notes: [note],
    };
    const written = status === 'missed' ? await target.lifecycle.missed(workflow, fields) : await target.lifecycle.skipped(workflow, fields);
    if (!written) continue;
    const record = await target.lifecycle.store.get(id);
    if (record) await target.notifier.runEnded(record, workflow);
  }
}
