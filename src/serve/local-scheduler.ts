/**
 * The single-process scheduler behind `runner serve`: loads a folder of workflows, fires each scheduled one with
 * a timer armed for its next fire time (`workflow/fire-times.ts`), runs at most one run per workflow at a time,
 * reloads on demand and stops within a grace period.
 */
import { randomUUID } from 'node:crypto';
import { displayPath } from '../shared/paths.ts';
import { DateTime } from 'luxon';
import type { RunOptions } from '../engine/run-workflow.ts';
import type { RunLifecycle } from '../runs/lifecycle.ts';
import type { RunRecord, RunTrigger } from '../runs/types.ts';
import { formatDiagnostic } from '../shared/errors.ts';
import { confluenceCatalogue } from '../toolkit/catalogue.ts';
import { formatDuration } from '../shared/duration.ts';
import { findWorkflowFiles, loadWorkflowFiles, type LoadOptions, type LoadResult } from '../workflow/load.ts';
import type { Workflow } from '../workflow/types.ts';
import { timerSchedule, type CronTask, type ScheduleFactory } from './cron-task.ts';

/** Runs one firing; in the CLI, the engine's `runWorkflow` bound to the configuration and the run store. */
export type RunFunction = (workflow: Workflow, options: RunOptions & { trigger: RunTrigger; runId: string; signal: AbortSignal }) => Promise<RunRecord>;

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
  /** What the loader checks tool names against (default: the embedded Confluence catalogue). */
  loadOptions?: LoadOptions;
  /** The run lifecycle; closes runs that ignored their abort at shutdown, or were abandoned by a second signal (default: none). */
  lifecycle?: RunLifecycle;
  /** Log lines (default: stderr, each line with an ISO timestamp). */
  logger?: SchedulerLogger;
  /** Starts cron tasks (default: timers on the system clock, see {@link timerSchedule}). */
  schedule?: ScheduleFactory;
  /** Clock for run durations (default: the system clock). */
  now?: () => Date;
  /** After the grace period, how long aborted runs get to record 'cancelled' themselves, ms (default 5000). */
  abortWaitMs?: number;
}

/** What a load changed: workflow names added, changed and removed, and files newly invalid. */
export interface ReloadSummary {
  added: string[];
  changed: string[];
  removed: string[];
  invalid: string[];
}

/** How the runs in flight at shutdown ended: finished in the grace period, cancelled, or abandoned (ignored the abort). */
export interface StopSummary {
  finished: number;
  cancelled: number;
  abandoned: number;
}

interface Entry {
  workflow: Workflow;
  task?: CronTask;
}

interface InFlight {
  runId: string;
  slot: string;
  controller: AbortController;
  done: Promise<void>;
}

/** Default grace period of {@link LocalScheduler.stop}, ms. */
export const DEFAULT_GRACE_MS = 60_000;

/** The scheduler. `start()` once, `reload()` whenever files change, `stop()` once (safe to call twice). */
export class LocalScheduler {
  private readonly options: LocalSchedulerOptions;
  private readonly log: SchedulerLogger;
  private readonly schedule: ScheduleFactory;
  private readonly now: () => Date;
  private readonly entries = new Map<string, Entry>();
  private readonly invalid = new Map<string, string>();
  private readonly running = new Map<string, InFlight>();
  private reloading: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private stopped?: Promise<StopSummary>;

  constructor(options: LocalSchedulerOptions) {
    this.options = options;
    this.log = options.logger ?? stderrLogger();
    this.schedule = options.schedule ?? timerSchedule({ logger: this.log });
    this.now = options.now ?? (() => new Date());
  }

