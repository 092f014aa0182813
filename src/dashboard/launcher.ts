/**
 * Where the runs the dashboard continues or starts go on. In queue mode the CLI injects a launcher that queues a job
 * any worker takes (as `runner approve` and `runner rerun --enqueue` do, `cli/queue-launcher.ts`); without Redis,
 * {@link localLauncher} runs them in this process in the background with the engine, as `runner serve` runs its
 * slots, and tells the workflow's notify rules how they ended.
 */
import { randomUUID } from 'node:crypto';
import type { RunnerConfig } from '../config/config.ts';
import type { BackendOpener } from '../backends/types.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { RerunPlan } from '../runs/rerun.ts';
import type { RunRecord } from '../runs/types.ts';
import type { Workflow } from '../workflow/types.ts';

/** Starts and continues runs for the dashboard. */
export interface RunLauncher {
  /** Continues `run` (waiting, every held call decided); answers a sentence for the person. */
  resume(workflow: Workflow, run: RunRecord): Promise<string>;
  /** Starts the re-run `plan` of `original`; answers its run id once its record exists (the caller links the two). */
  rerun(plan: RerunPlan, original: RunRecord): Promise<string>;
  /** Lets runs this process started finish for at most `graceMs`, then cancels them; safe to call twice. */
  close(graceMs: number): Promise<void>;
}

/** What {@link localLauncher} runs with. */
export interface LocalLauncherOptions {
  config: RunnerConfig;
  lifecycle: RunLifecycle;
  /** Opens tool backends (default: the engine's own; the CLI passes its process-wide opener). */
  openBackend?: BackendOpener;
  /** Told how each run ended. */
  notifier: Notifier;
  /** One line per run that could not start or ended in error (default: nothing). */
  log?: (line: string) => void;
}

/** Without Redis: runs in this process, in the background (the page answers at once and updates live). */
export function localLauncher(options: LocalLauncherOptions): RunLauncher {
  const inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  let closing: Promise<void> | undefined;
  const start = async (workflow: Workflow, runOptions: Parameters<typeof import('../engine/run-workflow.ts').runWorkflow>[1]): Promise<void> => {
    if (closing) throw new Error('the dashboard is shutting down; try again once it is back');
    const { runWorkflow } = await import('../engine/run-workflow.ts');
    const abort = new AbortController();
    const id = runOptions.runId!;
    let started!: () => void;
    const begun = new Promise<void>((resolve) => {
      started = resolve;
    });
    const done = runWorkflow(
      workflow,
      { ...runOptions, signal: abort.signal },
      {
        config: options.config,
        store: options.lifecycle.store,
        openBackend: options.openBackend,
        onEvent: (event) => {
          if (event.type === 'run_start') started();
        },
      },
    ).then(
      async (run) => {
        if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'waiting') await options.notifier.runEnded(run, workflow);
      },
      (error: unknown) => options.log?.(`run ${id.slice(0, 8)} (${workflow.name}) could not go on: ${(error as Error).message}`),
    );
    inFlight.set(id, { abort, done: done.finally(() => inFlight.delete(id)) });
    // Answer once the record exists (or the run ended before saying it started: refused at once).
    await Promise.race([begun, done]);
  };
  return {
    async resume(workflow, run) {
      await start(workflow, { runId: run.id, resume: true });
      return `run ${run.id.slice(0, 8)} goes on here`;
    },
    async rerun(plan) {
      const runId = randomUUID();
      await start(plan.workflow, { runId, inputs: plan.inputs, trigger: plan.trigger, scheduledAt: plan.scheduledAt });
      return runId;
    },
    close(graceMs) {
      closing ??= (async () => {
        const all = () => Promise.all([...inFlight.values()].map((r) => r.done));
        const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
        if ((await Promise.race([all(), timer])) === 'late') {
          for (const run of inFlight.values()) run.abort.abort();
          await all();
        }
        await options.notifier.drain(5000);
      })();
      return closing;
    },
  };
}
