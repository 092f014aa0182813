/** A tool step: one direct call through the gateway (no model), then its assertions. */
import type { ToolGateway } from '../agent/gateway/index.ts';
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
}

/** Runs the step; its output is the tool's envelope ({data, error, successful}). */
export async function runToolStep(context: ToolStepContext): Promise<unknown> {
  const { step, gateway } = context;
  const schema = gateway.access.schemaOf(step.tool);
  const args = renderValue(context.templates, step.with, context.scope, `${step.id}.with`, schema) as Record<string, unknown>;
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
    throw new StepFailure({
      kind: 'tool',
      message: `${step.tool} failed: ${envelope.error}`,
      retryable: /timed out|429|503|rate|temporar/i.test(envelope.error ?? ''),
    });
  }
  return envelope;
}
