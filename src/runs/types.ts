/**
 * Run records: what a run was asked to do, what it did (every step, model turn and tool call) and how it ended.
 * Pure types; stores implement {@link RunStore}.
 */

import type { FailureKind } from '../shared/errors.ts';
import type { KnownEffect, ToolFailure } from '../toolkit/types.ts';

export type { FailureKind } from '../shared/errors.ts';

/**
 * Status of a run; `runs/lifecycle.ts` owns the moves between them. `queued` exists only in queue mode; `waiting`
 * holds a run for a person's decision; `missed` marks a schedule slot that passed while nothing ran, and `skipped`
 * one left out on purpose (its schedule was paused, or the previous run was still going under `overlap: skip`);
 * both are recorded, never executed.
 */
export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'missed' | 'skipped';

/** Every run status, in lifecycle order. */
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'missed', 'skipped'];

/** The failure of a run, attempt or step. */
export interface RunFailure {
  kind: FailureKind;
  /** One or more lines a person can act on; never contains a secret. */
  message: string;
  /** The step that failed, when one did. */
  step?: string;
  /** Whether another attempt could succeed (transient model, tool or infrastructure trouble). */
  retryable?: boolean;
}

/** How a run was started. */
export type RunTrigger =
  | { type: 'manual' }
  | { type: 'schedule' /** ISO time of the schedule slot. */; slot: string }
  | { type: 'rerun' /** The run it re-runs. */; of: string };

