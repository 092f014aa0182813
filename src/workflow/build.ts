import { createRequire } from 'node:module';
import { parseDuration } from '../shared/duration.ts';
import {
  DEFAULT_APPROVAL_TIMEOUT_MS,
  DEFAULT_CATCHUP_WINDOW_MS,
  DEFAULT_LIMITS,
  DEFAULT_RETRY,
  type Assertion,
  type InputSpec,
  type NotifyRule,
  type Step,
  type Workflow,
} from './types.ts';

type Raw = Record<string, any>;

// node:crypto costs ~5 ms to load; validation never needs the hash, so it is computed on first read.
const require = createRequire(import.meta.url);
function sha256(text: string): string {
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(text).digest('hex');
}

/** Turns a raw document that passed every check into the typed, defaulted {@link Workflow}. */
export function buildWorkflow(file: string, text: string, raw: Raw): Workflow {
  const limits = raw.limits ?? {};
  const retry = raw.retry ?? {};
  const backoff = retry.backoff;
  const steps: Step[] = Array.isArray(raw.steps)
    ? raw.steps.map(toStep)
    : [{ kind: 'prompt', id: 'main', prompt: raw.prompt, ...(raw.output ? { output: raw.output } : {}) }];
  const workflow = {
    file,
    source: text,
    name: raw.name,
    description: raw.description,
    mode: raw.mode ?? 'live',
    schedule: raw.schedule
      ? {
          cron: raw.schedule.cron,
          timezone: raw.schedule.timezone ?? 'UTC',
          overlap: raw.schedule.overlap ?? 'skip',
          catchup: raw.schedule.catchup ?? 'none',
          catchupWindowMs: raw.schedule.catchup_window ? parseDuration(raw.schedule.catchup_window)! : DEFAULT_CATCHUP_WINDOW_MS,
        }
      : undefined,
    inputs: (raw.inputs ?? {}) as Record<string, InputSpec>,
    agent: raw.agent ?? {},
    tools: raw.tools ?? {},
    limits: {
      maxTurns: limits.max_turns ?? DEFAULT_LIMITS.maxTurns,
      timeoutMs: limits.timeout ? parseDuration(limits.timeout)! : DEFAULT_LIMITS.timeoutMs,
      ...(limits.max_tokens ? { maxTokens: limits.max_tokens } : {}),
      maxToolCalls: limits.max_tool_calls ?? DEFAULT_LIMITS.maxToolCalls,
    },
    retry: {
      attempts: retry.attempts ?? DEFAULT_RETRY.attempts,
      backoff:
        typeof backoff === 'string'
          ? { type: 'exponential', delayMs: parseDuration(backoff)! }
          : backoff
            ? { type: backoff.type ?? 'exponential', delayMs: parseDuration(backoff.delay)! }
            : DEFAULT_RETRY.backoff,
    },
    ...(raw.approval
      ? {
          approval: {
            requiredFor: raw.approval.required_for,
            timeoutMs: raw.approval.timeout ? parseDuration(raw.approval.timeout)! : DEFAULT_APPROVAL_TIMEOUT_MS,
            ...(raw.approval.approvers_note ? { approversNote: raw.approval.approvers_note } : {}),
          },
        }
      : {}),
    notify: Array.isArray(raw.notify) ? raw.notify.map(toNotifyRule) : [],
    steps,
    timezone: raw.schedule?.timezone ?? 'UTC',
  };
  let hash: string | undefined;
  Object.defineProperty(workflow, 'hash', { enumerable: true, get: () => (hash ??= sha256(text)) });
  return workflow as unknown as Workflow;
}

function toStep(raw: Raw): Step {
  const base = { id: raw.id as string, ...(raw.title ? { title: raw.title as string } : {}) };
  if (raw.tool !== undefined) {
    return { kind: 'tool', ...base, tool: raw.tool, with: raw.with ?? {}, assert: (raw.assert ?? []) as Assertion[] };
  }
  return { kind: 'prompt', ...base, prompt: raw.prompt, ...(raw.output ? { output: raw.output } : {}) };
}

/** A `notify` rule (or one of RUNNER_NOTIFY_DEFAULT's) as the sender uses it; the rule's one channel is tagged. */
export function toNotifyRule(raw: Raw): NotifyRule {
  const on = raw.on as NotifyRule['on'];
  if (raw.webhook)
    return { on, channel: { kind: 'webhook', url: raw.webhook.url, ...(raw.webhook.secret !== undefined ? { secret: raw.webhook.secret } : {}) } };
  if (raw.slack) return { on, channel: { kind: 'slack', url: raw.slack.url } };
  return { on, channel: { kind: 'email', to: raw.email.to } };
}
