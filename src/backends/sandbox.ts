import { MCPServerStreamableHttp, getLogger } from '@openai/agents';
import type { RunnerConfig } from '../config/config.ts';
import { openMcpBackend } from './mcp-backend.ts';
import { UserError } from '../shared/errors.ts';
import type { SandboxLauncher, ToolBackend } from './types.ts';

type Logger = ReturnType<typeof getLogger>;

/**
 * The embedded Confluence as a backend: a running sandbox when RUNNER_SANDBOX_URL names one, else one lent by the
 * launcher (started in-process over RUNNER_SANDBOX_DB), given back when the backend closes. Either way the agent
 * reaches it through its `/mcp` endpoint, with the sandbox login (RUNNER_SANDBOX_EMAIL, RUNNER_SANDBOX_TOKEN).
 */
export async function openSandboxBackend(config: RunnerConfig, launcher: SandboxLauncher | undefined): Promise<ToolBackend> {
  if (config.sandbox.url) {
    const mcpUrl = `${config.sandbox.url.replace(/\/+$/, '')}/mcp`;
    const headers = sandboxHeaders(config, { authorization: basicAuthorization(config.sandbox.email, config.sandbox.apiToken) });
    return openMcpBackend({ name: 'sandbox', server: streamable(mcpUrl, headers), hosted: { label: 'confluence_sandbox', url: mcpUrl, headers } });
  }
  if (!launcher) throw new UserError('the sandbox backend needs RUNNER_SANDBOX_URL (a running `runner sandbox serve`) here');
  const lease = await launcher.acquire(config);
  const headers = sandboxHeaders(config, lease.headers);
  return openMcpBackend({
    name: 'sandbox',
    server: streamable(lease.mcpUrl, headers),
    hosted: { label: 'confluence_sandbox', url: lease.mcpUrl, headers },
    onClose: () => lease.release(),
  });
}

/** HTTP Basic with a sandbox login, as the sandbox's REST API and `/mcp` take it. */
function basicAuthorization(email: string, apiToken: string): string {
  return `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
}

/** The sandbox's credentials join the secret registry as sent (base64), so no record or log keeps them. */
function sandboxHeaders(config: RunnerConfig, headers: Record<string, string>): Record<string, string> {
  for (const value of Object.values(headers)) config.secrets.add(value);
  return headers;
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
