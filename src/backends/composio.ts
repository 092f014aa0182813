import type { RunnerConfig } from '../config/config.ts';
import { ExternalError, UserError } from '../shared/errors.ts';
import { requireConfluenceConnection } from './composio-connection.ts';
import { openMcpBackend } from './mcp-backend.ts';
import { streamable } from './sandbox.ts';
import type { ToolBackend } from './types.ts';

/** Options of {@link openComposioBackend}. */
export interface ComposioBackendOptions {
  /** Confluence tools the session may run (the gateway's allowed set). */
  allowed: readonly string[];
}

/**
 * The product guide's path: a Composio Tool Router session for COMPOSIO_USER_ID with the `confluence` toolkit,
 * restricted to the allowed tools, reached through the Agents SDK's local MCP client so every call passes through
 * the runner. COMPOSIO_SESSION_PRESET picks direct tools (default) or the router's meta-tools. The session offers no
 * connection management (an unattended run cannot finish an auth link): a user without an active Confluence
 * connection fails here, before any step, with kind `auth` and the `runner connect` command to run.
 */
export async function openComposioBackend(config: RunnerConfig, options: ComposioBackendOptions): Promise<ToolBackend> {
  const { apiKey, userId, baseUrl, allowTracking, preset } = config.composio;
  if (!apiKey) throw new UserError('the composio backend needs COMPOSIO_API_KEY (set it in the environment or .env)');
  const { Composio } = await import('@composio/core');
  const composio = new Composio({ apiKey, baseURL: baseUrl, allowTracking, disableVersionCheck: true });
  let session;
  try {
    session = await composio.create(userId, {
      mcp: true,
      toolkits: ['confluence'],
      tools: { confluence: [...options.allowed] },
      manageConnections: false,
      ...(preset === 'direct_tools' ? { sessionPreset: 'direct_tools' as const } : {}),
    });
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw new ExternalError('tool', `Composio did not create a Tool Router session${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`, {
      cause: error,
      retryable: status === undefined || status === 429 || status >= 500,
    });
  }
  await requireConfluenceConnection(session, userId);
  const headers = { ...(session.mcp.headers ?? {}) } as Record<string, string>;
  return openMcpBackend({
    name: 'composio',
    server: streamable(session.mcp.url, headers, 'tool_router'),
    router: preset === 'meta_tools',
    hosted: { label: 'tool_router', url: session.mcp.url, headers },
  });
}
