/**
 * The JSON a webhook receives (and what Slack and email messages are made from): the event and the run, redacted
 * against the live secret registry, since it leaves the process.
 */
import { type Redactor, truncateForRecord } from '../shared/redact.ts';
import type { RunStatus } from '../runs/types.ts';
import type { NotifyEvent } from '../workflow/types.ts';
import type { Notice } from './notice.ts';

/** Outputs longer than this, as JSON, are sent cut to this many characters (then as a string). */
export const PAYLOAD_OUTPUT_CHARS = 16_000;

/** The run as a webhook sees it. */
export interface RunPayload {
  event: Exclude<NotifyEvent, 'invalid'>;
  run: {
    id: string;
    workflow: string;
    status: RunStatus;
    /** How it was started: `manual`, `schedule` or `rerun`. */
    trigger: 'manual' | 'schedule' | 'rerun';
    /** The schedule slot (ISO time) of a scheduled run, else null. */
    slot: string | null;
    started_at: string | null;
    finished_at: string | null;
    failure: { kind: string; message: string; step: string | null } | null;
    /** Outputs by step id (see {@link PAYLOAD_OUTPUT_CHARS}). */
    outputs: unknown;
    /** Content the run created or changed. */
    links: string[];
    /** `<RUNNER_PUBLIC_URL>/runs/<id>`, or null when that setting is unset. */
    url: string | null;
  };
}

/** A workflow file that stopped validating. */
export interface InvalidPayload {
  event: 'invalid';
  run: null;
  /** The workflow's name, when a valid version of it was known. */
  workflow: string | null;
  file: string;
  /** One `file:line:col: message` each. */
  problems: string[];
}

/** What a webhook receives. */
export type NotificationPayload = RunPayload | InvalidPayload;

/** Options of {@link payloadOf}. */
export interface PayloadOptions {
  /** RUNNER_PUBLIC_URL without a trailing slash (unset: `url` is null). */
  publicUrl?: string;
  redact: Redactor;
}

/** The payload of a notice, redacted. */
export function payloadOf(notice: Notice, options: PayloadOptions): NotificationPayload {
  const { redact } = options;
  if (notice.event === 'invalid') {
    const { report } = notice;
    return redact({ event: 'invalid', run: null, workflow: report.workflow?.name ?? null, file: report.file, problems: [...report.problems] });
  }
  const { run } = notice;
  const payload: RunPayload = {
    event: notice.event,
    run: {
      id: run.id,
      workflow: run.workflow,
      status: run.status,
      trigger: run.trigger.type,
      slot: run.trigger.type === 'schedule' ? run.trigger.slot : null,
      started_at: run.startedAt ?? null,
      finished_at: run.endedAt ?? null,
      failure: run.error ? { kind: run.error.kind, message: run.error.message, step: run.error.step ?? null } : null,
      outputs: truncateForRecord(run.outputs, PAYLOAD_OUTPUT_CHARS, redact).value,
      links: [...run.links],
      url: options.publicUrl ? `${options.publicUrl}/runs/${encodeURIComponent(run.id)}` : null,
    },
  };
  return redact(payload);
}
