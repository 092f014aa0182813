/**
 * `runner schedule backfill`: the slots of a time range that never ran, planned against the run records, then
 * queued for the workers (RUNNER_STORE=redis) or run here one after another.
 */
import { existsSync } from 'node:fs';
import type { RunnerConfig } from '../../config/config.ts';
import type { RunRecord, RunStatus, RunStore } from '../../runs/types.ts';
import { UserError } from '../../shared/errors.ts';
import { nextFireTimes } from '../../workflow/fire-times.ts';
import { loadWorkflow } from '../../workflow/load.ts';
import type { ScheduleSpec, Workflow } from '../../workflow/types.ts';
import { cliBackends, cliConfig, loadOptions } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { err, out, outJson, paint, printable } from '../output.ts';
import { openQueueContext, type QueueContext } from '../queue-context.ts';
import { describePause, osUser } from './schedule.ts';

/** Flags of `runner schedule backfill`. */
export interface ScheduleBackfillFlags {
  from?: string;
  to?: string;
  'dry-run'?: boolean;
  json?: boolean;
}

/** The most slots one backfill takes on. */
export const MAX_BACKFILL = 1000;

/** What a backfill does with one slot. */
export interface BackfillSlot {
  /** ISO time of the slot. */
  slot: string;
  runId: string;
  /**
   * `run`: nothing ran it (no record, or recorded missed or skipped): run or queue it now; `ran`: its run exists and
   * is not run again; `queued`: a job for it is already in the queue.
   */
  action: 'run' | 'ran' | 'queued';
  /** The status of its record before the backfill, when it had one. */
  was?: RunStatus;
  /** The status after the backfill ran it (single-process mode), or `queued` once its job is added. */
  status?: RunStatus;
}

/**
 * `runner schedule backfill <file> --from --to`: every slot of the workflow's schedule in [from, to] (not after
 * now, at most {@link MAX_BACKFILL}) that never ran, oldest first. With RUNNER_STORE=redis each is queued for the
 * workers under its slot run id (a second backfill adds nothing); otherwise they run here, one after another, with
 * the engine of `runner run`, into RUNNER_DB. A slot whose run exists (and is not missed or skipped) is not run again.
 */
export async function scheduleBackfillCommand(file: string, flags: ScheduleBackfillFlags): Promise<void> {
  const config = cliConfig();
  const workflow = await loadWorkflow(file, loadOptions());
  if (!workflow.schedule) throw new UserError(`${workflow.file}: ${workflow.name} has no schedule, so it has no slots to backfill`);
  const from = parseTime('--from', flags.from);
  const to = parseTime('--to', flags.to);
  if (from.getTime() > to.getTime()) throw new UserError(`--from (${flags.from}) is after --to (${flags.to})`);
  const now = new Date();
  const upTo = to.getTime() > now.getTime() ? now : to;
  const found = slotsIn(workflow.schedule, from, upTo, MAX_BACKFILL + 1);
  const cut = found.length > MAX_BACKFILL;
  const slots = found.slice(0, MAX_BACKFILL);
  const scheduled = workflow as Workflow & { schedule: ScheduleSpec };
  const queueMode = config.store === 'redis';
  const dryRun = flags['dry-run'] === true;

  const plan = await withRunStore(config, !dryRun, async (store, context) => {
    const { slotRunId } = await import('../../runs/slot-id.ts');
    const planned: BackfillSlot[] = [];
    for (const at of slots) {
      const slot = at.toISOString();
      const runId = slotRunId(workflow.name, slot);
      const record = await store?.get(runId);
      planned.push({ slot, runId, ...(await backfillAction(record, runId, context)), ...(record && { was: record.status }) });
    }
    if (dryRun) return planned;
    if (context) await enqueueAll(config, context, scheduled, planned);
    else await runAll(config, store!, scheduled, planned, flags.json === true);
    return planned;
  });

  const notes: string[] = [];
  if (to.getTime() > now.getTime()) notes.push(`slots after now (${now.toISOString()}) are left to the schedule`);
  if (cut) notes.push(`only the first ${MAX_BACKFILL} slots were taken (up to ${slots.at(-1)!.toISOString()}); backfill again from there for the rest`);
  const pending = plan.filter((p) => p.action === 'run');
  if (flags.json) {
    outJson({
      workflow: workflow.name,
      file: workflow.file,
      from: from.toISOString(),
      to: upTo.toISOString(),
      mode: queueMode ? 'queue' : 'local',
      dryRun,
      cut,
      slots: plan,
    });
  } else {
    out(
      printable(
        `backfill ${workflow.name}: ${plan.length} slot(s) from ${from.toISOString()} to ${upTo.toISOString()} (${workflow.schedule.cron}, ${workflow.schedule.timezone})`,
      ),
    );
    for (const p of plan) out(`  ${p.slot}  ${describeSlot(p, dryRun, queueMode)}  ${paint('dim', `run ${p.runId.slice(0, 8)}`)}`);
    const verb = dryRun ? (queueMode ? 'would queue' : 'would run') : queueMode ? 'queued for the workers' : 'ran';
    out(`${dryRun ? 'dry run: ' : ''}${verb} ${pending.length} slot(s); ${plan.length - pending.length} left alone (ran or queued already)`);
  }
  for (const note of notes) err(`note: ${note}`);
  if (!dryRun && !queueMode) {
    if (pending.some((p) => p.status !== 'succeeded' && p.status !== 'waiting')) throw new ExitCode(EXIT.failed);
    if (pending.some((p) => p.status === 'waiting')) throw new ExitCode(EXIT.waiting);
  }
}

