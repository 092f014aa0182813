/** `runner serve`'s runs in flight and how they end at shutdown: a grace period, then an abort, then abandonment. */
import type { RunLifecycle } from '../runs/lifecycle.ts';
import { formatDuration } from '../shared/duration.ts';

/** One run the scheduler started and has not seen end. */
export interface InFlight {
  runId: string;
  /** The workflow's name. */
  workflow: string;
  /** The slot it runs, ISO. */
  slot: string;
  controller: AbortController;
  /** Settles once the run ended and its end was logged and recorded. */
  done: Promise<void>;
}

/** How the runs in flight at shutdown ended: finished in the grace period, cancelled, or abandoned (ignored the abort). */
export interface StopSummary {
  finished: number;
  cancelled: number;
  abandoned: number;
}

/** Default grace period of a shutdown, ms. */
export const DEFAULT_GRACE_MS = 60_000;

/** Options of {@link stopRuns}. */
export interface StopRunsOptions {
  /** How long runs may finish on their own, ms (default {@link DEFAULT_GRACE_MS}). */
  graceMs?: number;
  /** After the abort, how long runs get to record 'cancelled' themselves, ms (default 5000). */
  abortWaitMs?: number;
  /** Closes the records of runs that ignored their abort. */
  lifecycle: RunLifecycle;
  log: { info(message: string): void; warn(message: string): void };
}

/**
 * Lets `inFlight` finish within the grace period, then aborts those `left()` still lists; runs that ignore the
 * abort too are recorded as cancelled (abandoned), so no record is left `running`.
 */
export async function stopRuns(inFlight: readonly InFlight[], left: () => InFlight[], options: StopRunsOptions): Promise<StopSummary> {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const summary: StopSummary = { finished: 0, cancelled: 0, abandoned: 0 };
  options.log.info(
    inFlight.length
      ? `stopping: ${plural(inFlight.length, 'run')} in flight; waiting up to ${formatDuration(graceMs)} for ${inFlight.length === 1 ? 'it' : 'them'} to finish`
      : 'stopping: no runs in flight',
  );
  if (inFlight.length && !(await settledWithin(inFlight, graceMs))) {
    const aborted = left();
    options.log.warn(`grace period (${formatDuration(graceMs)}) over: cancelling ${aborted.map((r) => `${r.workflow} run ${r.runId}`).join(', ')}`);
    for (const r of aborted) r.controller.abort();
    summary.cancelled = aborted.length;
    if (!(await settledWithin(aborted, options.abortWaitMs ?? 5000))) {
      const stuck = left();
      summary.abandoned = stuck.length;
      summary.cancelled -= stuck.length;
      await Promise.all(stuck.map((r) => markCancelled(r.runId, options)));
    }
  }
  summary.finished = inFlight.length - summary.cancelled - summary.abandoned;
  return summary;
}

/** Records a run that ignored its abort as cancelled, so no record is left 'running'. */
async function markCancelled(runId: string, options: StopRunsOptions): Promise<void> {
  const failure = { kind: 'cancelled' as const, message: 'the runner shut down and the run did not stop when cancelled; it was abandoned', retryable: false };
  if (await options.lifecycle.abandon(runId, failure, 'cancelled')) {
    options.log.warn(`run ${runId} did not stop when cancelled; recorded as cancelled and abandoned`);
  }
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

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
