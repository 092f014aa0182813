/**
 * What a schedule job's slot does before anything runs, in queue mode, with the same policies as `runner serve`
 * (decided by `workflow/schedule-policy.ts`): a paused workflow's slot is recorded as skipped; a late slot is run
 * or recorded as missed as `schedule.catchup` says, and other late slots the policy runs get jobs of their own; a
 * slot that comes while the workflow's previous run goes on is skipped, waits its turn or runs at once, as
 * `schedule.overlap` says.
 */
import { DelayedError, type Job, type Queue } from 'bullmq';
import { type PauseStore, pausedNote } from '../schedules/pauses.ts';
import { slotRunId } from '../runs/slot-id.ts';
import { formatDuration } from '../shared/duration.ts';
import { LATE_TOLERANCE_MS, overlapAction, overlapNote as overlapNoteOf, planSlots } from '../workflow/schedule-policy.ts';
import type { ScheduleSpec, Workflow } from '../workflow/types.ts';
import type { InFlightRuns } from './in-flight.ts';
import { type NotRunTarget, recordNotRun, slotsWithoutJob } from './missed.ts';
import { jobData, KEEP_JOBS, retryOptions, type RunJobData } from './payload.ts';

/** Longest pause between two looks of a slot that waits for the previous run (`overlap: queue`), ms. */
export const MAX_RECHECK_MS = 5000;

/** What the gate needs: the parts of the processor's options it uses. */
export interface SlotGateDeps {
  now: () => Date;
  /** Paused schedules (default: none paused). */
  pauses?: PauseStore;
  /** The runs in flight (default: none tracked, so a slot never waits or is skipped for another run). */
  inFlight?: InFlightRuns;
  /** Where catch-up jobs go. */
  queue?: Queue<RunJobData>;
  /** Where records of slots that do not run go, and who hears of them. */
  target: NotRunTarget;
  log: (line: string) => void;
}

/** One schedule job's slot, nothing having begun its run yet. */
export interface SlotJob {
  job: Job<RunJobData>;
  token?: string;
  workflow: Workflow & { schedule: ScheduleSpec };
  /** The slot, ISO. */
  slot: string;
  runId: string;
}

/** How the gate let a slot through, or what it recorded instead. */
export type Admission = { run: true } | { run: false; status: 'missed' | 'skipped' };

/**
 * Decides what the slot does now. `{run: true}`: the slot runs, and its run is counted in flight (the caller
 * releases it). `{run: false}`: the slot was recorded (missed or skipped) and the job is done. Throws BullMQ's
 * DelayedError after moving the job back to wait for the previous run (`overlap: queue`): no attempt is used.
 */
export async function admitSlot(deps: SlotGateDeps, s: SlotJob): Promise<Admission> {
  const { job, workflow } = s;
  const origin = job.data.origin;
  const slot = new Date(s.slot);
  // A scheduler's own job, fresh: its lateness is still to be judged (a job that carries its slot was decided on).
  const fresh = job.data.slot === undefined;

  // A backfill is a person's explicit request: a pause holds back the schedule, not that.
  const pause = origin === 'backfill' ? undefined : await deps.pauses?.paused(workflow.name);
  if (pause) {
    const slots = fresh ? [slot, ...slotsWithoutJob(workflow, slot, takenAt(job, deps.now()))] : [slot];
    await recordNotRun(
      deps.target,
      workflow,
      slots.map((at) => ({ slot: at, note: pausedNote(pause) })),
      'skipped',
    );
    return { run: false, status: 'skipped' };
  }

  if (fresh && !(await catchUp(deps, s))) return { run: false, status: 'missed' };

  if (!deps.inFlight) return { run: true };
  const other = await deps.inFlight.claim(workflow.name, s.runId, workflow.schedule.overlap === 'allow' ? 'beside' : 'alone');
  if (!other) return { run: true };
  // A slot already decided on (caught up, backfilled, or waiting its turn) is never dropped for a run going on; nor
  // is one whose own run counts as in flight (another job of the same slot, or a dead worker's claim not lapsed yet).
  const action = fresh && other !== s.runId ? overlapAction(workflow.schedule, true) : 'queue';
  if (action === 'skip') {
    await recordNotRun(deps.target, workflow, [{ slot, note: await overlapNote(deps, other) }], 'skipped');
    return { run: false, status: 'skipped' };
  }
  const waits = (job.data.waits ?? 0) + 1;
  if (waits === 1) deps.log(`${workflow.name} slot ${s.slot} waits for run ${other} to end (overlap: ${workflow.schedule.overlap})`);
  await job.updateData({ ...job.data, slot: s.slot, origin: origin ?? 'overlap', waits });
  await job.moveToDelayed(Date.now() + recheckDelay(waits), s.token);
  throw new DelayedError();
}

