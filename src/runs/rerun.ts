/**
 * What a re-run of a recorded run runs (`runner rerun`): the workflow text the run ran, validated again, its inputs
 * with the overrides given, and the `run.scheduled_at` it had. The workflow file is read only to tell whether it
 * changed since, or, for records made before runs kept their text, to run it when it is the very text recorded.
 */
import { createHash } from 'node:crypto';
import { UserError, WorkflowInvalidError } from '../shared/errors.ts';
import { type InputValues, resolveInputs } from '../workflow/inputs.ts';
import { type LoadOptions, loadWorkflowText, readWorkflowSource, type SourceRead } from '../workflow/load.ts';
import type { Workflow } from '../workflow/types.ts';
import { OPEN_STATUSES } from './lifecycle.ts';
import type { RunRecord, RunTrigger } from './types.ts';

/** A re-run, ready to start. */
export interface RerunPlan {
  /** The recorded text, validated again (its hash is the original's). */
  workflow: Workflow;
  /** The original's inputs with the overrides on top, as given (strings are converted when the run resolves them). */
  inputs: Record<string, unknown>;
  /** {@link inputs} resolved against the workflow (checked before anything is written). */
  resolved: InputValues;
  trigger: Extract<RunTrigger, { type: 'rerun' }>;
  /** The original's `run.scheduled_at`. */
  scheduledAt: Date;
  /** One line for the person when the file no longer holds the text that runs (undefined: it does). */
  notice?: string;
}

/**
 * Plans a re-run of `original` with `overrides` (input values by name). A user error when the original has not
 * ended, when the text it ran is neither recorded nor in its file any more, or when overrides do not fit; the
 * workflow's diagnostics when the text no longer validates.
 */
export async function planRerun(original: RunRecord, overrides: Record<string, unknown>, options: LoadOptions): Promise<RerunPlan> {
  const id = original.id.slice(0, 8);
  if (OPEN_STATUSES.includes(original.status)) {
    throw new UserError(`run ${id} is ${original.status}; re-run it once it has ended (\`runner runs --repair\` closes runs whose process or job is gone)`);
  }
  const file = original.workflowFile;
  const read = await readWorkflowSource(file);
  const fileHolds = read.ok && sha256(read.text) === original.workflowHash;
  const recorded = original.workflowSource !== undefined && sha256(original.workflowSource) === original.workflowHash ? original.workflowSource : undefined;
  const text = recorded ?? (fileHolds && read.ok ? read.text : undefined);
  if (text === undefined) {
    throw new UserError(`run ${id} cannot be re-run: the workflow text it ran is not recorded, and ${file} ${fileState(read)} since`);
  }
  const loaded = loadWorkflowText(file, text, options);
  if (!loaded.workflow) throw new WorkflowInvalidError(loaded.diagnostics);
  const inputs = { ...original.inputs, ...overrides };
  return {
    workflow: loaded.workflow,
    inputs,
    resolved: resolveInputs(loaded.workflow, inputs),
    trigger: { type: 'rerun', of: original.id },
    scheduledAt: new Date(scheduledAtOf(original)),
    ...(!fileHolds && { notice: `${file} ${fileState(read)} since run ${id}; running the recorded text` }),
  };
}

/** What a run's templates saw as `run.scheduled_at`: the one it was given, else its schedule slot, else its start. */
export function scheduledAtOf(run: Pick<RunRecord, 'scheduledAt' | 'trigger' | 'startedAt' | 'createdAt'>): string {
  return run.scheduledAt ?? (run.trigger.type === 'schedule' ? run.trigger.slot : (run.startedAt ?? run.createdAt));
}

/** How the file differs from the recorded text: changed, or not readable (missing, a folder, ...). */
function fileState(read: SourceRead): string {
  return read.ok ? 'changed' : `became unreadable (${read.problem})`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
