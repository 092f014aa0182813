/**
 * The in-process sandbox launcher the CLI (or a test) gives the sandbox backend. One launcher shares one sandbox per
 * database file among every backend it lends to, so concurrent runs use one server and one SQLite connection
 * instead of racing several over the same file; the last lease out stops it.
 */
import type { SandboxLauncher, SandboxLease } from '../backends/types.ts';
import type { RunnerConfig } from '../config/config.ts';
import type { SandboxWithMcp } from './with-mcp.ts';

/** Creates a launcher; its sandboxes live until their last lease is released. */
export function createSandboxLauncher(): SandboxLauncher {
  const running = new Map<string, { sandbox: Promise<SandboxWithMcp>; leases: number }>();

  const release = async (dbPath: string): Promise<void> => {
    const entry = running.get(dbPath);
    if (!entry) return;
    entry.leases -= 1;
    if (entry.leases > 0) return;
    running.delete(dbPath);
    await (await entry.sandbox).close();
  };

  return {
    async acquire(config: RunnerConfig): Promise<SandboxLease> {
      const { dbPath, email, apiToken, publicUrl } = config.sandbox;
      let entry = running.get(dbPath);
      if (!entry) {
        // Loaded on first use: a process that never starts a sandbox never loads it. Its port dies with the process,
        // so the links it hands out name publicUrl, where `runner sandbox serve` shows the same database.
        const sandbox = import('./with-mcp.ts').then(({ startSandboxWithMcp }) =>
          startSandboxWithMcp({ dbPath, port: 0, seed: true, publicUrl, users: [{ email, apiToken, displayName: 'Sandbox User' }] }),
        );
        entry = { sandbox, leases: 0 };
        running.set(dbPath, entry);
        sandbox.catch(() => running.delete(dbPath));
      }
      entry.leases += 1;
      let sandbox: SandboxWithMcp;
      try {
        sandbox = await entry.sandbox;
      } catch (error) {
        entry.leases -= 1;
        throw error;
      }
      let released = false;
      return {
        mcpUrl: sandbox.mcpUrl,
        headers: sandbox.mcpHeaders,
        release: async () => {
          if (released) return;
          released = true;
          await release(dbPath);
        },
      };
    },
  };
}
