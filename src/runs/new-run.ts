/** The record a run starts with, before any attempt: one shape for `runner run`, `enqueue` and missed slots. */
import type { Workflow } from '../workflow/types.ts';
import type { RunRecord } from './types.ts';

/** What differs between new runs. */
export type NewRunFields = Pick<RunRecord, 'id' | 'trigger' | 'inputs' | 'status' | 'mode' | 'backend' | 'model' | 'createdAt'> &
  Partial<Pick<RunRecord, 'notes'>>;

/** A run record of `workflow` with no attempts, outputs, links or usage yet. */
export function newRunRecord(workflow: Workflow, fields: NewRunFields): RunRecord {
  return {
    workflow: workflow.name,
    workflowHash: workflow.hash,
    workflowFile: workflow.file,
    notes: [],
    ...fields,
    attempts: [],
    outputs: {},
    links: [],
    usage: { requests: 0, inputTokens: 0, outputTokens: 0 },
  };
}
