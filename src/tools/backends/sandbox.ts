import { MCPServerStreamableHttp, getLogger } from '@openai/agents';

type Logger = ReturnType<typeof getLogger>;
import type { RunnerConfig } from '../../config/config.ts';
import { openMcpBackend } from './mcp-backend.ts';
import type { ToolBackend } from './types.ts';

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
  const { startSandboxWithMcp } = await import('../../sandbox/with-mcp.ts');
  const sandbox = await startSandboxWithMcp({
    dbPath: config.sandbox.dbPath,
    port: 0,
    seed: true,
    users: [{ email: config.sandbox.email, apiToken: config.sandbox.apiToken, displayName: 'Sandbox User' }],
  });
  return openMcpBackend({
    name: 'sandbox',
    server: streamable(sandbox.mcpUrl),
    hosted: { label: 'confluence_sandbox', url: sandbox.mcpUrl, headers: {} },
    onClose: () => sandbox.close(),
  });
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
