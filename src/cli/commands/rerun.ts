import type { RunnerConfig } from '../../config/config.ts';
import type { RunLifecycle } from '../../runs/lifecycle.ts';
import type { RerunPlan } from '../../runs/rerun.ts';
import type { RunRecord, RunStore } from '../../runs/types.ts';
import { UserError } from '../../shared/errors.ts';
import { parseInputFlags } from '../../workflow/inputs.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { err, out, outJson, printable as p } from '../output.ts';
import type { QueueContext } from '../queue-context.ts';
import { requireRun, withStore } from './runs.ts';

/** Flags of `runner rerun`. */
export interface RerunFlags {
  /** `name=value` overrides of the original's inputs. */
  input: string[];
  /** Simulate writes (in-process only). */
  preview?: boolean;
  /** Queue the re-run for the workers instead of running it here. */
  enqueue?: boolean;
  /** Never ask about held calls here: a waiting re-run exits 3. */
  'no-prompt'?: boolean;
  json?: boolean;
}

/**
 * `runner rerun <id>`: a new run of the workflow text a recorded run ran, with its inputs (overridable) and its
 * `run.scheduled_at`, linked both ways. The original is read from the store `runner runs show` reads; the re-run
 * runs here into RUNNER_DB, like `runner run`, or with --enqueue goes through the queue into the shared store.
 */
export async function rerunCommand(id: string, flags: RerunFlags): Promise<void> {
  if (flags.preview && flags.enqueue) throw new UserError('--preview re-runs in this process only; drop --enqueue (or --preview)');
  const config = cliConfig();
  const overrides = parseInputFlags(flags.input);
  const [{ planRerun }, { RunLifecycle }] = await Promise.all([import('../../runs/rerun.ts'), import('../../runs/lifecycle.ts')]);
  await withStore(async (store, queue) => {
    const original = await requireRun(store, id);
    const plan = await planRerun(original, overrides, loadOptions());
    if (plan.notice) err(`rerun: ${p(plan.notice)}`);
    // The original's store keeps its list of re-runs, wherever the re-run itself is recorded.
    const links = new RunLifecycle(store!, { secrets: config.secrets });
    const target: Target = { config, original, plan, links, flags };
    if (flags.enqueue) await enqueueRerun(target, queue && { queue, store: store! });
    else await runHere(target, config.store === 'redis' ? undefined : store);
  });
}

/** What both ways of re-running need. */
interface Target {
  config: RunnerConfig;
  original: RunRecord;
  plan: RerunPlan;
  /** The lifecycle over the original's store, for the link to the re-run. */
  links: RunLifecycle;
  flags: RerunFlags;
}

/** Runs the re-run in this process into `store` (default: a RUNNER_DB store of its own), as `runner run` does. */
async function runHere({ config, original, plan, links, flags }: Target, store: RunStore | undefined): Promise<void> {
  const [{ openSqliteRunStore }, { runInProcess }] = await Promise.all([import('../../runs/sqlite-store.ts'), import('../run-in-process.ts')]);
  const own = store ? undefined : openSqliteRunStore(config.dbPath);
  let noted: Promise<boolean> | undefined;
  try {
    await runInProcess(
      plan.workflow,
      { inputs: plan.inputs, trigger: plan.trigger, scheduledAt: plan.scheduledAt, preview: flags.preview },
      {
        config,
        store: (store ?? own)!,
        json: flags.json,
        prompt: !flags['no-prompt'],
        // Linked once the re-run exists: a run refused before it started (no model configured) leaves no link.
        onEvent: (event) => {
          if (event.type === 'run_start') noted ??= links.noteRerun(original.id, event.run.id);
        },
      },
    );
  } finally {
    await noted;
    await own?.close();
  }
}

/** Queues the re-run (a `queued` record in the shared store, then its job); prints its run id. */
async function enqueueRerun({ config, original, plan, links, flags }: Target, shared: Pick<QueueContext, 'queue' | 'store'> | undefined): Promise<void> {
  const [{ queueLauncher }, { RunLifecycle }, { openQueueContext }] = await Promise.all([
    import('../queue-launcher.ts'),
    import('../../runs/lifecycle.ts'),
    import('../queue-context.ts'),
  ]);
  const context = shared ? undefined : await openQueueContext(config);
  const { queue, store } = (shared ?? context)!;
  let runId: string;
  try {
    runId = await queueLauncher(queue, new RunLifecycle(store, { secrets: config.secrets }), config).rerun(plan, original);
    await links.noteRerun(original.id, runId);
  } finally {
    await context?.close();
  }
  if (flags.json) outJson({ runId, workflow: plan.workflow.name, rerunOf: original.id });
  else out(runId);
}