/** What a backfill does with a slot, given its record (and, in queue mode, the queue). */
async function backfillAction(record: RunRecord | undefined, runId: string, context: QueueContext | undefined): Promise<Pick<BackfillSlot, 'action'>> {
  if (record && record.status !== 'missed' && record.status !== 'skipped') return { action: record.status === 'queued' ? 'queued' : 'ran' };
  if (context) {
    const { isPending } = await import('../../queue/producer.ts');
    if (await isPending(context.queue, runId)) return { action: 'queued' };
  }
  return { action: 'run' };
}

/** Queue mode: a job per slot to run, named by its run id (see `enqueueSlot`). */
async function enqueueAll(config: RunnerConfig, context: QueueContext, workflow: Workflow, plan: BackfillSlot[]): Promise<void> {
  const [{ enqueueSlot }, { RunLifecycle }, { resolveInputs }] = await Promise.all([
    import('../../queue/producer.ts'),
    import('../../runs/lifecycle.ts'),
    import('../../workflow/inputs.ts'),
  ]);
  const lifecycle = new RunLifecycle(context.store, { secrets: config.secrets });
  const note = backfillNote();
  const resolved = resolveInputs(workflow, {});
  for (const p of plan) {
    if (p.action !== 'run') continue;
    const added = await enqueueSlot(context.queue, lifecycle, workflow, p.slot, {
      note,
      resolved,
      backend: workflow.tools.backend ?? config.backend,
      model: workflow.agent.model ?? config.model,
    });
    if (added) p.status = 'queued';
    else p.action = 'queued';
  }
  const { openRedisPauseStore } = await import('../../schedules/pauses.ts');
  const pause = await openRedisPauseStore(context.redis, config.queue.prefix).paused(workflow.name);
  if (pause && plan.some((p) => p.status === 'queued'))
    err(printable(`note: ${workflow.name} is paused (${describePause(pause)}); backfilled slots run anyway`));
}

/**
 * Single-process mode: the slots run here, oldest first, each as `runner run` runs a workflow (progress, summary;
 * with --json quietly, the records in the final report). A slot that has no record gets a `queued` one with the
 * backfill note just before it runs. Ctrl-C cancels the slot running and stops the backfill.
 */
