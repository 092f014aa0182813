/**
 * The single-process scheduler behind `runner serve`: loads a folder of workflows, fires each scheduled one with a
 * timer armed for its next fire time (`workflow/fire-times.ts`) and hands every slot to the {@link SlotRunner},
 * which does what `workflow/schedule-policy.ts` decides (the same rules as the queue). At start, the slots that
 * passed since each workflow's newest record are caught up or recorded missed. Reloads on demand (a file that turns
 * invalid keeps its last valid schedule; a deleted one unschedules) and stops within a grace period.
 */
import { DateTime } from 'luxon';
import { type Notifier, silentNotifier } from '../notify/notifier.ts';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord } from '../runs/types.ts';
import type { PauseStore } from '../schedules/pauses.ts';
import { formatDuration } from '../shared/duration.ts';
import { formatDiagnostic } from '../shared/errors.ts';
import { displayPath } from '../shared/paths.ts';
import { confluenceCatalogue } from '../toolkit/catalogue.ts';
import { findWorkflowFiles, type LoadOptions, type LoadResult, loadWorkflowFiles } from '../workflow/load.ts';
import type { Workflow } from '../workflow/types.ts';
import { type CronTask, type ScheduleFactory, timerSchedule } from './cron-task.ts';
import type { StopSummary } from './in-flight.ts';
import type { RunDefaults } from './slot-records.ts';
import { plural, type RunFunction, type ScheduledEntry, SlotRunner } from './slot-runner.ts';

export { DEFAULT_GRACE_MS, type StopSummary } from './in-flight.ts';
export type { RunFunction } from './slot-runner.ts';

/** Where the scheduler's lines go. */
export interface SchedulerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of {@link LocalScheduler}. */
export interface LocalSchedulerOptions {
  /** Folder of workflow files, searched recursively for *.yaml/*.yml (required). */
  dir: string;
  /** Runs one firing (required). */
  run: RunFunction;
  /**
   * The run lifecycle over the run store (required): records missed and skipped slots, tells start-up which slots
   * have records, and closes runs that ignored their abort at shutdown or were abandoned by a second signal.
   */
  lifecycle: RunLifecycle;
  /** Paused schedules (`runner schedule pause`): a paused workflow's slots are recorded as skipped (default: none paused). */
  pauses?: PauseStore;
  /** Told how runs ended (and of missed and skipped slots) and of files that turn invalid (default: {@link silentNotifier}). */
  notifier?: Notifier;
  /** Backend and model recorded on slots that do not run when the workflow names none (default: empty names). */
  runDefaults?: RunDefaults;
  /** What the loader checks tool names against (default: the embedded Confluence catalogue). */
  loadOptions?: LoadOptions;
  /** Log lines (default: stderr, each line with an ISO timestamp). */
  logger?: SchedulerLogger;
  /** Starts cron tasks (default: timers on the system clock, see {@link timerSchedule}). */
  schedule?: ScheduleFactory;
  /** Clock for slot lateness, catch-up and run durations (default: the system clock). */
  now?: () => Date;
  /** After the grace period, how long aborted runs get to record 'cancelled' themselves, ms (default 5000). */
  abortWaitMs?: number;
  /** At stop, how long notifications still being delivered get, ms (default 10000). */
  drainMs?: number;
}

/**
 * What a load changed: workflow names added, changed and removed, files newly invalid (or whose problems changed),
 * and the workflows of those files that keep their last valid schedule.
 */
export interface ReloadSummary {
  added: string[];
  changed: string[];
  removed: string[];
  invalid: string[];
  kept: string[];
}

interface Entry extends ScheduledEntry {
  task?: CronTask;
}

const empty = (): ReloadSummary => ({ added: [], changed: [], removed: [], invalid: [], kept: [] });

/** The scheduler. `start()` once, `reload()` whenever files change, `stop()` once (safe to call twice). */
export class LocalScheduler {
  private readonly options: LocalSchedulerOptions;
  private readonly log: SchedulerLogger;
  private readonly schedule: ScheduleFactory;
  private readonly now: () => Date;
  private readonly slots: SlotRunner;
  private readonly entries = new Map<string, Entry>();
  private readonly invalid = new Map<string, string>();
  private reloading: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private stopped?: Promise<StopSummary>;

