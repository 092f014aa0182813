/**
 * A notice as people read it (Slack and email): a headline, the status, the reason and the links. Everything that
 * comes from the run is redacted; callers escape it for their format.
 */
import type { Redactor } from '../shared/redact.ts';
import type { Notice } from './notice.ts';

/** Longest reason told, in characters (a failure message can be long). */
const REASON_CHARS = 2000;
/** Problems of an invalid file listed at most. */
const PROBLEMS_LISTED = 20;

/** A notice for people. */
export interface Summary {
  event: Notice['event'];
  /** The workflow's name (for an invalid file without a known workflow: the file). */
  workflow: string;
  /** `failed`, `succeeded`, … (`invalid` for a file). */
  status: string;
  /** One line: `weekly-summary failed`. */
  headline: string;
  /** Why, or what happened, in a few lines. */
  reason: string;
  /** Content the run created or changed. */
  links: string[];
  /** The run's page (RUNNER_PUBLIC_URL), when there is one. */
  url?: string;
  /** The run id, when there is a run. */
  runId?: string;
}

/** Describes a notice. */
export function summaryOf(notice: Notice, options: { publicUrl?: string; redact: Redactor }): Summary {
  const { redact } = options;
  if (notice.event === 'invalid') {
    const { report } = notice;
    const more = report.problems.length > PROBLEMS_LISTED ? [`… and ${report.problems.length - PROBLEMS_LISTED} more`] : [];
    return redact({
      event: 'invalid',
      workflow: report.workflow?.name ?? report.file,
      status: 'invalid',
      headline: `${report.workflow?.name ?? report.file} stopped validating`,
      reason: cut([...report.problems.slice(0, PROBLEMS_LISTED), ...more].join('\n')),
      links: [],
    });
  }
  const { run, event } = notice;
  const wait = run.approvals?.at(-1);
  const undecided = wait ? wait.calls.filter((c) => !c.decision).length : 0;
  const slot = run.trigger.type === 'schedule' ? run.trigger.slot : undefined;
  const notes = run.notes.length ? run.notes.join('; ') : '';
  const headlines: Record<typeof event, string> = {
    failed: 'failed',
    succeeded: 'succeeded',
    recovered: 'recovered',
    waiting: 'waits for approval',
    missed: slot ? `missed its ${slot} run` : 'missed a run',
    skipped: slot ? `skipped its ${slot} run` : 'skipped a run',
  };
  const reasons: Record<typeof event, string> = {
    failed: run.error ? `${run.error.kind}${run.error.step ? ` in step ${run.error.step}` : ''}: ${run.error.message}` : 'failed',
    succeeded: 'succeeded',
    recovered: 'succeeded after the previous run failed',
    waiting: `${undecided} held call(s) wait for a person: runner approve ${run.id.slice(0, 8)} (or runner reject)${wait?.expiresAt ? `, until ${wait.expiresAt}` : ''}`,
    missed: notes || 'the slot passed while nothing ran it',
    skipped: notes || 'the slot was skipped',
  };
  return redact({
    event,
    workflow: run.workflow,
    status: run.status,
    headline: `${run.workflow} ${headlines[event]}`,
    reason: cut(reasons[event]),
    links: [...run.links],
    ...(options.publicUrl ? { url: `${options.publicUrl}/runs/${encodeURIComponent(run.id)}` } : {}),
    runId: run.id,
  });
}

function cut(text: string): string {
  return text.length <= REASON_CHARS ? text : `${text.slice(0, REASON_CHARS)}…`;
}
