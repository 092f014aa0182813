/**
 * Which notification events a run's end is: the one owner of that rule.
 * - succeeded → `succeeded`, and `recovered` too when the workflow's previous ended run (the latest succeeded or
 *   failed run that ended before this one) failed
 * - failed → `failed`; waiting → `waiting`; missed → `missed`; skipped → `skipped`
 * - cancelled (someone stopped it), and runs not ended → none
 */
import type { RunRecord, RunStore } from '../runs/types.ts';
import type { NotifyEvent } from '../workflow/types.ts';

/** How many of a workflow's latest runs are looked through for the one before a run (for `recovered`). */
const LOOKBACK = 50;

/** The events `run`'s end is, in the order they are sent. */
export async function eventsOfEnd(run: RunRecord, store: Pick<RunStore, 'list'>): Promise<NotifyEvent[]> {
  switch (run.status) {
    case 'succeeded':
      return (await previousEnded(run, store))?.status === 'failed' ? ['succeeded', 'recovered'] : ['succeeded'];
    case 'failed':
    case 'waiting':
    case 'missed':
    case 'skipped':
      return [run.status];
    default:
      return [];
  }
}

/** The workflow's latest run other than `run` that succeeded or failed and ended no later than `run` did. */
export async function previousEnded(run: RunRecord, store: Pick<RunStore, 'list'>): Promise<RunRecord | undefined> {
  const own = endOf(run);
  let found: RunRecord | undefined;
  for (const other of await store.list({ workflow: run.workflow, limit: LOOKBACK })) {
    if (other.id === run.id || (other.status !== 'succeeded' && other.status !== 'failed')) continue;
    const at = endOf(other);
    if (at <= own && (!found || at > endOf(found))) found = other;
  }
  return found;
}

/** When a run ended, ms (its creation when it never recorded an end). */
function endOf(run: RunRecord): number {
  return Date.parse(run.endedAt ?? run.createdAt);
}