/** Token usage, summed over model requests. */
export interface TokenUsage {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * What happened to one tool call:
 * - `ok` / `error`: executed; the backend answered with success or failure
 * - `refused`: blocked by the gateway (not allowed, destructive, invalid arguments); never reached the backend
 * - `simulated`: a write in preview mode; not executed, the model got a simulated result
 * - `journaled`: an identical write this run already made; the journaled result was returned instead
 * - `hosted`: executed on the model provider's side (hosted MCP); seen after the fact, not gated
 */
export type ToolCallStatus = 'ok' | 'error' | 'refused' | 'simulated' | 'journaled' | 'hosted';

/** One tool call, from a model or a tool step. */
export interface ToolCallRecord {
  /** Tool slug, e.g. CONFLUENCE_CREATE_BLOGPOST. */
  tool: string;
  /** The meta tool that carried this call (e.g. COMPOSIO_MULTI_EXECUTE_TOOL), when it was an inner call. */
  via?: string;
  /** read, write or destructive; `unknown` for tools outside the catalogue that carry no hints. */
  effect: KnownEffect;
  /** Arguments, secrets redacted; cut like results when longer than the record keeps (see `argsTruncated`). */
  args: unknown;
  /** True when `args` was cut to the configured size. */
  argsTruncated?: boolean;
  status: ToolCallStatus;
  /** The result (envelope `data`), secrets redacted, truncated to the configured size. */
  result?: unknown;
  /** True when `result` was truncated. */
  truncated?: boolean;
  /** Error text when the call failed or was refused. */
  error?: string;
  /** What kind of failure it was, when the gateway or the tool said (kind, retryable, HTTP status). */
  failure?: ToolFailure;
  /** Extra context, e.g. which attempt made a journaled write, or what the runner did to a page body. */
  note?: string;
  /** The body as the model wrote it in Markdown (tools.body_format: markdown); `args` holds the storage sent. */
  markdown?: string;
  /** The model turn (1-based) that asked for it; absent for tool steps. */
  turn?: number;
  startedAt: string;
  durationMs: number;
}

/** One step of one attempt. */
export interface StepRecord {
  id: string;
  kind: 'prompt' | 'tool';
  title?: string;
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
  /** Rendered prompt (prompt steps). */
  prompt?: string;
  /** Rendered instructions sent with the prompt (prompt steps). */
  instructions?: string;
  model?: string;
  /** Model turns taken (prompt steps). */
  turns?: number;
  /** Model requests retried after transient failures (429, 5xx, timeouts). */
  modelRetries?: number;
  toolCalls: ToolCallRecord[];
  /** The step's output as later steps see it. */
  output?: unknown;
  usage?: TokenUsage;
  startedAt: string;
  endedAt?: string;
  error?: RunFailure;
}

/** One attempt at a run (a retried queued run has several). */
export interface AttemptRecord {
  /** 1-based. */
  number: number;
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
  /** Which machine/process ran it (hostname:pid), for queue mode. */
  worker?: string;
  startedAt: string;
  endedAt?: string;
  steps: StepRecord[];
  error?: RunFailure;
}

/** A whole run. */
export interface RunRecord {
  /** Unique id (a UUID unless the queue chose one). */
  id: string;
  workflow: string;
  /** sha256 of the workflow file the run used. */
  workflowHash: string;
  workflowFile: string;
  /** The workflow text the run ran (what a resumed or re-run run runs again, whatever the file says now). */
  workflowSource?: string;
  trigger: RunTrigger;
  /**
   * What templates saw as `run.scheduled_at` when the run was given one (`runner run --at`, a re-run: its
   * original's); absent: the schedule slot, else the start time.
   */
  scheduledAt?: string;
  /** The runs that re-ran this one, oldest first (`runner rerun`; written only by the lifecycle's `noteRerun`). */
  reruns?: string[];
  inputs: Record<string, unknown>;
  status: RunStatus;
  mode: 'live' | 'preview';
  backend: string;
  model: string;
  /** Things a reader of the record must know (e.g. hosted tool calls could not be gated). */
  notes: string[];
  attempts: AttemptRecord[];
  /** Outputs by step id, of the last attempt. */
  outputs: Record<string, unknown>;
  /** Links to content the run created or changed (webui URLs), when known. */
  links: string[];
  /** Summed over every attempt. */
  usage: TokenUsage;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Why the run failed or was cancelled. */
  error?: RunFailure;
  /** Each time the run waited for a person: the calls held, their decisions, where it continues. The last is current while `waiting`. */
  approvals?: ApprovalWait[];
  /** Notifications about this run: one per event and channel, with every delivery attempt (written only by the lifecycle). */
  notifications?: NotificationRecord[];
}

/** One notification of a run: an event sent to one channel, and how each delivery attempt went. */
export interface NotificationRecord {
  /** `failed`, `succeeded`, `recovered`, `waiting`, `missed`, `skipped`, … (a workflow's `notify.on` events). */
  event: string;
  /** Which channel: `webhook`, `slack` or `email`. */
  channel: string;
  /** Where it went, secrets redacted (a URL's host and path, or the recipients). */
  target: string;
  /** Which rule sent it: `workflow#<n>` or `default#<n>` (RUNNER_NOTIFY_DEFAULT). */
  rule: string;
  /** Every attempt, oldest first. */
  attempts: DeliveryAttempt[];
  /** When it was delivered; absent while it is being retried, or when every attempt failed. */
  deliveredAt?: string;
  /** True once no attempt is left (delivered, or given up). */
  done?: boolean;
}

/** One attempt to deliver a notification. */
export interface DeliveryAttempt {
  at: string;
  ok: boolean;
  /** HTTP status (webhook, slack) or SMTP reply code, when one came. */
  status?: number;
  /** Why it failed (redacted). */
  error?: string;
}

/** A person's decision on a held call. */
export interface ApprovalDecision {
  approved: boolean;
  /** Who decided (`--by`, default the OS user; `(expired)` when nobody did in time). */
  by: string;
  at: string;
  reason?: string;
}

/** A tool call held for a person's decision. */
export interface PendingApproval {
  /** 1-based within its wait: `runner approve <run> --call N`. */
  n: number;
  tool: string;
  effect: KnownEffect;
  /** Arguments, redacted, cut like a record's. */
  args: unknown;
  /** The page or blog post body the call would write, as readable text. */
  preview?: string;
  step: string;
  /** The model's call id (prompt steps): matches the call when the run resumes. */
  callId?: string;
  /**
   * sha256 of the tool and its whole canonical arguments: once approved, the very same call later in the run (an
   * attempt that starts over after its worker died) is not held again.
   */
  argsKey?: string;
  decision?: ApprovalDecision;
}

/** One wait of a run for a person. */
export interface ApprovalWait {
  since: string;
  /** When undecided calls are rejected and the run fails with kind `approval`. */
  expiresAt: string;
  /** The workflow's approvers_note, rendered. */
  note?: string;
  calls: PendingApproval[];
  /**
   * Where the run continues: the step (id and index) and, for a prompt step, the Agents SDK's serialized run state
   * (dropped once the run resumed).
   */
  resume: { step: string; index: number; state?: string };
  /** When the run resumed, or ended without resuming (expired). */
  closedAt?: string;
  /** Who continued the run (`host:pid`): any worker may, not only the one that paused it. */
  resumedBy?: string;
}

/** A write of this run: its intent, then its outcome; kept so a retried attempt neither repeats it nor forgets it. */
export interface JournalEntry {
  /** sha256 of the tool slug and the canonical (key-sorted) identity of its arguments (see toolkit/writes.ts). */
  key: string;
  tool: string;
  /** The arguments (cut to the record size); the key holds their identity. */
  args: unknown;
  /**
   * `pending`: the call was sent and its outcome is not known (written before the call, so a worker killed during
   * it leaves this behind); `done`: it succeeded, `result` holds the envelope; `failed`: it certainly did not land
   * (the site refused it, or reconciliation found it absent). Entries written before intents existed have none:
   * they are `done`.
   */
  state?: 'pending' | 'done' | 'failed';
  /** The envelope the backend returned (done entries). */
  result?: unknown;
  attempt: number;
  step: string;
  /** When the entry was last written. */
  at: string;
  /** When the call was sent (the intent), for reconciliation: content it created is not older than this. */
  sentAt?: string;
  /** What reconciliation needs of the arguments, kept whole (see toolkit/writes.ts `writeTarget`). */
  target?: Record<string, unknown>;
  /** How the outcome was settled when it was uncertain (e.g. "found blog post 98401 created by attempt 1"). */
  note?: string;
}

/** Every way a run can be started ({@link RunTrigger} `type`). */
export const RUN_TRIGGERS: readonly RunTrigger['type'][] = ['manual', 'schedule', 'rerun'];

/** Filters of {@link RunStore.list}; every field set must match (unset: no filter). */
export interface RunFilter {
  /** Only runs of this workflow. */
  workflow?: string;
  /** Only runs with this status. */
  status?: RunStatus;
  /** Only runs started this way. */
  trigger?: RunTrigger['type'];
  /** Only runs created at or after this time (ISO 8601). */
  since?: string;
  /** Only runs created strictly before this time (ISO 8601): the dashboard pages with the last row's createdAt. */
  until?: string;
  /** Most recent first; default 20; negative: no limit. */
  limit?: number;
  /** `newest` (default) or `oldest` first. */
  order?: 'newest' | 'oldest';
}

/** Where run records live: SQLite locally, a shared store in queue mode. */
export interface RunStore {
  /** Creates or replaces a run record (the engine saves snapshots as the run goes). */
  save(run: RunRecord): Promise<void>;
  /** The run with this id (a unique prefix of at least 6 characters also matches). */
  get(id: string): Promise<RunRecord | undefined>;
  /**
   * Changes the record `id` (exact id) atomically, for moves two processes may race for (a decision, a resume):
   * `change` sees the record as stored and returns the record to save, or undefined to leave it; it runs again on
   * the newer record when another writer saved in between, so it must be pure. It may throw to refuse the move.
   * Returns the record as stored afterwards (undefined when there is no such run).
   */
  update(id: string, change: (current: RunRecord) => RunRecord | undefined): Promise<RunRecord | undefined>;
  /**
   * Runs matching `filter`, most recent first (or oldest first), ties in creation time broken by first save. A
   * `since` or `until` that is no time throws a RangeError.
   */
  list(filter?: RunFilter): Promise<RunRecord[]>;
  /** Journaled writes of a run, oldest first. */
  journal(runId: string): Promise<JournalEntry[]>;
  /** Adds a journaled write (an entry with the same key replaces the older one). */
  addJournal(runId: string, entry: JournalEntry): Promise<void>;
  /** Releases the store; safe to call twice. */
  close(): Promise<void>;
}
