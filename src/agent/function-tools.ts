import { tool, type FunctionTool } from '@openai/agents';
import type { BackendTool } from '../toolkit/types.ts';
import { compactSchema } from './compact-schema.ts';
import type { ToolGateway } from './gateway/index.ts';
import type { ObservedModel } from './observed-model.ts';

/** Options of {@link gatewayTools}. */
export interface GatewayToolsOptions {
  gateway: ToolGateway;
  /** The step the tools serve. */
  step: string;
  /** The step's model, which knows the turn each call id belongs to. */
  model: ObservedModel;
  /** The run's signal. */
  signal?: AbortSignal;
}

/**
 * The backend's tools as Agents SDK function tools whose every call goes through the gateway. Only the tools the
 * policy allows are offered; the model sees each envelope as JSON text.
 */
export function gatewayTools(tools: readonly BackendTool[], options: GatewayToolsOptions): FunctionTool[] {
  return tools.map(
    (t) =>
      tool({
        name: t.name,
        description: t.description,
        // The schema keeps its own additionalProperties; the SDK's type wants `true` for non-strict tools, the API takes either.
        parameters: {
          properties: {},
          required: [],
          ...compactSchema(t.inputSchema),
          type: 'object',
        } as never,
        strict: false,
        // A call the workflow's approval rule holds is not executed: the SDK interrupts the run, which waits.
        needsApproval: async (_context, input) => options.gateway.needsApproval(t.name, parseArgs(input)),
        execute: async (input: unknown, _context, details) => {
          const callId = details?.toolCall?.callId;
          const turn = (callId ? options.model.calls.get(callId)?.turn : undefined) ?? options.model.turns;
          const context = { step: options.step, turn, signal: options.signal };
          const invalid = callId ? options.model.invalidArguments.get(callId) : undefined;
          if (invalid) return JSON.stringify(options.gateway.refuseInvalidArguments(t.name, invalid.raw, invalid.problem, context));
          const envelope = await options.gateway.call(t.name, parseArgs(input), context);
          return JSON.stringify(envelope);
        },
      }) as unknown as FunctionTool,
  );
}

function parseArgs(input: unknown): Record<string, unknown> {
  if (typeof input === 'string') {
    if (!input.trim()) return {};
    try {
      const parsed = JSON.parse(input) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
    } catch {
      return { _unparsed: input };
    }
  }
  return input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
}
