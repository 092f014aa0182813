/**
 * What `runner serve` writes for schedule slots it does not run (missed, skipped) and what it reads back at start
 * (the newest slot with a record). Every record goes through the lifecycle under the slot's run id
 * (`runs/slot-id.ts`), so one slot is one run in serve and in the queue.
 */
import type { RunLifecycle } from '../runs/lifecycle.ts';
import { slotRunId } from '../runs/slot-id.ts';
import type { RunRecord } from '../runs/types.ts';
import type { Workflow } from '../workflow/types.ts';

/** How many of a workflow's newest records start-up reads to find its newest slot. */
const HISTORY_READ = 200;

/** The backend and model a run uses when its workflow names none (the configuration's). */
export interface RunDefaults {
  backend: string;
  model: string;
}

/** The fields of a slot's record that do not depend on how the slot ended: what a run of it would have used. */
export function slotFields(workflow: Workflow, slot: string, defaults: RunDefaults, notes: string[] = []) {
  return {
    id: slotRunId(workflow.name, slot),
    trigger: { type: 'schedule' as const, slot },
    inputs: {},
    mode: workflow.mode,
    backend: workflow.tools.backend ?? defaults.backend,
    model: workflow.agent.model ?? defaults.model,
    notes,
  };
}

/**
 * Records `slot` as `missed` or `skipped` with `note`; returns the stored record, or undefined when the slot already
 * had one (the lifecycle's write is idempotent).
 */
export async function recordNotRun(
  lifecycle: RunLifecycle,
  workflow: Workflow,
  slot: string,
  defaults: RunDefaults,
  status: 'missed' | 'skipped',
  note: string,
): Promise<RunRecord | undefined> {
  const fields = slotFields(workflow, slot, defaults, [note]);
  const wrote = status === 'missed' ? await lifecycle.missed(workflow, fields) : await lifecycle.skipped(workflow, fields);
  return wrote ? lifecycle.store.get(fields.id) : undefined;
}

/**
 * The newest schedule slot of `workflow` that has a record of any status (among its newest records), or undefined
 * when it has none: a workflow never scheduled before has no slots to catch up.
 */
export async function newestRecordedSlot(lifecycle: RunLifecycle, workflow: string): Promise<Date | undefined> {
  let newest: number | undefined;
  for (const run of await lifecycle.store.list({ workflow, limit: HISTORY_READ })) {
    if (run.trigger.type !== 'schedule') continue;
    const at = Date.parse(run.trigger.slot);
    if (Number.isFinite(at) && (newest === undefined || at > newest)) newest = at;
  }
  return newest === undefined ? undefined : new Date(newest);
}

/** The note of a slot nothing ran: serve was down, its timer woke late (suspended or stalled), or it stopped first. */
export function missedNote(why: 'down' | 'stalled' | 'stopped', now: Date): string {
  const reason = {
    down: 'runner serve was not running',
    stalled: 'runner serve was suspended or stalled',
    stopped: 'runner serve stopped while the slot waited behind a run (overlap: queue)',
  }[why];
  return `nothing ran this slot: ${reason} (noticed at ${now.toISOString()})`;
}
