/** Opening a run's tool backend by name. Only the chosen backend's modules are loaded. */
import type { BackendOpener, SandboxLauncher } from './types.ts';

/** What an opener needs from its owner. */
export interface BackendOpenerOptions {
  /**
   * Starts the embedded sandbox in-process for the `sandbox` backend when RUNNER_SANDBOX_URL is not set (default:
   * none; the sandbox backend then needs RUNNER_SANDBOX_URL).
   */
  sandbox?: SandboxLauncher;
}

/** Builds the function that opens sandbox, composio or mcp backends. */
export function createBackendOpener(options: BackendOpenerOptions = {}): BackendOpener {
  return async (config, open) => {
    switch (open.name) {
      case 'sandbox':
        return (await import('./sandbox.ts')).openSandboxBackend(config, options.sandbox);
      case 'composio':
        return (await import('./composio.ts')).openComposioBackend(config, { allowed: open.allowed });
      case 'mcp':
        return (await import('./mcp.ts')).openCustomMcpBackend(config, open.mcp);
    }
  };
}