/**
 * The catch-up policy for a scheduler's job: its slot and those BullMQ gave no job (they passed before the job was
 * taken) are planned together; the slots the plan leaves out are recorded as missed, those it runs other than this
 * job's own get jobs named by their run id (so they run once, whoever notices them). True when this job's own slot
 * runs.
 */
async function catchUp(deps: SlotGateDeps, s: SlotJob): Promise<boolean> {
  const { workflow, job } = s;
  const now = deps.now();
  const slot = new Date(s.slot);
  const plan = planSlots(workflow.schedule, [slot, ...slotsWithoutJob(workflow, slot, takenAt(job, now))], now);
  const policy = `catchup: ${workflow.schedule.catchup}, catchup_window: ${formatDuration(workflow.schedule.catchupWindowMs)}`;
  await recordNotRun(
    deps.target,
    workflow,
    plan.missed.map((at) => ({ slot: at, note: missedNote(at, slot, now, policy) })),
    'missed',
  );
  if (plan.missed.length) deps.log(`${workflow.name}: recorded ${plan.missed.length} slot(s) as missed (${policy})`);
  const others = plan.run.filter((at) => at.getTime() !== slot.getTime());
  if (others.length && !deps.queue) throw new Error('catching up slots needs the runs queue (ProcessorOptions.queue)');
  for (const at of others) {
    const iso = at.toISOString();
    const jobId = slotRunId(workflow.name, iso);
    // BullMQ adds nothing when a job of this id exists: a slot several workers notice still runs once.
    await deps.queue!.add(workflow.name, jobData(workflow, { slot: iso, origin: 'catchup' }), { jobId, ...retryOptions(workflow), ...KEEP_JOBS });
    deps.log(`${workflow.name}: catching up slot ${iso} (job ${jobId})`);
  }
  return plan.run.some((at) => at.getTime() === slot.getTime());
}

/** When a worker took the job: BullMQ scheduled the scheduler's next job for the first slot after that moment. */
function takenAt(job: Job<RunJobData>, now: Date): Date {
  return job.processedOn ? new Date(job.processedOn) : now;
}

/** Why a slot was recorded as missed. */
function missedNote(at: Date, own: Date, now: Date, policy: string): string {
  const late = now.getTime() - at.getTime();
  const how = late > LATE_TOLERANCE_MS ? `${formatDuration(late)} late` : 'not the newest slot';
  if (at.getTime() === own.getTime()) return `late: its job started at ${now.toISOString()}, ${how}; ${policy} leaves it out`;
  return `no worker ran this slot; noticed at ${now.toISOString()} by the job of slot ${own.toISOString()}, ${how}; ${policy} leaves it out`;
}

/** Why a slot was skipped for the run still going (the words `runner serve` uses), naming that run and its slot. */
async function overlapNote(deps: SlotGateDeps, runId: string): Promise<string> {
  const other = await deps.target.lifecycle.store.get(runId);
  return (
    overlapNoteOf(runId, other?.trigger.type === 'schedule' ? other.trigger.slot : undefined) +
    (other && other.trigger.type !== 'schedule' ? ` (${other.trigger.type})` : '')
  );
}

/** How long a waiting slot waits before it looks again: quickly at first, then every {@link MAX_RECHECK_MS}. */
function recheckDelay(waits: number): number {
  return Math.min(MAX_RECHECK_MS, 250 * 2 ** (waits - 1));
}
