import type { ToolDefinition, ToolEnvelope, ToolExecutor } from '../../toolkit/types.ts';
import type { MetaContext, MetaHandler, SessionConnections } from './meta-context.ts';
import { manageConnections, waitForConnections } from './meta-connections.ts';
import { multiExecute } from './meta-execute.ts';
import { getToolSchemas, searchTools } from './meta-search.ts';
import { GET_TOOL_SCHEMAS, MANAGE_CONNECTIONS, MULTI_EXECUTE_TOOL, SEARCH_TOOLS, WAIT_FOR_CONNECTIONS, checkMetaArguments, metaTool } from './meta-tools.ts';
import { allowsTool, type SessionConfig } from './session-config.ts';
import type { ToolRouterSession } from './sessions.ts';

const HANDLERS: Record<string, MetaHandler> = {
  [SEARCH_TOOLS]: searchTools,
  [GET_TOOL_SCHEMAS]: getToolSchemas,
  [MULTI_EXECUTE_TOOL]: multiExecute,
  [MANAGE_CONNECTIONS]: manageConnections,
  [WAIT_FOR_CONNECTIONS]: waitForConnections,
};

/** The meta tools a session offers: search and schemas unless search is off, multi-execute unless off, connections. */
export function enabledMetaSlugs(config: SessionConfig): string[] {
  return [
    ...(config.search ? [SEARCH_TOOLS, GET_TOOL_SCHEMAS] : []),
    ...(config.multiExecute ? [MULTI_EXECUTE_TOOL] : []),
    ...(config.manageConnections ? [MANAGE_CONNECTIONS] : []),
    ...(config.manageConnections && config.waitForConnections ? [WAIT_FOR_CONNECTIONS] : []),
  ];
}

/** The app tools a session allows, in the app executor's order. */
export function allowedTools(session: ToolRouterSession, app: ToolExecutor): ToolDefinition[] {
  return app.list().filter((t) => allowsTool(session.config, t));
}

const refuse = (error: string): ToolEnvelope => ({ data: null, error, successful: false });

/** Runs one meta tool in a session (arguments checked against its schema first); refuses ones the session lacks. */
export async function runMetaTool(
  session: ToolRouterSession,
  app: ToolExecutor,
  slug: string,
  args: Record<string, unknown>,
  signal?: AbortSignal,
  connections?: SessionConnections,
): Promise<ToolEnvelope> {
  const handler = HANDLERS[slug];
  if (!handler) return refuse(`Unknown meta tool ${slug}.`);
  if (!enabledMetaSlugs(session.config).includes(slug)) return refuse(`${slug} is disabled in session ${session.id}.`);
  const problem = checkMetaArguments(slug, args);
  if (problem) return refuse(problem);
  const context: MetaContext = {
    session,
    app,
    allowed: allowedTools(session, app),
    ...(signal ? { signal } : {}),
    ...(connections ? { connections } : {}),
  };
  try {
    return await handler(args, context);
  } catch (error) {
    return refuse(`${slug} failed: ${(error as Error).message}`);
  }
}

/**
 * The executor a session's MCP endpoint serves: its meta tools, then the app tools it preloads
 * (every allowed one for `preload: all`, as the `direct_tools` preset asks).
 */
export function createSessionExecutor(session: ToolRouterSession, app: ToolExecutor, connections?: SessionConnections): ToolExecutor {
  const list = (): ToolDefinition[] => {
    const meta = enabledMetaSlugs(session.config).map((slug) => metaTool(slug) as ToolDefinition);
    const preload = session.config.preload;
    const allowed = allowedTools(session, app);
    const direct = preload === 'all' ? allowed : allowed.filter((t) => preload?.includes(t.slug));
    return [...meta, ...direct];
  };
  return {
    list,
    async execute(slug, args, options) {
      if (HANDLERS[slug]) return runMetaTool(session, app, slug, args, options?.signal, connections);
      if (!list().some((t) => t.slug === slug)) {
        return refuse(`Tool ${slug} is not available in session ${session.id}; find allowed tools with ${SEARCH_TOOLS}.`);
      }
      return app.execute(slug, args, options);
    },
  };
}
