/** A prompt step: the agent with the rendered prompt, the workflow's instructions and the allowed tools. */
import { Agent, RunState, Runner, hostedMcpTool, type Tool } from '@openai/agents';
import { gatewayTools } from '../agent/function-tools.ts';
import type { ToolGateway } from '../agent/gateway/index.ts';
import type { ModelChoice } from '../agent/model.ts';
import { ObservedModel } from '../agent/observed-model.ts';
import type { RunEvents } from '../runs/events.ts';
import { EXPIRED_BY } from '../runs/lifecycle.ts';
import type { ApprovalDecision } from '../runs/types.ts';
import type { HostedEndpoint } from '../backends/types.ts';
import type { PromptStep } from '../workflow/types.ts';
import { StepFailure } from './failure.ts';
import { outputContract } from './output-schema.ts';

/** Everything a prompt step needs; the engine builds it. */
export interface PromptStepContext {
  step: PromptStep;
  prompt: string;
  instructions: string;
  /** Agent name (the workflow's). */
  agentName: string;
  gateway: ToolGateway;
  model: ModelChoice;
  maxTurns: number;
  signal: AbortSignal;
  /** Set in hosted mode: the provider calls tools itself at this endpoint. */
  hosted?: HostedEndpoint;
  tracingDisabled: boolean;
  /** Awaited before each model request (shared rate limit). */
  beforeRequest?: (signal?: AbortSignal) => Promise<void>;
  /** Where turns and model retries are reported (the attempt's record, the token budget and progress listen). */
  events: RunEvents;
  /** Longest final answer kept, in JSON characters (RUNNER_MAX_OUTPUT_CHARS). */
  maxOutputChars: number;
  /** Continues a step that waited for approval: the SDK's saved run state and the decisions by call id. */
  resume?: { state: string; decisions: ReadonlyMap<string, ApprovalDecision> };
}

/** A call the model made that waits for a person (its tool needs approval). */
export interface HeldCall {
  callId: string;
  tool: string;
  args: Record<string, unknown>;
}

/** How a prompt step ended: with its output, or paused on calls that wait for a person (and the state to resume). */
export type PromptStepOutcome = { output: unknown } | { paused: { state: string; calls: HeldCall[] } };

/** Runs the step and returns its output (text, or the validated structured value), or where it paused. */
export async function runPromptStep(context: PromptStepContext): Promise<PromptStepOutcome> {
  const { step, gateway, events } = context;
  const observed = new ObservedModel(context.model.model, {
    beforeRequest: context.beforeRequest,
    onTurn: (turn, usage) => events.emit('turn', { step: step.id, turn, usage }),
    onHostedCall: (call) => gateway.recordHosted(call, step.id),
  });
  const contract = step.output ? outputContract(step.id, step.output.schema) : undefined;
  const tools: Tool[] = context.hosted
    ? [
        hostedMcpTool({
          serverLabel: context.hosted.label,
          serverUrl: context.hosted.url,
          headers: context.hosted.headers,
          requireApproval: 'never',
          // A meta-tool router offers only its COMPOSIO_* tools; restricting to app tools would leave the provider none.
          ...(gateway.access.backend.router ? {} : { allowedTools: gateway.access.allowedNames() }),
        }),
      ]
    : gatewayTools(gateway.access.offered(), { gateway, step: step.id, model: observed, signal: context.signal });
  const agent = new Agent({
    name: context.agentName,
    instructions: context.instructions,
    model: observed,
    modelSettings: {
      ...context.model.settings,
      retry: {
        ...context.model.settings.retry,
        policy: async (retry) => {
          const decision = await context.model.settings.retry!.policy!(retry);
          const again = decision === true || (typeof decision === 'object' && decision.retry);
          if (again) {
            events.emit('model_retry', {
              step: step.id,
              attempt: retry.attempt,
              status: retry.normalized.statusCode,
              delayMs: typeof decision === 'object' ? decision.delayMs : undefined,
            });
          }
          return decision;
        },
      },
    },
    tools,
    ...(contract ? { outputType: contract.definition } : {}),
  });
  const runner = new Runner({
    tracingDisabled: context.tracingDisabled,
    toolNotFoundBehavior: 'return_error_to_model',
    toolErrorFormatter: ({ kind, toolName, callId }) => {
      if (kind !== 'tool_not_found') return undefined;
      const asked = observed.calls.get(callId);
      // The record names the tool as the model wrote it (the SDK saw a name safe to replay).
      return JSON.stringify(
        gateway.refuseUnavailable(asked?.askedAs ?? toolName, (asked?.args ?? {}) as Record<string, unknown>, { step: step.id, turn: asked?.turn }),
      );
    },
  });
  let input: unknown = context.prompt;
  if (context.resume) {
    const state = await RunState.fromString(agent as never, context.resume.state);
    for (const item of state.getInterruptions()) {
      const callId = (item.rawItem as { callId?: string }).callId ?? '';
      const decision = context.resume.decisions.get(callId);
      if (decision?.approved) state.approve(item);
      else state.reject(item, { message: refusedByPerson(decision) });
    }
    input = state as never;
  }
  const result = await runner.run(agent, input as never, { maxTurns: context.maxTurns, signal: context.signal });
  if (result.interruptions?.length) {
    const calls = result.interruptions.map((item) => {
      const raw = item.rawItem as { callId?: string; name?: string; arguments?: string };
      return { callId: raw.callId ?? '', tool: raw.name ?? item.name ?? '?', args: parseArguments(raw.arguments) };
    });
    return { paused: { state: result.state.toString(), calls } };
  }
  return { output: finalOutput(result.finalOutput, context, contract) };
}

/** What the model is told of a call a person rejected. */
function refusedByPerson(decision: ApprovalDecision | undefined): string {
  const why = decision?.reason ? `: ${decision.reason}` : '';
  const who = decision?.by === EXPIRED_BY ? 'nobody approved it in time' : `${decision?.by ?? 'a person'} refused it${why}`;
  return `Refused by a person (${who}). The call was not executed; do not make it again, and say so in your final answer.`;
}

function parseArguments(text: string | undefined): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { _unparsed: text };
  }
}

/** The step's output from the final answer: bounded in size, checked against output.schema when there is one. */
function finalOutput(final: unknown, context: PromptStepContext, contract: ReturnType<typeof outputContract> | undefined): unknown {
  const size = typeof final === 'string' ? final.length : (JSON.stringify(final) ?? '').length;
  if (size > context.maxOutputChars) {
    throw new StepFailure({
      kind: 'limit',
      message: `the final answer is ${size.toLocaleString('en-US')} characters, more than the ${context.maxOutputChars.toLocaleString('en-US')} a step may keep (RUNNER_MAX_OUTPUT_CHARS)`,
      retryable: false,
    });
  }
  if (!contract) return typeof final === 'string' ? final : JSON.stringify(final);
  const read = contract.read(final);
  if (!read.ok) {
    throw new StepFailure({
      kind: 'model',
      message: `the final answer does not match output.schema: ${read.problems.join('; ')}`,
      retryable: true,
    });
  }
  return read.value;
}