  constructor(options: LocalSchedulerOptions) {
    this.options = options;
    this.log = options.logger ?? stderrLogger();
    this.schedule = options.schedule ?? timerSchedule({ logger: this.log });
    this.now = options.now ?? (() => new Date());
    this.slots = new SlotRunner({
      run: options.run,
      lifecycle: options.lifecycle,
      pauses: options.pauses,
      notifier: options.notifier ?? silentNotifier,
      runDefaults: options.runDefaults ?? { backend: '', model: '' },
      log: this.log,
      now: this.now,
      current: (name) => this.entries.get(name)?.workflow,
    });
  }

  /**
   * Loads the folder, schedules every workflow with a schedule, then deals with the slots that passed since each
   * one's newest recorded slot (missed or caught up, by `catchup`). Throws when the folder does not exist.
   */
  async start(): Promise<ReloadSummary> {
    const summary = this.apply(await this.load());
    const scheduled = [...this.entries.values()].filter((e) => e.task);
    const onDemand = this.entries.size - scheduled.length;
    this.log.info(
      `started: ${plural(scheduled.length, 'workflow')} scheduled from ${this.options.dir}` +
        `${onDemand ? `, ${onDemand} on demand only (not scheduled)` : ''}` +
        `${summary.invalid.length ? `, ${plural(summary.invalid.length, 'invalid file')} left out (see above)` : ''}`,
    );
    for (const { workflow, task } of scheduled) this.log.info(`  ${workflow.name}: ${describeSchedule(workflow, task!)}`);
    await Promise.all(scheduled.map((entry) => this.slots.catchUp(entry)));
    return summary;
  }

  /** Loads the folder again: schedules added and changed workflows, unschedules removed ones (invalid ones keep theirs). */
  reload(): Promise<ReloadSummary> {
    const next = this.reloading.then(() => this.reloadOnce());
    this.reloading = next.catch(() => {});
    return next;
  }

  /** The runs in flight: run id → workflow name. */
  inFlight(): Map<string, string> {
    return new Map(this.slots.runs().map((r) => [r.runId, r.workflow]));
  }

  /** Resolves once every slot handed to the scheduler so far is decided: run started, queued, or recorded. */
  idle(): Promise<void> {
    return this.slots.idle();
  }

  /** Tells the notifier of a run that ended outside the scheduler (a wait that expired), with its workflow as loaded now. */
  tellEnded(run: RunRecord): void {
    const workflow = this.entries.get(run.workflow)?.workflow;
    if (workflow) this.slots.tell((notifier) => notifier.runEnded(run, workflow));
  }

  /** Stops every task, lets runs in flight finish within `graceMs` (default 60 s), then aborts them. */
  stop(options: { graceMs?: number } = {}): Promise<StopSummary> {
    this.stopped ??= this.stopOnce(options.graceMs);
    return this.stopped;
  }

  /**
   * Records every run in flight as cancelled, without waiting for them: the process is about to exit (a second
   * signal), and a record left `running` would never end.
   */
  async abandonInFlight(): Promise<number> {
    const failure = { kind: 'cancelled' as const, message: 'the runner was told twice to stop and exited without waiting for this run', retryable: false };
    const runs = this.slots.runs();
    for (const r of runs) r.controller.abort();
    const closed = await Promise.all(runs.map((r) => this.options.lifecycle.abandon(r.runId, failure, 'cancelled')));
    return closed.filter(Boolean).length;
  }

  private async reloadOnce(): Promise<ReloadSummary> {
    let results: LoadResult[];
    try {
      results = await this.load();
    } catch (error) {
      this.log.error(`reload failed, schedules unchanged: ${(error as Error).message}`);
      return empty();
    }
    if (this.stopping) return empty();
    const summary = this.apply(results);
    const parts = [
      ...(['added', 'changed', 'removed'] as const)
        .filter((k) => summary[k].length)
        .map((k) => `${k} ${summary[k].map((n) => this.describeName(n)).join(', ')}`),
      ...(summary.invalid.length ? [`invalid ${summary.invalid.join(', ')} (see above)`] : []),
      ...(summary.kept.length ? [`kept the last valid schedule of ${summary.kept.join(', ')}`] : []),
    ];
    if (parts.length) this.log.info(`reloaded: ${parts.join('; ')}`);
    return summary;
  }

  private async load(): Promise<LoadResult[]> {
    // Paths as the folder was given, shortened only when they lie under the working folder.
    const files = (await findWorkflowFiles([this.options.dir])).map((f) => displayPath(f));
    return loadWorkflowFiles(files, this.options.loadOptions ?? { tools: confluenceCatalogue() });
  }

