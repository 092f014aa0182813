/**
 * What `runner serve` does with each schedule slot, as `workflow/schedule-policy.ts` decides (the same rules as the
 * queue): run it, record it missed (late, by `catchup`), skip it (paused, or `overlap: skip`), queue it behind the
 * run going on (`overlap: queue`) or run it beside (`overlap: allow`). Each workflow's decisions are made one after
 * another, so overlap and queue order hold; runs are tracked by run id (the slot run id).
 */
import { classifyFailure } from '../engine/failure.ts';
import type { RunOptions } from '../engine/run-workflow.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord, RunTrigger } from '../runs/types.ts';
import { type PauseInfo, type PauseStore, pausedNote } from '../schedules/pauses.ts';
import { formatDuration } from '../shared/duration.ts';
import { LATE_TOLERANCE_MS, overlapAction, overlapNote, planSlots, slotsBetween } from '../workflow/schedule-policy.ts';
import type { Workflow } from '../workflow/types.ts';
import { type InFlight, stopRuns, type StopSummary } from './in-flight.ts';
import { missedNote, newestRecordedSlot, type RunDefaults, recordNotRun, slotFields } from './slot-records.ts';

/** Runs one firing; in the CLI, the engine's `runWorkflow` bound to the configuration and the run store. */
export type RunFunction = (workflow: Workflow, options: RunOptions & { trigger: RunTrigger; runId: string; signal: AbortSignal }) => Promise<RunRecord>;

/** A scheduled workflow as the slot runner sees it. */
export interface ScheduledEntry {
  workflow: Workflow;
  /** Slots up to this instant have been handled; a firing and catch-up look only after it. */
  after: Date;
}

/** What a {@link SlotRunner} works with; {@link LocalScheduler} fills it from its options. */
export interface SlotRunnerDeps {
  run: RunFunction;
  lifecycle: RunLifecycle;
  pauses?: PauseStore;
  notifier: Notifier;
  runDefaults: RunDefaults;
  log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  now: () => Date;
  /** The workflow as loaded now, by name (undefined once it is no longer scheduled). */
  current: (name: string) => Workflow | undefined;
}

/** Why slots came late, for their notes and the log. */
type Lateness = 'down' | 'stalled';

/** Decides and runs slots; `stop()` once at shutdown. */
export class SlotRunner {
  readonly #deps: SlotRunnerDeps;
  /** Runs in flight, by run id (several of one workflow under `overlap: allow`). */
  readonly #running = new Map<string, InFlight>();
  /** Slots waiting for their workflow's run to end (`overlap: queue`), oldest first, by workflow. */
  readonly #queued = new Map<string, string[]>();
  readonly #decisions = new Map<string, Promise<void>>();
  readonly #pending = new Set<Promise<void>>();
  readonly #telling = new Set<Promise<void>>();
  #stopping = false;

  constructor(deps: SlotRunnerDeps) {
    this.#deps = deps;
  }

  /** The runs in flight. */
  runs(): InFlight[] {
    return [...this.#running.values()];
  }

  /** Resolves once every slot handed over so far is decided: run started, queued, or recorded. */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.all(this.#pending);
  }

  /**
   * A timer fired for `slotDate`. The slots since the last one handled (more than this one when the timer woke
   * late: the process was suspended or stalled) are planned by the schedule policy.
   */
  fire(entry: ScheduledEntry, slotDate: Date): void {
    const { name, schedule } = entry.workflow;
    if (this.#stopping || !schedule) return;
    const now = this.#deps.now();
    const since = entry.after;
    const slots = slotsBetween(schedule, since, now);
    if (slotDate > since && !slots.some((s) => s.getTime() === slotDate.getTime())) slots.push(slotDate);
    slots.sort((a, b) => a.getTime() - b.getTime());
    entry.after = new Date(Math.max(since.getTime(), now.getTime(), slotDate.getTime()));
    if (!slots.length) return;
    const onTime = slots.length === 1 && now.getTime() - slots[0]!.getTime() <= LATE_TOLERANCE_MS;
    this.#decide(name, () => (onTime ? this.#dispatch(name, slots[0]!.toISOString()) : this.#late(entry.workflow, slots, now, 'stalled')));
  }

  /** At start: the slots after the workflow's newest recorded slot (none for a new one), up to `entry.after`. */
  catchUp(entry: ScheduledEntry): Promise<void> {
    return this.#decide(entry.workflow.name, async () => {
      const { name, schedule } = entry.workflow;
      let newest: Date | undefined;
      try {
        newest = await newestRecordedSlot(this.#deps.lifecycle, name);
      } catch (error) {
        this.#deps.log.error(
          `${name}: could not read its earlier runs, so slots missed while runner serve was down are not known: ${(error as Error).message}`,
        );
        return;
      }
      if (!newest || !schedule) return;
      const slots = slotsBetween(schedule, newest, entry.after);
      if (slots.length) await this.#late(entry.workflow, slots, this.#deps.now(), 'down');
    });
  }

