/** A tool step: one direct call through the gateway (no model), then its assertions. It waits when the call needs a person. */
import type { ToolGateway } from '../agent/gateway/index.ts';
import type { ApprovalDecision } from '../runs/types.ts';
import type { TemplateEngine } from '../workflow/templates.ts';
import type { ToolStep } from '../workflow/types.ts';
import { checkAssertion } from './assertions.ts';
import { StepFailure } from './failure.ts';
import { renderValue } from './render.ts';

/** What a tool step needs. */
export interface ToolStepContext {
  step: ToolStep;
  gateway: ToolGateway;
  templates: TemplateEngine;
  scope: object;
  signal: AbortSignal;
  /** A person's decision on this step's held call, when the step resumes after waiting (default: none yet). */
  decision?: ApprovalDecision;
}

/** How a tool step ended: with its output (the tool's envelope), or paused on a call that waits for a person. */
export type ToolStepOutcome = { output: unknown } | { paused: { tool: string; args: Record<string, unknown> } };

/** Runs the step; its output is the tool's envelope ({data, error, successful}). */
export async function runToolStep(context: ToolStepContext): Promise<ToolStepOutcome> {
  const { step, gateway } = context;
  const schema = gateway.access.schemaOf(step.tool);
  const args = renderValue(context.templates, step.with, context.scope, `${step.id}.with`, schema) as Record<string, unknown>;
  if (gateway.needsApproval(step.tool, args)) {
    if (!context.decision) return { paused: { tool: step.tool, args } };
    if (!context.decision.approved) {
      const why = context.decision.reason ? `: ${context.decision.reason}` : '';
      throw new StepFailure({ kind: 'approval', message: `${context.decision.by} rejected ${step.tool}${why}`, retryable: false });
    }
  }
  const envelope = await gateway.call(step.tool, args, { step: step.id, signal: context.signal });
  const failures: string[] = [];
  for (const assertion of step.assert) {
    const rendered = renderValue(context.templates, assertion, context.scope, `${step.id}.assert`) as typeof assertion;
    const problem = checkAssertion(envelope, { ...rendered, path: assertion.path });
    if (problem) failures.push(problem);
  }
  if (failures.length) {
    const why = envelope.successful ? '' : ` (the tool failed: ${envelope.error})`;
    throw new StepFailure({ kind: 'assertion', message: `assertion failed: ${failures.join('; ')}${why}`, retryable: false });
  }
  if (!envelope.successful && step.assert.length === 0) {
    // Whether a retry may help is the tool's own verdict (its structured failure); unknown means no.
    const failure = envelope.failure;
    const kind = failure?.kind === 'validation' || failure?.kind === 'cancelled' || failure?.kind === 'limit' ? failure.kind : 'tool';
    throw new StepFailure({ kind, message: `${step.tool} failed: ${envelope.error}`, retryable: failure?.retryable ?? false });
  }
  return { output: envelope };
}
