/**
 * `runner approve <run>` and `runner reject <run>`: a person's decision on the calls a waiting run holds. Once every
 * call is decided the run goes on: in queue mode (RUNNER_STORE=redis) a worker continues it; otherwise this process
 * does, with the usual progress and summary.
 */
import { UserError } from '../../shared/errors.ts';
import type { Workflow } from '../../workflow/types.ts';
import { recordedWorkflow } from '../../runs/recorded-workflow.ts';
import { notWaiting, RunLifecycle } from '../../runs/lifecycle.ts';
import type { RunRecord, RunStore } from '../../runs/types.ts';
import { currentWait, describeCall } from '../approvals.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { err, out, outJson, printable as p } from '../output.ts';
import { requireRun, withStore } from './runs.ts';

/** Flags of `runner approve` and `runner reject`. */
export interface DecideFlags {
  /** Held call numbers, as typed. */
  call?: string[];
  all?: boolean;
  reason?: string;
  by?: string;
  'no-prompt'?: boolean;
  json?: boolean;
}

/** Records the decision, then continues the run when nothing is left undecided. */
export async function decideCommand(id: string, approved: boolean, flags: DecideFlags): Promise<void> {
  const config = cliConfig();
  await withStore(async (store, queue) => {
    const run = await requireRun(store, id);
    const lifecycle = new RunLifecycle(store!, { secrets: config.secrets });
    // A wait past its expiry is ended here if no worker or serve got to it first.
    if ((await lifecycle.expire(run.id)) !== undefined)
      throw new UserError(`the held calls of run ${run.id.slice(0, 8)} expired (approval.timeout); the run failed`);
    const decided = await decide(run, approved, flags, lifecycle);
    const wait = decided.approvals!.at(-1)!;
    const undecided = wait.calls.filter((c) => !c.decision).length;
    if (undecided > 0) {
      err(`${undecided} call(s) still wait for a decision:`);
      for (const call of wait.calls.filter((c) => !c.decision)) for (const line of describeCall(call)) err(line);
      if (flags.json) outJson(decided);
      throw new ExitCode(EXIT.waiting);
    }
    const workflow = recordedWorkflow(decided, loadOptions());
    if (queue) {
      const { enqueueResume } = await import('../../queue/producer.ts');
      const jobId = await enqueueResume(queue, workflow, decided);
      if (flags.json) outJson({ runId: decided.id, resumed: 'queue', jobId });
      else out(`run ${decided.id} goes on in a worker (job ${jobId}); runner runs show ${decided.id.slice(0, 8)}`);
      return;
    }
    await resumeHere(workflow, decided, store!, flags);
  });
}

/**
 * Records the decision on the calls the flags name. A run whose calls are all decided already (whoever decided
 * them never resumed it: that process died, or its resume job was lost) is only resumed, when nothing is named.
 */
async function decide(run: RunRecord, approved: boolean, flags: DecideFlags, lifecycle: RunLifecycle): Promise<RunRecord> {
  const wait = currentWait(run);
  if (wait?.calls.every((c) => c.decision) && !flags.call?.length && !flags.all) {
    err(`every held call of run ${run.id.slice(0, 8)} was decided already; the run goes on`);
    return run;
  }
  const pick = picked(run, flags);
  const by = flags.by ?? (await import('../run-in-process.ts')).decider();
  const { run: decided } = await lifecycle.decide(run.id, pick, { approved, by, ...(flags.reason ? { reason: flags.reason } : {}) });
  const calls = decided.approvals!.at(-1)!.calls;
  for (const call of calls.filter((c) => c.decision?.by === by && (pick === 'all' || pick.includes(c.n)))) {
    err(`${approved ? 'approved' : 'rejected'} call ${call.n} (${p(call.tool)}) of run ${decided.id.slice(0, 8)}`);
  }
  return decided;
}

/** Which calls the flags name: --all, --call N…, or the only undecided call when there is just one. */
function picked(run: RunRecord, flags: DecideFlags): 'all' | number[] {
  const wait = currentWait(run);
  if (!wait) throw notWaiting(run);
  if (flags.all && flags.call?.length) throw new UserError('give --call N or --all, not both');
  if (flags.all) return 'all';
  if (flags.call?.length) {
    return flags.call.map((text) => {
      if (!/^\d+$/.test(text)) throw new UserError(`--call takes a held call's number, like --call 2, not '${text}'`);
      return Number(text);
    });
  }
  const open = wait.calls.filter((c) => !c.decision);
  if (open.length === 1) return [open[0]!.n];
  const list = open.map((c) => `${c.n} ${c.tool}`).join(', ');
  throw new UserError(`run ${run.id.slice(0, 8)} holds ${open.length} undecided calls (${list}); give --call N or --all`);
}

/** Continues the run in this process, with progress and summary, and the exit code of how it ends. */
async function resumeHere(workflow: Workflow, run: RunRecord, store: RunStore, flags: DecideFlags): Promise<void> {
  const { runInProcess } = await import('../run-in-process.ts');
  await runInProcess(workflow, { runId: run.id, resume: true }, { config: cliConfig(), store, json: flags.json, prompt: !flags['no-prompt'] });
}
