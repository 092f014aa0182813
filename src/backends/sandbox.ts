import { MCPServerStreamableHttp, getLogger } from '@openai/agents';
import type { RunnerConfig } from '../config/config.ts';
import { openMcpBackend } from './mcp-backend.ts';
import type { ToolBackend } from './types.ts';

type Logger = ReturnType<typeof getLogger>;
type LocalSandbox = Awaited<ReturnType<typeof import('../sandbox/with-mcp.ts').startSandboxWithMcp>>;

/** In-process sandboxes by database file, shared by every backend of this process that uses that file. */
const local = new Map<string, { sandbox: Promise<LocalSandbox>; users: number }>();

/**
 * The embedded Confluence as a backend: a running sandbox when RUNNER_SANDBOX_URL names one, else one started
 * in-process on a free loopback port over RUNNER_SANDBOX_DB (seeded with demo content the first time), stopped
 * again when the backend closes. Either way the agent reaches it through its `/mcp` endpoint.
 */
export async function openSandboxBackend(config: RunnerConfig): Promise<ToolBackend> {
  if (config.sandbox.url) {
    const mcpUrl = `${config.sandbox.url.replace(/\/+$/, '')}/mcp`;
    return openMcpBackend({ name: 'sandbox', server: streamable(mcpUrl), hosted: { label: 'confluence_sandbox', url: mcpUrl, headers: {} } });
  }
  const sandbox = await acquireLocalSandbox(config);
  return openMcpBackend({
    name: 'sandbox',
    server: streamable(sandbox.mcpUrl),
    hosted: { label: 'confluence_sandbox', url: sandbox.mcpUrl, headers: {} },
    onClose: () => releaseLocalSandbox(config.sandbox.dbPath),
  });
}

/**
 * Starts the in-process sandbox over RUNNER_SANDBOX_DB, or joins the one this process already runs on that file:
 * concurrent runs then share one server and one SQLite connection instead of racing several over the same file.
 */
async function acquireLocalSandbox(config: RunnerConfig): Promise<LocalSandbox> {
  let entry = local.get(config.sandbox.dbPath);
  if (!entry) {
    const started = import('../sandbox/with-mcp.ts').then(({ startSandboxWithMcp }) =>
      startSandboxWithMcp({
        dbPath: config.sandbox.dbPath,
        port: 0,
        seed: true,
        users: [{ email: config.sandbox.email, apiToken: config.sandbox.apiToken, displayName: 'Sandbox User' }],
      }),
    );
    entry = { sandbox: started, users: 0 };
    local.set(config.sandbox.dbPath, entry);
    started.catch(() => local.delete(config.sandbox.dbPath));
  }
  entry.users += 1;
  try {
    return await entry.sandbox;
  } catch (error) {
    entry.users -= 1;
    throw error;
  }
}

/** Leaves the shared in-process sandbox; the last one out stops it. */
async function releaseLocalSandbox(dbPath: string): Promise<void> {
  const entry = local.get(dbPath);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  local.delete(dbPath);
  await (await entry.sandbox).close();
}

/** The SDK's streamable-HTTP MCP client with the tool list cached for the backend's lifetime. */
export function streamable(url: string, headers: Record<string, string> = {}, name = 'confluence'): MCPServerStreamableHttp {
  return new MCPServerStreamableHttp({ url, name, cacheToolsList: true, requestInit: { headers }, logger: quietLogger(name) });
}

/**
 * The SDK logs MCP connection failures to stderr before throwing them; the backend reports them itself (with the
 * backend's name and what to check), so the SDK's copy is dropped. Debug output still follows DEBUG.
 */
export function quietLogger(namespace: string): Logger {
  const base = getLogger(`confluence-runner:${namespace}`);
  return { ...base, error: () => {}, warn: () => {} };
}