  /** Brings the tasks in line with a fresh load and reports the difference. */
  private apply(results: LoadResult[]): ReloadSummary {
    const summary = empty();
    const now = this.now();
    const fresh = new Map<string, Workflow>();
    for (const r of results) if (r.workflow) fresh.set(r.workflow.name, r.workflow);
    const invalidFiles = new Set(results.filter((r) => !r.workflow).map((r) => r.file));
    this.reportInvalid(results, summary);
    for (const [name, entry] of this.entries) {
      if (fresh.has(name)) continue;
      // As `runner schedule sync` does: a file that does not validate keeps the schedule of its last valid version.
      if (invalidFiles.has(entry.workflow.file)) {
        if (summary.invalid.includes(entry.workflow.file)) summary.kept.push(name);
        continue;
      }
      entry.task?.destroy();
      this.entries.delete(name);
      summary.removed.push(name);
    }
    for (const [name, workflow] of fresh) {
      const old = this.entries.get(name);
      if (old && old.workflow.hash === workflow.hash && old.workflow.file === workflow.file) continue;
      old?.task?.destroy();
      const entry: Entry = { workflow, after: old && old.after > now ? old.after : now };
      this.entries.set(name, entry);
      (old ? summary.changed : summary.added).push(name);
      if (workflow.schedule) entry.task = this.startTask(entry);
    }
    return summary;
  }

  /** Logs and tells of files that became invalid (or whose problems changed) since the last load. */
  private reportInvalid(results: LoadResult[], summary: ReloadSummary): void {
    const now = new Map(results.filter((r) => !r.workflow).map((r) => [r.file, r.diagnostics.map(formatDiagnostic)]));
    for (const file of this.invalid.keys()) if (!now.has(file)) this.invalid.delete(file);
    for (const [file, problems] of now) {
      const text = problems.join('\n');
      if (this.invalid.get(file) === text) continue;
      this.invalid.set(file, text);
      for (const line of text.split('\n')) this.log.error(line);
      summary.invalid.push(file);
      const last = [...this.entries.values()].find((e) => e.workflow.file === file)?.workflow;
      this.slots.tell((notifier) => notifier.invalid({ file, ...(last && { workflow: last }), problems }));
    }
  }

  private startTask(entry: Entry): CronTask | undefined {
    const { name, schedule, file } = entry.workflow;
    try {
      return this.schedule({ name, cron: schedule!.cron, timezone: schedule!.timezone }, (slot) => {
        if (!this.stopping && this.entries.get(name) === entry) this.slots.fire(entry, slot);
      });
    } catch (error) {
      this.log.error(`${file}: ${name} not scheduled: the scheduler rejected cron '${schedule!.cron}': ${(error as Error).message}`);
      return undefined;
    }
  }

  private async stopOnce(graceMs: number | undefined): Promise<StopSummary> {
    this.stopping = true;
    await this.reloading;
    for (const entry of this.entries.values()) entry.task?.destroy();
    const summary = await this.slots.stop({ graceMs, abortWaitMs: this.options.abortWaitMs, drainMs: this.options.drainMs });
    this.log.info('stopped');
    return summary;
  }

  private describeName(name: string): string {
    const entry = this.entries.get(name);
    return entry?.task ? `${name} (${describeSchedule(entry.workflow, entry.task)})` : name;
  }
}

/** A logger that writes each line to stderr behind an ISO timestamp. */
export function stderrLogger(write: (text: string) => void = (text) => process.stderr.write(text), now: () => Date = () => new Date()): SchedulerLogger {
  const line = (level: string) => (message: string) => write(`${now().toISOString()} ${level}${message}\n`);
  return { info: line(''), warn: line('warning: '), error: line('error: ') };
}

/** `0 9 * * MON (Europe/Berlin), next …`, and the policies that differ from the defaults. */
function describeSchedule(workflow: Workflow, task: CronTask): string {
  const schedule = workflow.schedule!;
  const next = task.nextRun();
  const when = next ? DateTime.fromJSDate(next, { zone: schedule.timezone }).toISO({ suppressMilliseconds: true }) : 'none';
  const policies = [
    ...(schedule.overlap !== 'skip' ? [`overlap: ${schedule.overlap}`] : []),
    ...(schedule.catchup !== 'none' ? [`catchup: ${schedule.catchup} within ${formatDuration(schedule.catchupWindowMs)}`] : []),
  ];
  return `${schedule.cron} (${schedule.timezone}), next ${when}${policies.length ? `; ${policies.join(', ')}` : ''}`;
}
