import { createConfluenceToolkit } from '../confluence/toolkit.ts';
import { createMcpHttpHandler } from '../mcp/http.ts';
import type { ToolExecutor } from '../toolkit/types.ts';
import { startSandbox } from './server.ts';
import { DEFAULT_TOOL_ROUTER_API_KEY, createToolRouterHandler } from './tool-router/handler.ts';

type SandboxOptions = Parameters<typeof startSandbox>[0];
type RunningSandbox = Awaited<ReturnType<typeof startSandbox>>;

/** Options of {@link startSandboxWithMcp}: the sandbox's own, plus the tool router's key. */
export type SandboxWithMcpOptions = SandboxOptions & {
  /** `x-api-key` the tool-router face accepts (default `sandbox-composio-key`). */
  toolRouterApiKey?: string;
};

/** A running sandbox with its MCP endpoint and tool-router face mounted. */
export type SandboxWithMcp = RunningSandbox & {
  /** Streamable-HTTP MCP endpoint serving the 57 toolkit tools (`<url>/mcp`, no auth: loopback only). */
  mcpUrl: string;
  /** The key tool-router clients must send in `x-api-key`. */
  toolRouterApiKey: string;
};

/**
 * Starts the sandbox with `/mcp` and the tool router mounted in front of its REST routes (what
 * `runner sandbox serve` runs). Both run the real toolkit against the sandbox itself, over HTTP, so every
 * call exercises the same REST surface a real site offers.
 */
export async function startSandboxWithMcp(options: SandboxWithMcpOptions): Promise<SandboxWithMcp> {
  const { toolRouterApiKey = DEFAULT_TOOL_ROUTER_API_KEY, ...sandboxOptions } = options;
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
  const handlers = [
    createMcpHttpHandler({ executor: late, path: '/mcp', name: 'confluence-sandbox' }),
    createToolRouterHandler({ executor: late, apiKey: toolRouterApiKey }),
    ...(sandboxOptions.handlers ?? []),
  ];
  const sandbox = await startSandbox({ ...sandboxOptions, handlers });
  toolkit = createConfluenceToolkit({ baseUrl: sandbox.url, email: sandbox.email, apiToken: sandbox.apiToken });
  return Object.assign(sandbox, { mcpUrl: `${sandbox.url.replace(/\/+$/, '')}/mcp`, toolRouterApiKey });
}
