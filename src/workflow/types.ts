/** The shapes of a workflow after loading. Only {@link loadWorkflow} produces a {@link Workflow}. */
import type { ApprovalRule } from '../toolkit/access.ts';

/** Declared input. */
export interface InputSpec {
  type: 'string' | 'number' | 'boolean' | 'enum';
  values?: string[];
  default?: string | number | boolean;
  description?: string;
  required?: boolean;
}

/** A value given literally or read from an environment variable at run time. */
export type SecretValue = string | { env: string };

/** Options of the `mcp` backend. */
export interface McpOptions {
  url?: string;
  headers?: Record<string, SecretValue>;
  command?: string;
  args?: string[];
  env?: Record<string, SecretValue>;
}

/** Tool settings of a workflow. */
export interface ToolsSpec {
  backend?: 'sandbox' | 'composio' | 'mcp' | 'confluence';
  mode?: 'local' | 'hosted';
  allow?: string[];
  allow_destructive?: boolean;
  /** How the model writes page and blog post bodies (default `storage`; `markdown` is converted by the gateway). */
  body_format?: 'storage' | 'markdown';
  mcp?: McpOptions;
}

/** One check on a tool step's result. */
export interface Assertion {
  path: string;
  equals?: unknown;
  contains?: unknown;
  exists?: boolean;
  matches?: string;
}

/** A step for the agent. */
export interface PromptStep {
  kind: 'prompt';
  id: string;
  title?: string;
  prompt: string;
  output?: { schema: Record<string, unknown> };
}

/** One deterministic tool call. */
export interface ToolStep {
  kind: 'tool';
  id: string;
  title?: string;
  tool: string;
  with: Record<string, unknown>;
  assert: Assertion[];
}

/** A step of either kind. */
export type Step = PromptStep | ToolStep;

/** A workflow's `approval`, with its timeout parsed. */
export interface ApprovalSpec {
  requiredFor: ApprovalRule;
  /** How long a call may wait for a decision, ms (default 24 h). */
  timeoutMs: number;
  /** Shown to the approver (a template). */
  approversNote?: string;
}

/** What a slot does while the previous run of its workflow is still going (schedule.overlap). */
export type OverlapPolicy = 'skip' | 'queue' | 'allow';
/** What happens to slots that passed while nothing ran them (schedule.catchup). */
export type CatchupPolicy = 'none' | 'latest' | 'all';

/** A workflow's `schedule`, with defaults applied. */
export interface ScheduleSpec {
  cron: string;
  /** IANA zone the cron expression is read in (default UTC). */
  timezone: string;
  /** Default `skip`. */
  overlap: OverlapPolicy;
  /** Default `none`: missed slots are recorded as missed. */
  catchup: CatchupPolicy;
  /** How far back catch-up looks, ms (default 24 h). */
  catchupWindowMs: number;
}

/** Events a notification rule can be for. */
export const NOTIFY_EVENTS = ['failed', 'missed', 'waiting', 'recovered', 'succeeded', 'invalid', 'skipped'] as const;
/** One of {@link NOTIFY_EVENTS}. */
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** Where a notification goes: exactly one channel per rule. */
export type NotifyChannel = { kind: 'webhook'; url: SecretValue; secret?: SecretValue } | { kind: 'slack'; url: SecretValue } | { kind: 'email'; to: string[] };

/** One `notify` rule: the events it is for and its channel. */
export interface NotifyRule {
  on: NotifyEvent[];
  channel: NotifyChannel;
}

/** Retry policy of a queued run. */
export interface RetrySpec {
  attempts: number;
  backoff: { type: 'fixed' | 'exponential'; delayMs: number };
}

/** Limits with durations parsed. */
export interface Limits {
  maxTurns: number;
  timeoutMs: number;
  maxTokens?: number;
  /** Most tool calls in one run (limits.max_tool_calls). */
  maxToolCalls: number;
}

declare const validated: unique symbol;

/** A workflow that passed every check. The brand keeps unvalidated objects from reaching the engine. */
export interface Workflow {
  readonly [validated]: true;
  /** Path the workflow was loaded from. */
  readonly file: string;
  /** sha256 of the file's text. */
  readonly hash: string;
  /** The file's text, kept so queued runs can carry exactly what was validated. */
  readonly source: string;
  readonly name: string;
  readonly description?: string;
  readonly mode: 'live' | 'preview';
  readonly schedule?: ScheduleSpec;
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly agent: { model?: string; instructions?: string };
  readonly tools: ToolsSpec;
  readonly limits: Limits;
  readonly retry: RetrySpec;
  /** Calls held for a person's decision (absent: none). */
  readonly approval?: ApprovalSpec;
  /** Who is told how runs end (the workflow's own rules; RUNNER_NOTIFY_DEFAULT's are added when sending). */
  readonly notify: readonly NotifyRule[];
  readonly steps: readonly Step[];
  /** The zone date filters and schedules use (schedule.timezone, else UTC). */
  readonly timezone: string;
}

/** Defaults applied when a workflow leaves a value out. */
export const DEFAULT_LIMITS: Limits = { maxTurns: 20, timeoutMs: 10 * 60_000, maxToolCalls: 100 };
/** How long a call waits for approval when `approval.timeout` is not given: a day. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 3600_000;

/** How far back catch-up looks when `schedule.catchup_window` is not given: a day. */
export const DEFAULT_CATCHUP_WINDOW_MS = 24 * 3600_000;

/** One attempt, and 30 s exponential backoff when attempts are raised. */
export const DEFAULT_RETRY: RetrySpec = { attempts: 1, backoff: { type: 'exponential', delayMs: 30_000 } };
