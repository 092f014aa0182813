/**
 * What the places where runs end need from notifications: one call when a run reached an end its workflow's
 * `notify` rules (and RUNNER_NOTIFY_DEFAULT's) may be for. Which events an end is (failed, recovered, …), the
 * channels, delivery, retries and the once-per-run guarantee all live behind this interface, in `notify/`.
 */
import type { RunRecord } from '../runs/types.ts';
import type { Workflow } from '../workflow/types.ts';

/** A workflow file that stopped validating (event `invalid`; `runner serve` keeps its last valid schedule). */
export interface InvalidReport {
  file: string;
  /** The last valid version of the workflow, when there was one: its rules are the ones told. */
  workflow?: Workflow;
  /** The diagnostics, one `file:line:col: message` each. */
  problems: string[];
}

/** Tells people how runs ended. Implementations never throw and never make a run wait for a delivery. */
export interface Notifier {
  /**
   * `run` reached an end that will not change by itself: succeeded, failed with no retry left, waiting for a
   * person, missed or skipped. Call it once per such end (delivery is once per run, event and rule anyway).
   */
  runEnded(run: RunRecord, workflow: Workflow): Promise<void>;
  /** A workflow file stopped validating. */
  invalid(report: InvalidReport): Promise<void>;
  /** Waits, at most `ms`, for deliveries this process still has in flight (before the process exits). */
  drain(ms?: number): Promise<void>;
}

/** A notifier that tells nobody (tests, and processes given no notifier). */
export const silentNotifier: Notifier = {
  runEnded: async () => {},
  invalid: async () => {},
  drain: async () => {},
};