  /** Calls the notifier without making anything wait for it; {@link stop} waits for what is still being told. */
  tell(call: (notifier: Notifier) => Promise<void>): void {
    const told: Promise<void> = Promise.resolve()
      .then(() => call(this.#deps.notifier))
      .catch((error: unknown) => this.#deps.log.error(`notifying failed: ${(error as Error).message}`))
      .finally(() => this.#telling.delete(told));
    this.#telling.add(told);
  }

  /**
   * No slot starts from now on; decisions under way finish, slots still queued are recorded as missed, runs get
   * the grace period (then are aborted, then abandoned), and notifications get `drainMs`.
   */
  async stop(options: { graceMs?: number; abortWaitMs?: number; drainMs?: number }): Promise<StopSummary> {
    this.#stopping = true;
    await this.idle();
    await this.#recordLeftInQueue();
    const summary = await stopRuns(this.runs(), () => this.runs(), { ...options, lifecycle: this.#deps.lifecycle, log: this.#deps.log });
    await this.idle();
    await Promise.all(this.#telling);
    await this.#deps.notifier.drain(options.drainMs ?? 10_000);
    return summary;
  }

  /**
   * Slots nothing started on time: the policy says which run now (oldest first) and which are missed. A paused
   * workflow's slots are all skipped instead, as in queue mode.
   */
  async #late(workflow: Workflow, slots: Date[], now: Date, why: Lateness): Promise<void> {
    const schedule = workflow.schedule!;
    const pause = await this.#pausedBy(workflow.name);
    if (pause) {
      this.#deps.log.info(`skipped ${workflow.name}: ${plural(slots.length, 'late slot')} from ${slots[0]!.toISOString()}: ${pausedNote(pause)}`);
      for (const slot of slots) await this.#recordNotRun(workflow, slot.toISOString(), 'skipped', pausedNote(pause));
      return;
    }
    const plan = planSlots(schedule, slots, now);
    const policy = `catchup: ${schedule.catchup}${schedule.catchup === 'none' ? '' : `, window ${formatDuration(schedule.catchupWindowMs)}`}`;
    const running = plan.run.length ? `running ${plan.run.map((s) => s.toISOString()).join(', ')}` : 'running none';
    this.#deps.log.warn(
      `${workflow.name}: ${plural(slots.length, 'slot')} from ${slots[0]!.toISOString()} came late ` +
        `(${why === 'down' ? 'runner serve was not running' : 'the timer woke late: the process was suspended or stalled'}); ` +
        `${running}; ${plan.missed.length} recorded as missed (${policy})`,
    );
    for (const slot of plan.missed) await this.#recordNotRun(workflow, slot.toISOString(), 'missed', missedNote(why, now));
    for (const slot of plan.run) await this.#dispatch(workflow.name, slot.toISOString(), true);
  }

  /**
   * A slot that may run now: paused → skipped; already recorded → left; otherwise as `schedule.overlap` says,
   * except that a slot already `decided` on (caught up, or waiting its turn) is never dropped for a run going on: it
   * waits (as in queue mode).
   */
  async #dispatch(name: string, slot: string, decided = false): Promise<void> {
    const { log, lifecycle } = this.#deps;
    const workflow = this.#deps.current(name);
    if (!workflow?.schedule) {
      log.warn(`${name} slot ${slot} not run: the workflow is no longer scheduled`);
      return;
    }
    const pause = await this.#pausedBy(name);
    if (pause) {
      log.info(`skipped ${name} slot ${slot}: ${pausedNote(pause)}`);
      await this.#recordNotRun(workflow, slot, 'skipped', pausedNote(pause));
      return;
    }
    const { id: runId } = slotFields(workflow, slot, this.#deps.runDefaults);
    const existing = await lifecycle.store.get(runId);
    if (existing) {
      log.warn(`${name} slot ${slot} already has run ${runId} (${existing.status}); not run again`);
      return;
    }
    const current = this.runs().findLast((r) => r.workflow === name);
    let action = overlapAction(workflow.schedule, current !== undefined);
    if (decided && action === 'skip') action = 'queue';
    // A slot decided while stopping waits in the queue, which stop records as missed.
    if (this.#stopping) action = 'queue';
    switch (action) {
      case 'skip':
        log.warn(`skipped ${name} slot ${slot}: run ${current!.runId} (slot ${current!.slot}) is still running (overlap: skip)`);
        await this.#recordNotRun(workflow, slot, 'skipped', overlapNote(current!.runId, current!.slot));
        return;
      case 'queue': {
        const queue = this.#queued.get(name) ?? [];
        queue.push(slot);
        this.#queued.set(name, queue);
        if (current) log.info(`queued ${name} slot ${slot} behind run ${current.runId} (slot ${current.slot}); ${plural(queue.length, 'slot')} waiting`);
        return;
      }
      case 'run':
        this.#start(workflow, slot, runId);
    }
  }

  /** The run of a workflow ended: the oldest slot queued behind it starts (a paused or recorded one is passed over). */
  async #runQueued(name: string): Promise<void> {
    const queue = this.#queued.get(name);
    while (queue?.length && !this.#stopping && !this.runs().some((r) => r.workflow === name)) await this.#dispatch(name, queue.shift()!, true);
    if (queue && !queue.length) this.#queued.delete(name);
  }

  /** Starts a run in the background; when it ends it is logged and told, and the next queued slot may start. */
  #start(workflow: Workflow, slot: string, runId: string): void {
    const { log, now, lifecycle } = this.#deps;
    const { name } = workflow;
    const controller = new AbortController();
    const started = now().getTime();
    log.info(`fired ${name} slot ${slot} run ${runId}`);
    const done = callRun(() => this.#deps.run(workflow, { trigger: { type: 'schedule', slot }, runId, signal: controller.signal }))
      .then(
        (run) => {
          log.info(`finished ${name} run ${runId}: ${run.status} in ${formatDuration(now().getTime() - started)}${outcome(run)}`);
          if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'waiting') this.tell((n) => n.runEnded(run, workflow));
        },
        async (error: unknown) => {
          log.error(`${name} run ${runId} could not run: ${firstLine(error instanceof Error ? error.message : String(error))}`);
          // The slot keeps a record of why nothing ran, and whoever listens for failures hears of it.
          const failure = classifyFailure(error, undefined, controller.signal);
          const run = await lifecycle.reject(workflow, slotFields(workflow, slot, this.#deps.runDefaults), failure);
          if (run.status === 'failed') this.tell((n) => n.runEnded(run, workflow));
        },
      )
      .catch((error: unknown) => log.error(`${name} run ${runId}: recording its end failed: ${(error as Error).message}`))
      .finally(() => {
        this.#running.delete(runId);
        if (!this.#stopping && this.#queued.has(name)) this.#decide(name, () => this.#runQueued(name));
      });
    this.#running.set(runId, { runId, workflow: name, slot, controller, done });
  }

  /** Records a slot that did not run and tells of it; a failed write is logged, never thrown. */
  async #recordNotRun(workflow: Workflow, slot: string, status: 'missed' | 'skipped', note: string): Promise<void> {
    try {
      const run = await recordNotRun(this.#deps.lifecycle, workflow, slot, this.#deps.runDefaults, status, note);
      if (run) this.tell((n) => n.runEnded(run, workflow));
    } catch (error) {
      this.#deps.log.error(`${workflow.name} slot ${slot}: recording it as ${status} failed: ${(error as Error).message}`);
    }
  }

  /** Slots still queued at stop never run in this process: they are recorded as missed. */
  async #recordLeftInQueue(): Promise<void> {
    const now = this.#deps.now();
    for (const [name, slots] of this.#queued) {
      const workflow = this.#deps.current(name);
      if (!workflow) continue;
      this.#deps.log.warn(`${name}: ${plural(slots.length, 'queued slot')} will not run (stopping); recorded as missed: ${slots.join(', ')}`);
      for (const slot of slots) await this.#recordNotRun(workflow, slot, 'missed', missedNote('stopped', now));
    }
    this.#queued.clear();
  }

  /** The pause of a workflow; a pause store that cannot be read is logged and counts as not paused. */
  async #pausedBy(name: string): Promise<PauseInfo | undefined> {
    try {
      return await this.#deps.pauses?.paused(name);
    } catch (error) {
      this.#deps.log.error(`${name}: could not read whether its schedule is paused (running it): ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Runs `step` after the workflow's earlier decisions; {@link idle} waits for it. */
  #decide(name: string, step: () => Promise<void>): Promise<void> {
    const next = (this.#decisions.get(name) ?? Promise.resolve())
      .then(step)
      .catch((error: unknown) => this.#deps.log.error(`${name}: ${(error as Error).message}`));
    this.#decisions.set(name, next);
    this.#pending.add(next);
    void next.finally(() => {
      this.#pending.delete(next);
      if (this.#decisions.get(name) === next) this.#decisions.delete(name);
    });
    return next;
  }
}

/** What the finished line adds after the status: the failure, or the command that decides a waiting run. */
function outcome(run: RunRecord): string {
  if (run.status === 'succeeded') return '';
  if (run.status === 'waiting') return `; it waits for a person: runner approve ${run.id.slice(0, 8)}`;
  const kind = run.error?.kind === run.status ? '' : `${run.error?.kind ?? 'unknown'}${run.error?.step ? ` in step ${run.error.step}` : ''}: `;
  return `: ${kind}${firstLine(run.error?.message)}`;
}

/** Calls `run` now (so the run has begun when the firing returns), turning a synchronous throw into a rejection. */
function callRun(run: () => Promise<RunRecord>): Promise<RunRecord> {
  try {
    return run();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `1 slot`, `2 slots`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!;
}
