import type { RunnerConfig } from '../../config/config.ts';
import type { Workflow } from '../../workflow/types.ts';
import type { ToolBackend } from './types.ts';

/** Options of {@link openBackend}. */
export interface OpenBackendOptions {
  /** Backend name: the flag, else the workflow's tools.backend, else RUNNER_BACKEND. */
  name: 'sandbox' | 'composio' | 'mcp';
  /** Tools the run may call (a Composio session is restricted to them). */
  allowed: readonly string[];
}

/** Opens the backend a run uses. Only the chosen backend's modules are loaded. */
export async function openBackend(workflow: Workflow, config: RunnerConfig, options: OpenBackendOptions): Promise<ToolBackend> {
  switch (options.name) {
    case 'sandbox':
      return (await import('./sandbox.ts')).openSandboxBackend(config);
    case 'composio':
      return (await import('./composio.ts')).openComposioBackend(config, { allowed: options.allowed });
    case 'mcp':
      return (await import('./mcp.ts')).openCustomMcpBackend(config, workflow.tools.mcp);
  }
}
