import type { RunnerConfig } from '../config/config.ts';
import type { McpOptions } from '../workflow/types.ts';
import type { ToolBackend } from './types.ts';

/** Options of {@link openBackend}. */
export interface OpenBackendOptions {
  /** Backend name: the flag, else the workflow's tools.backend, else RUNNER_BACKEND. */
  name: 'sandbox' | 'composio' | 'mcp';
  /** Tools the run may call (a Composio session is restricted to them). */
  allowed: readonly string[];
  /** The `mcp` backend's server (a workflow's tools.mcp); required for that backend only. */
  mcp?: McpOptions;
}

/** Opens the backend a run uses. Only the chosen backend's modules are loaded. */
export async function openBackend(config: RunnerConfig, options: OpenBackendOptions): Promise<ToolBackend> {
  switch (options.name) {
    case 'sandbox':
      return (await import('./sandbox.ts')).openSandboxBackend(config);
    case 'composio':
      return (await import('./composio.ts')).openComposioBackend(config, { allowed: options.allowed });
    case 'mcp':
      return (await import('./mcp.ts')).openCustomMcpBackend(config, options.mcp);
  }
}
