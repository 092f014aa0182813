import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { annotationsFor } from '../toolkit/annotations.ts';
import type { ToolDefinition, ToolEnvelope, ToolExecutor } from '../toolkit/types.ts';

export { annotationsFor } from '../toolkit/annotations.ts';

/** Options of {@link createToolkitMcpServer}. */
export interface ToolkitMcpServerOptions {
  /** Server name reported in the MCP handshake. */
  name: string;
  /** Server version reported in the MCP handshake. */
  version: string;
  /** Which of the executor's tools to expose (default: all of them). */
  tools?: (tool: ToolDefinition) => boolean;
  /** Instructions sent to clients in the handshake (default: none). */
  instructions?: string;
  /** MCP annotations of a tool (default: {@link annotationsFor}, derived from its effect). */
  annotate?: (tool: ToolDefinition) => ToolAnnotations;
}

/** The MCP `Tool` listing entry of one catalogue tool. */
export function toMcpTool(tool: ToolDefinition, annotate = annotationsFor): Tool {
  return {
    name: tool.slug,
    title: tool.name,
    description: tool.description,
    inputSchema: { ...tool.input, type: 'object' } as Tool['inputSchema'],
    annotations: annotate(tool),
  };
}

/** Wraps a tool envelope as an MCP result: JSON text plus structured content, `isError` when it failed. */
export function envelopeResult(envelope: ToolEnvelope): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(envelope) }],
    structuredContent: envelope as unknown as Record<string, unknown>,
    isError: !envelope.successful,
  };
}

/**
 * An MCP server (low-level `Server`, since the catalogue already speaks JSON Schema) exposing an executor's tools.
 * Calls never throw to the client: failures come back as `isError` results carrying the envelope.
 */
export function createToolkitMcpServer(executor: ToolExecutor, options: ToolkitMcpServerOptions): Server {
  const server = new Server(
    { name: options.name, version: options.version },
    {
      capabilities: { tools: {} },
      // Each stateless HTTP request gets a server; one validator for all of them spares each its own Ajv (~1 ms).
      jsonSchemaValidator: sharedValidator(),
      ...(options.instructions ? { instructions: options.instructions } : {}),
    },
  );
  const exposed = (): ToolDefinition[] => executor.list().filter((t) => options.tools?.(t) ?? true);

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: exposed().map((t) => toMcpTool(t, options.annotate)),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    const tools = exposed();
    if (!tools.some((t) => t.slug === name)) {
      return envelopeResult({
        data: null,
        error: `Unknown tool "${name}". Available tools: ${tools.map((t) => t.slug).join(', ')}.`,
        successful: false,
        failure: { kind: 'validation', retryable: false },
      });
    }
    try {
      return envelopeResult(await executor.execute(name, args ?? {}, { signal: extra.signal }));
    } catch (error) {
      // Executors promise never to throw; if one does anyway, the client still gets an envelope, not a protocol error.
      return envelopeResult({
        data: null,
        error: `Tool ${name} failed: ${(error as Error).message}`,
        successful: false,
        failure: { kind: 'tool', retryable: false },
      });
    }
  });
  return server;
}

let validator: AjvJsonSchemaValidator | undefined;

/** The process's one JSON Schema validator for MCP servers (it only caches compiled schemas). */
function sharedValidator(): AjvJsonSchemaValidator {
  validator ??= new AjvJsonSchemaValidator();
  return validator;
}
