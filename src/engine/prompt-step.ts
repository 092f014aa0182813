/** A prompt step: the agent with the rendered prompt, the workflow's instructions and the allowed tools. */
import { Agent, Runner, hostedMcpTool, type Tool } from '@openai/agents';
import { gatewayTools } from '../agent/function-tools.ts';
import type { ToolGateway } from '../agent/gateway.ts';
import type { ModelChoice } from '../agent/model.ts';
import { ObservedModel, type HostedCall } from '../agent/observed-model.ts';
import type { StepRecord, TokenUsage } from '../runs/types.ts';
import type { HostedEndpoint } from '../backends/types.ts';
import type { PromptStep } from '../workflow/types.ts';
import type { RunEventListener } from './events.ts';
import { StepFailure } from './failure.ts';
import { outputContract } from './output-schema.ts';

/** Everything a prompt step needs; the engine builds it. */
export interface PromptStepContext {
  step: PromptStep;
  /** Filled in as the step runs (turns, usage, retries). */
  record: StepRecord;
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
  /** Told of each answer's usage (the run's token budget). */
  onUsage: (usage: TokenUsage) => void;
  /** Told of each tool call the provider ran itself. */
  onHostedCall: (call: HostedCall) => void;
  emit: RunEventListener;
}

/** Runs the step and returns its output (text, or the validated structured value). */
export async function runPromptStep(context: PromptStepContext): Promise<unknown> {
  const { step, record, gateway } = context;
  const observed = new ObservedModel(context.model.model, {
    beforeRequest: context.beforeRequest,
    onTurn: (turn, usage) => {
      record.turns = turn;
      record.usage = { ...observed.usage };
      context.onUsage(usage);
      context.emit({ type: 'turn', step: step.id, turn, usage });
    },
    onHostedCall: context.onHostedCall,
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
          ...(gateway.options.backend.router ? {} : { allowedTools: gateway.options.policy.allowed() }),
        }),
      ]
    : gatewayTools(gateway.options.policy.modelTools(), { gateway, step: step.id, model: observed, signal: context.signal });
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
            record.modelRetries = (record.modelRetries ?? 0) + 1;
            context.emit({
              type: 'model_retry',
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
  try {
    const runner = new Runner({
      tracingDisabled: context.tracingDisabled,
      toolNotFoundBehavior: 'return_error_to_model',
      toolErrorFormatter: ({ kind, toolName, callId }) => {
        if (kind !== 'tool_not_found') return undefined;
        const asked = observed.calls.get(callId);
        const reason = gateway.unavailableReason(toolName);
        return JSON.stringify(gateway.refuse(toolName, asked?.args ?? {}, { step: step.id, turn: asked?.turn }, reason));
      },
    });
    const result = await runner.run(agent, context.prompt, { maxTurns: context.maxTurns, signal: context.signal });
    const final = result.finalOutput;
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
  } finally {
    record.turns = observed.turns;
    record.usage = { ...observed.usage };
  }
}