async function runAll(config: RunnerConfig, store: RunStore, workflow: Workflow, plan: BackfillSlot[], json: boolean): Promise<void> {
  const [{ RunLifecycle }, { resolveInputs }, { runInProcess }] = await Promise.all([
    import('../../runs/lifecycle.ts'),
    import('../../workflow/inputs.ts'),
    import('../run-in-process.ts'),
  ]);
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
  const note = backfillNote();
  for (const p of plan) {
    if (p.action !== 'run') continue;
    const trigger = { type: 'schedule' as const, slot: p.slot };
    if (!p.was) {
      await lifecycle.queue(workflow, {
        id: p.runId,
        trigger,
        inputs: resolveInputs(workflow, {}),
        mode: workflow.mode,
        backend: workflow.tools.backend ?? config.backend,
        model: workflow.agent.model ?? config.model,
        notes: [note],
      });
    }
    if (json) {
      p.status = (await runQuietly(config, store, workflow, p.runId, trigger)).status;
      if (p.status === 'cancelled') throw new ExitCode(130);
      continue;
    }
    out(paint('bold', `slot ${p.slot}`));
    try {
      p.status = (await runInProcess(workflow, { runId: p.runId, trigger }, { config, store, prompt: false })).status;
    } catch (error) {
      if (!(error instanceof ExitCode)) throw error;
      p.status = (await store.get(p.runId))?.status ?? 'failed';
      // Ctrl-C: the slot running was cancelled (recorded); the later ones are left for another backfill.
      if (p.status === 'cancelled' || error.code === 130) throw error;
    }
  }
}

/** One slot's run with no printing (for --json): the engine of `runner run`, Ctrl-C cancelling it. */
async function runQuietly(
  config: RunnerConfig,
  store: RunStore,
  workflow: Workflow,
  runId: string,
  trigger: { type: 'schedule'; slot: string },
): Promise<RunRecord> {
  const { runWorkflow } = await import('../../engine/run-workflow.ts');
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runWorkflow(workflow, { runId, trigger, signal: cancel.signal }, { config, store, openBackend: cliBackends() });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The slots of `schedule` in [from, upTo], oldest first, at most `max`. */
function slotsIn(schedule: ScheduleSpec, from: Date, upTo: Date, max: number): Date[] {
  // Fire times strictly after `from - 1 ms`: a slot at `from` itself counts.
  return nextFireTimes(schedule.cron, schedule.timezone, new Date(from.getTime() - 1), max).filter((t) => t.getTime() <= upTo.getTime());
}

function describeSlot(p: BackfillSlot, dryRun: boolean, queueMode: boolean): string {
  if (p.action === 'ran') return paint('dim', `ran already (${p.was}); not run again`);
  if (p.action === 'queued') return paint('dim', 'queued already');
  const was = p.was ? ` (was ${p.was})` : '';
  if (dryRun) return `${queueMode ? 'would queue' : 'would run'}${was}`;
  if (queueMode) return `queued${was}`;
  const status = p.status ?? 'not run';
  return `${paint(status === 'succeeded' ? 'green' : status === 'waiting' ? 'yellow' : 'red', status)}${was}`;
}

/** What a backfilled run's record says of it. */
function backfillNote(): string {
  return `backfilled by ${osUser()} at ${new Date().toISOString()} (runner schedule backfill)`;
}

function parseTime(flag: string, text: string | undefined): Date {
  if (text === undefined) throw new UserError(`${flag} is required: an ISO time like 2026-11-01T00:00:00Z`);
  const at = new Date(text);
  if (text.trim() === '' || Number.isNaN(at.getTime())) throw new UserError(`${flag} '${text}' is not a date; use an ISO time like 2026-11-01T00:00:00Z`);
  return at;
}

/**
 * Runs `fn` on the configured run store: the shared one (and its queue) with RUNNER_STORE=redis, else RUNNER_DB's,
 * which only a `write` creates (an absent file is no store, hence no records).
 */
async function withRunStore<T>(config: RunnerConfig, write: boolean, fn: (store: RunStore | undefined, context?: QueueContext) => Promise<T>): Promise<T> {
  if (config.store === 'redis') {
    const context = await openQueueContext(config);
    try {
      return await fn(context.store, context);
    } finally {
      await context.close();
    }
  }
  if (!write && !existsSync(config.dbPath)) return fn(undefined);
  const { openSqliteRunStore } = await import('../../runs/sqlite-store.ts');
  const store = openSqliteRunStore(config.dbPath);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
