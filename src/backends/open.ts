/** Opening a run's tool backend by name. Only the chosen backend's modules are loaded. */
import type { BackendName, RunnerConfig } from '../config/config.ts';
import type { BackendOpener, SandboxLauncher } from './types.ts';

/** What an opener needs from its owner. */
export interface BackendOpenerOptions {
  /**
   * Starts the embedded sandbox in-process for the `sandbox` backend when RUNNER_SANDBOX_URL is not set (default:
   * none; the sandbox backend then needs RUNNER_SANDBOX_URL).
   */
  sandbox?: SandboxLauncher;
}

/** Builds the function that opens sandbox, composio, mcp or confluence backends. */
export function createBackendOpener(options: BackendOpenerOptions = {}): BackendOpener {
  return async (config, open) => {
    switch (open.name) {
      case 'sandbox':
        return (await import('./sandbox.ts')).openSandboxBackend(config, options.sandbox);
      case 'composio':
        return (await import('./composio.ts')).openComposioBackend(config, { allowed: open.allowed });
      case 'mcp':
        return (await import('./mcp.ts')).openCustomMcpBackend(config, open.mcp);
      case 'confluence':
        return (await import('./confluence.ts')).openConfluenceBackend(config);
    }
  };
}

/**
 * Checks, before a run begins, the settings a backend cannot open without, so a missing one is a user error (exit 2)
 * rather than a failed run.
 */
export async function checkBackendSettings(config: RunnerConfig, name: BackendName): Promise<void> {
  if (name === 'confluence') (await import('./confluence.ts')).confluenceSite(config);
}
