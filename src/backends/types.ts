/**
 * A tool backend: where a run's tool calls go: over MCP (the embedded sandbox's `/mcp`, Composio's Tool Router, any
 * MCP server) or in-process (the Confluence toolkit against a site's REST API); the engine and the gateway see one shape.
 */
import type { BackendName, RunnerConfig } from '../config/config.ts';
import type { McpOptions } from '../workflow/types.ts';
import type { BackendTool, ToolEnvelope } from '../toolkit/types.ts';

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
  /** sandbox, composio, mcp or confluence. */
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

/** What to open. */
export interface OpenBackendOptions {
  /** Backend name: the flag, else the workflow's tools.backend, else RUNNER_BACKEND. */
  name: BackendName;
  /** The Confluence tools the run may call: a Composio session is scoped to them (the tool access's allowed tools). */
  allowed: readonly string[];
  /** The `mcp` backend's server (a workflow's tools.mcp); required for that backend only. */
  mcp?: McpOptions;
}

/** Opens the backend a run uses; the engine, chat and the worker's pool take one. */
export type BackendOpener = (config: RunnerConfig, options: OpenBackendOptions) => Promise<ToolBackend>;

/** An in-process sandbox lent to a backend: its MCP endpoint, and the way to give it back. */
export interface SandboxLease {
  mcpUrl: string;
  /** The headers a client sends to `mcpUrl` (the sandbox's credentials). */
  headers: Record<string, string>;
  /** Gives the sandbox back; the last lease out stops it. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * Starts (or shares) the embedded Confluence in this process. Injected by whoever owns the process (the CLI, a
 * test), so the low-level sandbox backend keeps no process-wide state of its own.
 */
export interface SandboxLauncher {
  acquire(config: RunnerConfig): Promise<SandboxLease>;
}