  /** Loads the folder and schedules every workflow with a schedule; throws when the folder does not exist. */
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
    return summary;
  }

  /** Loads the folder again: schedules added and changed workflows, unschedules removed and invalid ones. */
  reload(): Promise<ReloadSummary> {
    const next = this.reloading.then(() => this.reloadOnce());
    this.reloading = next.catch(() => {});
    return next;
  }

  /** The workflows in flight, by name, with their run ids. */
  inFlight(): Map<string, string> {
    return new Map([...this.running].map(([name, r]) => [name, r.runId]));
  }

  /** Stops every task, lets runs in flight finish within `graceMs` (default 60 s), then aborts them. */
  stop(options: { graceMs?: number } = {}): Promise<StopSummary> {
    this.stopped ??= this.stopOnce(options.graceMs ?? DEFAULT_GRACE_MS);
    return this.stopped;
  }

  private async reloadOnce(): Promise<ReloadSummary> {
    let results: LoadResult[];
    try {
      results = await this.load();
    } catch (error) {
      this.log.error(`reload failed, schedules unchanged: ${(error as Error).message}`);
      return { added: [], changed: [], removed: [], invalid: [] };
    }
    if (this.stopping) return { added: [], changed: [], removed: [], invalid: [] };
    const summary = this.apply(results);
    const parts = [
      ...(['added', 'changed', 'removed'] as const)
        .filter((k) => summary[k].length)
        .map((k) => `${k} ${summary[k].map((n) => this.describeName(n)).join(', ')}`),
      ...(summary.invalid.length ? [`invalid ${summary.invalid.join(', ')} (see above)`] : []),
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
    const summary: ReloadSummary = { added: [], changed: [], removed: [], invalid: [] };
    const fresh = new Map<string, Workflow>();
    for (const r of results) if (r.workflow) fresh.set(r.workflow.name, r.workflow);
    this.reportInvalid(results, summary);
    for (const [name, entry] of this.entries) {
      if (fresh.has(name)) continue;
      entry.task?.destroy();
      this.entries.delete(name);
      summary.removed.push(name);
    }
    for (const [name, workflow] of fresh) {
      const old = this.entries.get(name);
      if (old && old.workflow.hash === workflow.hash && old.workflow.file === workflow.file) continue;
      old?.task?.destroy();
      const entry: Entry = { workflow };
      this.entries.set(name, entry);
      (old ? summary.changed : summary.added).push(name);
      if (workflow.schedule) entry.task = this.startTask(entry);
    }
    return summary;
  }

  /** Logs the diagnostics of files that became invalid (or whose problems changed) since the last load. */
  private reportInvalid(results: LoadResult[], summary: ReloadSummary): void {
    const now = new Map(results.filter((r) => !r.workflow).map((r) => [r.file, r.diagnostics.map(formatDiagnostic).join('\n')]));
    for (const file of this.invalid.keys()) if (!now.has(file)) this.invalid.delete(file);
    for (const [file, text] of now) {
      if (this.invalid.get(file) === text) continue;
      this.invalid.set(file, text);
      for (const line of text.split('\n')) this.log.error(line);
      summary.invalid.push(file);
    }
  }

  private startTask(entry: Entry): CronTask | undefined {
    const { name, schedule, file } = entry.workflow;
    try {
      return this.schedule({ name, cron: schedule!.cron, timezone: schedule!.timezone }, (slot) => this.fire(entry, slot));
    } catch (error) {
      this.log.error(`${file}: ${name} not scheduled: the scheduler rejected cron '${schedule!.cron}': ${(error as Error).message}`);
      return undefined;
    }
  }

  /** One firing: skipped while the workflow's previous run is still going, else run in the background. */
  private fire(entry: Entry, slotDate: Date): void {
    const { name } = entry.workflow;
    if (this.stopping || this.entries.get(name) !== entry) return;
    const slot = slotDate.toISOString();
    const busy = this.running.get(name);
    if (busy) {
      this.log.warn(`skipped ${name} slot ${slot}: run ${busy.runId} (slot ${busy.slot}) is still running; overlapping firings are skipped, not queued`);
      return;
    }
    const runId = randomUUID();
    const controller = new AbortController();
    const started = this.now().getTime();
    this.log.info(`fired ${name} slot ${slot} run ${runId}`);
    const done = startRun(() => this.options.run(entry.workflow, { trigger: { type: 'schedule', slot }, runId, signal: controller.signal }))
      .then(
        (run) => {
          const kind = run.error?.kind === run.status ? '' : `${run.error?.kind ?? 'unknown'}${run.error?.step ? ` in step ${run.error.step}` : ''}: `;
          const why =
            run.status === 'succeeded'
              ? ''
              : run.status === 'waiting'
                ? `; it waits for a person: runner approve ${runId.slice(0, 8)}`
                : `: ${kind}${firstLine(run.error?.message)}`;
          this.log.info(`finished ${name} run ${runId}: ${run.status} in ${formatDuration(this.now().getTime() - started)}${why}`);
        },
        (error: unknown) => this.log.error(`${name} run ${runId} could not run: ${firstLine(error instanceof Error ? error.message : String(error))}`),
      )
      .finally(() => {
        if (this.running.get(name)?.runId === runId) this.running.delete(name);
      });
    this.running.set(name, { runId, slot, controller, done });
  }

  private async stopOnce(graceMs: number): Promise<StopSummary> {
    this.stopping = true;
    await this.reloading;
    for (const entry of this.entries.values()) entry.task?.destroy();
    const inFlight = [...this.running.values()];
    const summary: StopSummary = { finished: 0, cancelled: 0, abandoned: 0 };
    this.log.info(
      inFlight.length
        ? `stopping: ${plural(inFlight.length, 'run')} in flight; waiting up to ${formatDuration(graceMs)} for ${inFlight.length === 1 ? 'it' : 'them'} to finish`
        : 'stopping: no runs in flight',
    );
    if (inFlight.length && !(await settledWithin(inFlight, graceMs))) {
      const left = [...this.running.entries()];
      this.log.warn(`grace period (${formatDuration(graceMs)}) over: cancelling ${left.map(([name, r]) => `${name} run ${r.runId}`).join(', ')}`);
      for (const [, r] of left) r.controller.abort();
      summary.cancelled = left.length;
      if (
        !(await settledWithin(
          left.map(([, r]) => r),
          this.options.abortWaitMs ?? 5000,
        ))
      ) {
        const stuck = [...this.running.values()];
        summary.abandoned = stuck.length;
        summary.cancelled -= stuck.length;
        await Promise.all(stuck.map((r) => this.markCancelled(r.runId)));
      }
    }
    summary.finished = inFlight.length - summary.cancelled - summary.abandoned;
    this.log.info('stopped');
    return summary;
  }

  /** Records a run that ignored its abort as cancelled, so no record is left 'running'. */
  private async markCancelled(runId: string): Promise<void> {
    const failure = { kind: 'cancelled' as const, message: 'the runner shut down and the run did not stop when cancelled; it was abandoned', retryable: false };
    if (await this.options.lifecycle?.abandon(runId, failure, 'cancelled')) {
      this.log.warn(`run ${runId} did not stop when cancelled; recorded as cancelled and abandoned`);
    }
  }

  /**
   * Records every run in flight as cancelled, without waiting for them: the process is about to exit (a second
   * signal), and a record left `running` would never end.
   */
  async abandonInFlight(): Promise<number> {
    const failure = { kind: 'cancelled' as const, message: 'the runner was told twice to stop and exited without waiting for this run', retryable: false };
    const runs = [...this.running.values()];
    for (const r of runs) r.controller.abort();
    const closed = await Promise.all(runs.map((r) => this.options.lifecycle?.abandon(r.runId, failure, 'cancelled')));
    return closed.filter(Boolean).length;
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

function describeSchedule(workflow: Workflow, task: CronTask): string {
  const next = task.nextRun();
  const when = next ? DateTime.fromJSDate(next, { zone: workflow.schedule!.timezone }).toISO({ suppressMilliseconds: true }) : 'none';
  return `${workflow.schedule!.cron} (${workflow.schedule!.timezone}), next ${when}`;
}

/** Whether every run settled within `ms`; the timer is cleared either way. */
async function settledWithin(runs: readonly InFlight[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([Promise.all(runs.map((r) => r.done)).then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `run` now (so the run has begun when the firing returns), turning a synchronous throw into a rejection. */
function startRun(run: () => Promise<RunRecord>): Promise<RunRecord> {
  try {
    return run();
  } catch (error) {
    return Promise.reject(error);
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!;
}
