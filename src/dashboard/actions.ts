/**
 * What the dashboard's buttons do, with the same rules as `runner approve`, `runner reject` and `runner rerun`: the
 * lifecycle records the decision (or refuses it), an expired wait fails the run instead, and a run whose calls are
 * all decided goes on through the {@link RunLauncher}.
 */
import { RunLifecycle } from '../runs/lifecycle.ts';
import { recordedWorkflow } from '../runs/recorded-workflow.ts';
import { planRerun } from '../runs/rerun.ts';
import type { RunStore } from '../runs/types.ts';
import type { SecretRegistry } from '../shared/secrets.ts';
import { UserError } from '../shared/errors.ts';
import type { LoadOptions } from '../workflow/load.ts';
import type { RunLauncher } from './launcher.ts';

/** The outcome of an action, for the page. */
export interface ActionOutcome {
  /** The run to show next (the re-run's, for a re-run). */
  runId: string;
  /** One sentence for the person. */
  text: string;
}

/** A decision from the run page. */
export interface DecisionRequest {
  approved: boolean;
  /** The held call numbers, or every undecided call. */
  calls: 'all' | number[];
  /** Who decided. */
  by: string;
  reason?: string;
}

/** The dashboard's actions on runs. */
export interface DashboardActions {
  decide(runId: string, request: DecisionRequest): Promise<ActionOutcome>;
  rerun(runId: string): Promise<ActionOutcome>;
}

/** What {@link createActions} works with. */
export interface ActionsOptions {
  store: RunStore;
  secrets: SecretRegistry;
  launcher: RunLauncher;
  loadOptions: LoadOptions;
}

/** The actions over a store and a launcher. */
export function createActions(options: ActionsOptions): DashboardActions {
  const lifecycle = new RunLifecycle(options.store, { secrets: options.secrets });
  const find = async (id: string) => {
    const run = await options.store.get(id);
    if (!run) throw new UserError(`no run with id '${id}'`);
    return run;
  };
  return {
    async decide(runId, request) {
      const run = await find(runId);
      if ((await lifecycle.expire(run.id)) !== undefined)
        throw new UserError(`the held calls of run ${run.id.slice(0, 8)} expired (approval.timeout); the run failed`);
      const { run: decided, undecided } = await lifecycle.decide(run.id, request.calls, {
        approved: request.approved,
        by: request.by,
        ...(request.reason ? { reason: request.reason } : {}),
      });
      const verb = request.approved ? 'approved' : 'rejected';
      const which = request.calls === 'all' ? 'every undecided call' : `call ${request.calls.join(', ')}`;
      if (undecided > 0) return { runId: run.id, text: `${verb} ${which}; ${undecided} call(s) still wait for a decision` };
      const next = await options.launcher.resume(recordedWorkflow(decided, options.loadOptions), decided);
      return { runId: run.id, text: `${verb} ${which}; ${next}` };
    },
    async rerun(runId) {
      const original = await find(runId);
      const plan = await planRerun(original, {}, options.loadOptions);
      const id = await options.launcher.rerun(plan, original);
      await lifecycle.noteRerun(original.id, id);
      return { runId: id, text: `re-run of ${original.id.slice(0, 8)} started${plan.notice ? ` (${plan.notice})` : ''}` };
    },
  };
}
