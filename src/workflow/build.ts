import { createRequire } from 'node:module';
import { parseDuration } from '../shared/duration.ts';
import { DEFAULT_APPROVAL_TIMEOUT_MS, DEFAULT_LIMITS, DEFAULT_RETRY, type Assertion, type InputSpec, type Step, type Workflow } from './types.ts';

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
    schedule: raw.schedule ? { cron: raw.schedule.cron, timezone: raw.schedule.timezone ?? 'UTC' } : undefined,
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
