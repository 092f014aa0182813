/**
 * A tool backend: where a run's tool calls go. Every backend is reached over MCP (the embedded sandbox's `/mcp`,
 * Composio's Tool Router, any MCP server), so the engine and the gateway see one shape.
 */
import type { ToolEnvelope } from '../toolkit/types.ts';

/** What a backend offers the model: a tool as its MCP server lists it. */
export interface BackendTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
  /** MCP hints, used for tools the Confluence catalogue does not know. */
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean };
}

/** Where the model provider itself should call tools (`tools.mode: hosted`). */
export interface HostedEndpoint {
  /** MCP server label shown to the model. */
  label: string;
  url: string;
  /** Headers the provider must send (e.g. `x-api-key`); secrets, never recorded. */
  headers: Record<string, string>;
}

/** An open connection to a tool backend. */
export interface ToolBackend {
  /** sandbox, composio or mcp. */
  readonly name: string;
  /** True when the backend is Composio's Tool Router in meta-tool mode (COMPOSIO_* tools wrap app tools). */
  readonly router: boolean;
  /** The tools the backend offers, listed once when it opened. */
  readonly tools: readonly BackendTool[];
  /** The endpoint for hosted mode, when the backend can be reached from the model provider. */
  readonly hosted?: HostedEndpoint;
  /** False once a transport failure was seen or it closed: a pool must not hand it out again (default true). */
  readonly healthy?: boolean;
  /** Runs one tool; always resolves to an envelope (transport failures become `successful: false`). */
  call(name: string, args: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<ToolEnvelope>;
  /** Closes the connection and anything the backend started; safe to call twice. */
  close(): Promise<void>;
}
