/** The workflow a recorded run ran, from its record: a resumed run goes on with exactly that text, whatever the file says now. */
import { UserError } from '../shared/errors.ts';
import { type LoadOptions, loadWorkflowText } from '../workflow/load.ts';
import type { Workflow } from '../workflow/types.ts';
import type { RunRecord } from './types.ts';

/** The recorded workflow text of `run`, validated again; a user error when it is not recorded or no longer validates. */
export function recordedWorkflow(run: RunRecord, options: LoadOptions): Workflow {
  if (!run.workflowSource) throw new UserError(`run ${run.id.slice(0, 8)} does not record the workflow text it ran, so it cannot go on`);
  const loaded = loadWorkflowText(run.workflowFile, run.workflowSource, options);
  if (!loaded.workflow) throw new UserError(`the workflow text run ${run.id.slice(0, 8)} ran no longer validates: ${loaded.diagnostics[0]?.message ?? ''}`);
  return loaded.workflow;
}
