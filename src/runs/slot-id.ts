/** The run id of a schedule slot, the same in `runner serve`, every worker and a backfill. */
import { createHash } from 'node:crypto';

/**
 * The run id of a workflow's schedule slot: the same for every scheduler and worker, so one slot can only ever be
 * one run (a UUID-shaped digest of the workflow name and the slot time).
 */
export function slotRunId(workflow: string, slot: string): string {
  const hex = createHash('sha256').update(`${workflow}\n${slot}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
