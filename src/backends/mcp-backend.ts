import type { MCPServer } from '@openai/agents';
import { ExternalError } from '../shared/errors.ts';
import type { ToolEnvelope, ToolFailure } from '../toolkit/types.ts';
import type { BackendTool } from '../toolkit/types.ts';
import type { HostedEndpoint, ToolBackend } from './types.ts';

/** Options of {@link openMcpBackend}. */
export interface McpBackendOptions {
  /** Backend name for records (sandbox, composio, mcp). */
  name: string;
  /** An unconnected Agents SDK MCP server (streamable HTTP or stdio). */
  server: MCPServer;
  /** True for a Tool Router session in meta-tool mode (default false). */
  router?: boolean;
  /** The endpoint for hosted mode (default: none, hosted mode unavailable). */
  hosted?: HostedEndpoint;
  /** Runs after the server closes (e.g. stopping an in-process sandbox); default none. */
  onClose?: () => Promise<void>;
}

/** Connects to an MCP server through the Agents SDK's client and lists its tools once. */
export async function openMcpBackend(options: McpBackendOptions): Promise<ToolBackend> {
  const { server } = options;
  try {
    await server.connect();
  } catch (error) {
    await options.onClose?.();
    throw new ExternalError('tool', `cannot connect to the ${options.name} MCP server: ${(error as Error).message}`, { cause: error });
  }
  let tools: BackendTool[];
  try {
    tools = (await server.listTools()).map((t) => ({
      name: t.name,
      description: t.description ?? '',
      inputSchema: (t.inputSchema ?? { type: 'object', properties: {} }) as Record<string, unknown>,
      annotations: (t as { annotations?: BackendTool['annotations'] }).annotations,
    }));
  } catch (error) {
    await server.close().catch(() => {});
    await options.onClose?.();
    throw new ExternalError('tool', `the ${options.name} MCP server did not list its tools: ${(error as Error).message}`, { cause: error });
  }
  let closed = false;
  let failures = 0;
  return {
    get healthy() {
      return !closed && failures === 0;
    },
    name: options.name,
    router: options.router ?? false,
    tools,
    hosted: options.hosted,
    async call(name, args, callOptions) {
      try {
        const result = server.callToolResult
          ? await server.callToolResult(name, args, undefined, callOptions?.signal ? { signal: callOptions.signal } : undefined)
          : { content: await server.callTool(name, args), isError: false };
        return toEnvelope(result as McpResult);
      } catch (error) {
        // A call cut short by its own signal says nothing about the connection; anything else might.
        const aborted = callOptions?.signal?.aborted === true;
        if (!aborted) failures += 1;
        return {
          data: null,
          error: `${name} failed in the ${options.name} backend: ${(error as Error).message}`,
          successful: false,
          failure: aborted ? { kind: 'cancelled', retryable: false } : { kind: 'tool', retryable: true },
        };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await server.close().catch(() => {});
      await options.onClose?.();
    },
  };
}

interface McpResult {
  content?: Array<{ type: string; text?: string }>;
  structuredContent?: unknown;
  isError?: boolean;
}

/**
 * Reads an MCP result as a toolkit envelope: the structured envelope when the server sends one (sandbox, tool
 * router), else the text parsed as JSON when it is, else the text itself.
 */
export function toEnvelope(result: McpResult): ToolEnvelope {
  if (isEnvelope(result.structuredContent)) return withFailure(result.structuredContent);
  const text = (result.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text ?? '')
    .join('\n');
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Plain text is a fine tool result.
  }
  if (isEnvelope(data)) return withFailure(data);
  if (result.isError) return { data: null, error: text || 'the tool reported an error', successful: false };
  return { data: data ?? result.structuredContent ?? null, error: null, successful: true };
}

/**
 * The envelope with its `failure` kept only when it is well formed (a server is not trusted to send one), and
 * dropped on success.
 */
function withFailure(envelope: ToolEnvelope): ToolEnvelope {
  const { failure, ...rest } = envelope;
  if (envelope.successful || !failure || typeof failure !== 'object') return rest;
  const kind = FAILURE_KINDS.includes(failure.kind) ? failure.kind : undefined;
  if (!kind || typeof failure.retryable !== 'boolean') return rest;
  return { ...rest, failure: { kind, retryable: failure.retryable, ...(Number.isInteger(failure.status) ? { status: failure.status } : {}) } };
}

const FAILURE_KINDS: ReadonlyArray<ToolFailure['kind']> = ['tool', 'validation', 'cancelled', 'limit'];

function isEnvelope(value: unknown): value is ToolEnvelope {
  return typeof value === 'object' && value !== null && 'successful' in value && typeof (value as ToolEnvelope).successful === 'boolean' && 'data' in value;
}
