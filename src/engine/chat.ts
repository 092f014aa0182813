/**
 * The product guide's interactive agent, on the same backends, gateway and models as workflow runs: one agent,
 * a persistent conversation (any Agents SDK Session), every tool call gated and reported.
 */
import { Agent, Runner, type Session } from '@openai/agents';
import { gatewayTools } from '../agent/function-tools.ts';
import { ToolGateway } from '../agent/gateway.ts';
import { createModel } from '../agent/model.ts';
import { ObservedModel } from '../agent/observed-model.ts';
import { createToolPolicy } from '../agent/tool-policy.ts';
import type { RunnerConfig } from '../config/config.ts';
import type { ToolCallRecord } from '../runs/types.ts';
import { createRedactor } from '../shared/redact.ts';
import { openBackend as defaultOpenBackend } from '../backends/open.ts';
import type { ToolBackend } from '../backends/types.ts';
import { confluenceCatalogue } from '../toolkit/catalogue.ts';

/** The guide's instructions for the chat agent. */
export const CHAT_INSTRUCTIONS =
  'You are a helpful assistant that can access Confluence. Help users perform Confluence operations through natural language. ' +
  'Use the tools to look things up before answering, and say plainly when a tool call fails or is refused.';

/** The guide's first turn. */
export const GREETING = 'What can you help me with?';

/** Options of {@link openChat}. */
export interface ChatOptions {
  config: RunnerConfig;
  /** Where the conversation lives. */
  session: Session;
  /** Backend name (default: configuration). */
  backend?: RunnerConfig['backend'];
  /** Allow destructive tools (default false: read and write tools only). */
  allowDestructive?: boolean;
  /** Simulate writes (default false). */
  preview?: boolean;
  /** Told of every tool call. */
  onToolCall?: (call: ToolCallRecord) => void;
  /** Opens the backend (default: the real ones). */
  openBackend?: typeof defaultOpenBackend;
}

/** An open chat. */
export interface Chat {
  /** Sends one user message; yields the answer's text as it streams, and resolves when the turn is done. */
  send(text: string, onText?: (delta: string) => void): Promise<string>;
  /** Closes the backend; safe to call twice. */
  close(): Promise<void>;
}

/** Opens the backend and builds the agent. */
export async function openChat(options: ChatOptions): Promise<Chat> {
  const { config } = options;
  const catalogue = confluenceCatalogue();
  const allowed = catalogue.tools.filter((t) => t.effect !== 'destructive' || options.allowDestructive).map((t) => t.slug);
  const backend: ToolBackend = await (options.openBackend ?? defaultOpenBackend)(config, { name: options.backend ?? config.backend, allowed });
  const gateway = new ToolGateway({
    backend,
    policy: createToolPolicy({ allow: allowed, allowDestructive: options.allowDestructive, catalogue, backendTools: backend.tools, router: backend.router }),
    catalogue,
    preview: options.preview === true,
    timeoutMs: config.tools.timeoutMs,
    recordResultChars: config.tools.recordResultChars,
    redact: createRedactor(config.secrets),
    onCall: (record) => options.onToolCall?.(record),
  });
  const choice = createModel(config, config.model);
  const runner = new Runner({ tracingDisabled: !(config.openai.tracing && !config.openai.baseUrl), toolNotFoundBehavior: 'return_error_to_model' });
  return {
    async send(text, onText) {
      const model = new ObservedModel(choice.model);
      const agent = new Agent({
        name: 'Assistant',
        instructions: CHAT_INSTRUCTIONS,
        model,
        modelSettings: choice.settings,
        tools: gatewayTools(gateway.options.policy.modelTools(), { gateway, step: 'chat', model }),
      });
      const stream = await runner.run(agent, text, { session: options.session, stream: true, maxTurns: 30 });
      let answer = '';
      for await (const delta of stream.toTextStream()) {
        answer += delta;
        onText?.(delta);
      }
      await stream.completed;
      if (stream.error) throw stream.error;
      return typeof stream.finalOutput === 'string' ? stream.finalOutput : answer;
    },
    close: () => backend.close(),
  };
}
