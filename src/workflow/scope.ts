import type { InputValues } from './inputs.ts';
import type { Workflow } from './types.ts';

/** Facts about one run that templates can read as `run.*`. */
export interface RunFacts {
  id: string;
  /** ISO timestamp of the schedule slot, or of the start for manual runs (`--at` and re-runs set it). */
  scheduled_at: string;
  started_at: string;
  /** `manual`, `schedule` or `rerun`. */
  trigger: string;
  attempt: number;
}

/** The variables a template sees: inputs, run, workflow and the outputs of steps done so far. */
export function templateScope(workflow: Workflow, inputs: InputValues, run: RunFacts, outputs: Record<string, unknown> = {}): object {
  const steps: Record<string, { output: unknown }> = {};
  for (const [id, output] of Object.entries(outputs)) steps[id] = { output };
  return {
    inputs,
    run,
    workflow: { name: workflow.name, description: workflow.description ?? '', timezone: workflow.timezone },
    steps,
  };
}
