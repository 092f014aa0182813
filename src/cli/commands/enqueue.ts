import { parseInputFlags, resolveInputs } from '../../workflow/inputs.ts';
import { loadWorkflow } from '../../workflow/load.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { out, outJson } from '../output.ts';
import { openQueueContext } from '../queue-context.ts';

/** Flags of `runner enqueue`. */
export interface EnqueueFlags {
  input: string[];
  json?: boolean;
}

/** `runner enqueue <file>`: a manual run through the queue (a worker picks it up); prints the run id. */
export async function enqueueCommand(file: string, flags: EnqueueFlags): Promise<void> {
  const config = cliConfig();
  const workflow = await loadWorkflow(file, loadOptions());
  const given = parseInputFlags(flags.input);
  const resolved = resolveInputs(workflow, given);
  const [{ enqueueRun }, { RunLifecycle }] = await Promise.all([import('../../queue/producer.ts'), import('../../runs/lifecycle.ts')]);
  const context = await openQueueContext(config);
  let runId: string;
  try {
    runId = await enqueueRun(context.queue, new RunLifecycle(context.store, { secrets: config.secrets }), workflow, {
      inputs: given,
      resolved,
      backend: workflow.tools.backend ?? config.backend,
      model: workflow.agent.model ?? config.model,
    });
  } finally {
    await context.close();
  }
  if (flags.json) outJson({ runId, workflow: workflow.name });
  else out(runId);
}
