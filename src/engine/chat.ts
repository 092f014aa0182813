/**
 * The product guide's interactive agent, on the same backends, gateway and models as workflow runs: one agent,
 * a persistent conversation (any Agents SDK Session), every tool call gated and reported.
 */
import { Agent, Runner, type Session } from '@openai/agents';
import { gatewayTools } from '../agent/function-tools.ts';
import { ToolGateway } from '../agent/gateway/index.ts';
import { createModel } from '../agent/model.ts';
import { ObservedModel } from '../agent/observed-model.ts';
import type { RunnerConfig } from '../config/config.ts';
import type { ToolCallRecord } from '../runs/types.ts';
import { createRedactor } from '../shared/redact.ts';
import { createBackendOpener } from '../backends/open.ts';
import type { BackendOpener, ToolBackend } from '../backends/types.ts';
import { RunEvents } from '../runs/events.ts';
import { createSandboxLauncher } from '../sandbox/launcher.ts';
import { agentsTracingEnabled } from '../telemetry/trace-start.ts';
import { createToolAccess } from '../toolkit/access.ts';
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
  /** Opens the backend (default: the real ones, with an in-process sandbox of the chat's own). */
  openBackend?: BackendOpener;
}

/** An open chat. */
export interface Chat {
  /** Sends one user message; yields the answer's text as it streams, and resolves when the turn is done. */
  send(text: string, onText?: (delta: string) => void): Promise<string>;
  /** Closes the backend; safe to call twice. */
  close(): Promise<void>;
}

/** Opens the backend and builds the agent. Checks the model settings first, and never leaves a backend open on failure. */
export async function openChat(options: ChatOptions): Promise<Chat> {
  const { config } = options;
  const catalogue = confluenceCatalogue();
  // Chat may use every tool of the catalogue; destructive ones only with --allow-destructive.
  const access = createToolAccess({ allow: catalogue.tools.map((t) => t.slug), allowDestructive: options.allowDestructive === true, catalogue });
  const choice = createModel(config, config.model);
  const open = options.openBackend ?? createBackendOpener({ sandbox: createSandboxLauncher() });
  const backend: ToolBackend = await open(config, { name: options.backend ?? config.backend, allowed: access.allowedTools().map((t) => t.slug) });
  try {
    const events = new RunEvents({ redact: createRedactor(config.secrets) });
    if (options.onToolCall) events.on('tool_end', ({ call }) => options.onToolCall?.(call));
    const gateway = new ToolGateway({
      backend,
      access,
      catalogue,
      preview: options.preview === true,
      timeoutMs: config.tools.timeoutMs,
      recordResultChars: config.tools.recordResultChars,
      events,
      redact: createRedactor(config.secrets),
    });
    const runner = new Runner({ tracingDisabled: !agentsTracingEnabled(config), toolNotFoundBehavior: 'return_error_to_model' });
    return {
      async send(text, onText) {
        const model = new ObservedModel(choice.model);
        const agent = new Agent({
          name: 'Assistant',
          instructions: CHAT_INSTRUCTIONS,
          model,
          modelSettings: choice.settings,
          tools: gatewayTools(gateway.access.offered(), { gateway, step: 'chat', model }),
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
  } catch (error) {
    await backend.close();
    throw error;
  }
}
