import { createConfluenceToolkit } from '../confluence/toolkit.ts';
import { HostAllowlist, createMcpHttpHandler, type McpAuth } from '../mcp/http.ts';
import type { ToolExecutor } from '../toolkit/types.ts';
import { type SandboxUser, basicAuthorization, userOf } from './http/auth.ts';
import { DEFAULT_USER, startSandbox } from './server.ts';
import { DEFAULT_TOOL_ROUTER_API_KEY, createToolRouterHandler } from './tool-router/handler.ts';

type SandboxOptions = Parameters<typeof startSandbox>[0];
type RunningSandbox = Awaited<ReturnType<typeof startSandbox>>;

/** Options of {@link startSandboxWithMcp}: the sandbox's own, plus the tool router's key and the accepted hosts. */
export type SandboxWithMcpOptions = SandboxOptions & {
  /** `x-api-key` the tool-router face accepts (default `sandbox-composio-key`). */
  toolRouterApiKey?: string;
  /** Host names `/mcp` accepts besides the bound address and loopback names, each `name` or `name:port` (default none). */
  allowHosts?: readonly string[];
};

/** A running sandbox with its MCP endpoint and tool-router face mounted. */
export type SandboxWithMcp = RunningSandbox & {
  /** Streamable-HTTP MCP endpoint serving the 57 toolkit tools (`<url>/mcp`; send {@link SandboxWithMcp.mcpHeaders}). */
  mcpUrl: string;
  /** The headers an MCP client sends to `mcpUrl`: HTTP Basic with the first user's login. */
  mcpHeaders: Record<string, string>;
  /** The key tool-router clients must send in `x-api-key`. */
  toolRouterApiKey: string;
};

/** The `/mcp` endpoint's auth: the REST API's logins (HTTP Basic), or `Bearer <a user's token>`. */
export function sandboxMcpAuth(users: readonly SandboxUser[]): McpAuth {
  return { accepts: (req) => userOf(req, users, { bearer: true }) !== undefined, challenge: 'Basic realm="sandbox", Bearer realm="sandbox"' };
}

/**
 * Starts the sandbox with `/mcp` and the tool router mounted in front of its REST routes (what
 * `runner sandbox serve` runs). Both run the real toolkit against the sandbox itself, over HTTP, so every
 * call exercises the same REST surface a real site offers. `/mcp` checks Host and Origin and wants the same
 * credentials as the REST API; the tool router wants its `x-api-key`.
 */
export async function startSandboxWithMcp(options: SandboxWithMcpOptions): Promise<SandboxWithMcp> {
  const { toolRouterApiKey = DEFAULT_TOOL_ROUTER_API_KEY, allowHosts, ...sandboxOptions } = options;
  const users = sandboxOptions.users?.length ? sandboxOptions.users : [DEFAULT_USER];
  // The toolkit needs the sandbox's URL, known only once it listens: bind it late behind a stable executor.
  let toolkit: ToolExecutor | undefined;
  const late: ToolExecutor = {
    list: () => bound().list(),
    execute: (slug, args, opts) => bound().execute(slug, args, opts),
  };
  function bound(): ToolExecutor {
    if (!toolkit) throw new Error('The sandbox toolkit is used before the sandbox listens.');
    return toolkit;
  }
  const hosts = new HostAllowlist(allowHosts);
  const handlers = [
    createMcpHttpHandler({ executor: late, path: '/mcp', name: 'confluence-sandbox', hosts, auth: sandboxMcpAuth(users) }),
    createToolRouterHandler({ executor: late, apiKey: toolRouterApiKey }),
    ...(sandboxOptions.handlers ?? []),
  ];
  const sandbox = await startSandbox({ ...sandboxOptions, users, handlers });
  hosts.bind(sandbox.bound.host, sandbox.bound.port);
  toolkit = createConfluenceToolkit({ baseUrl: sandbox.url, email: sandbox.email, apiToken: sandbox.apiToken });
  return Object.assign(sandbox, {
    mcpUrl: `${sandbox.url.replace(/\/+$/, '')}/mcp`,
    mcpHeaders: { authorization: basicAuthorization(sandbox.email, sandbox.apiToken) },
    toolRouterApiKey,
  });
}
