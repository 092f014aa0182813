/** What one notification tells: an event of a run, or a workflow file that stopped validating. */
import type { RunRecord } from '../runs/types.ts';
import type { NotifyEvent } from '../workflow/types.ts';
import type { InvalidReport } from './notifier.ts';

/** An event of a run (every event but `invalid`). */
export interface RunNotice {
  event: Exclude<NotifyEvent, 'invalid'>;
  run: RunRecord;
}

/** A workflow file that stopped validating: there is no run. */
export interface InvalidNotice {
  event: 'invalid';
  report: InvalidReport;
}

/** One thing to tell. */
export type Notice = RunNotice | InvalidNotice;
