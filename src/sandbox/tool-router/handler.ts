import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveMcpRequest, type RequestHandler } from '../../mcp/http.ts';
import { createToolkitMcpServer } from '../../mcp/server.ts';
import type { ToolExecutor } from '../../toolkit/types.ts';
import { createConnectionStore, noConnectionMessage, type ConnectionStore } from './connections.ts';
import { serveConsent } from './consent.ts';
import { RouterHttpError, readJson, sendError, sendJson } from './http-io.ts';
import { EXECUTE_META_SLUGS, checkMetaArguments, isMetaTool, routerAnnotations } from './meta-tools.ts';
import { SessionConfigError, allowsTool, allowsToolkit, echoConfig, parseSessionConfig, toolkitOf } from './session-config.ts';
import { createSessionExecutor, enabledMetaSlugs, runMetaTool } from './session-executor.ts';
import { createSessionStore, type SessionStore, type ToolRouterSession } from './sessions.ts';
import { newLogId, type SessionConnections } from './meta-context.ts';

/**
 * The tool-router face of the sandbox, answering what `@composio/core` sends:
 * `POST /api/v3[.1]/tool_router/session` (create), `GET|DELETE .../session/{id}`, `POST .../session/{id}/execute`
 * and `.../execute_meta`, `POST .../session/{id}/link` (an auth link), `GET .../session/{id}/toolkits` (connection
 * states), and each session's streamable-HTTP MCP endpoint at `/tool_router/{id}/mcp`. Every route wants the project
 * key in `x-api-key`, except an auth link's consent page (`/tool_router/link/{token}`), whose token is its secret.
 * A user without an active connection to a toolkit gets Composio's "No connected account found" (code 1803) when
 * a tool of it runs; which users start connected is the connection store's rule ({@link createConnectionStore}).
 */

/** The project API key the sandbox accepts when none is configured. */
export const DEFAULT_TOOL_ROUTER_API_KEY = 'sandbox-composio-key';

/** Options of {@link createToolRouterHandler}. */
export interface ToolRouterHandlerOptions {
  /** Runs the app tools (the Confluence toolkit pointed at the sandbox). */
  executor: ToolExecutor;
  /** Accepted `x-api-key` value (default {@link DEFAULT_TOOL_ROUTER_API_KEY}). */
  apiKey?: string;
  /** Public base URL for MCP links (default: `http://` + the request's Host header). */
  baseUrl?: () => string;
  /** Where sessions are kept (default: a fresh in-memory store). */
  sessions?: SessionStore;
  /** Connected accounts per user (default: a fresh in-memory store where only the user `default` is connected). */
  connections?: ConnectionStore;
}

const API_ROUTE = /^\/api\/v3(?:\.1)?\/tool_router\/session(?:\/([^/]+)(?:\/([a-z_]+))?)?\/?$/;
const MCP_ROUTE = /^\/tool_router\/([^/]+)\/mcp\/?$/;

const asRecord = (data: unknown): Record<string, unknown> =>
  data === null || data === undefined
    ? {}
    : Array.isArray(data)
      ? { results: data }
      : typeof data === 'object'
        ? (data as Record<string, unknown>)
        : { value: data };

/** A handler for the sandbox's `handlers` chain serving the tool-router API and session MCP endpoints. */
export function createToolRouterHandler(options: ToolRouterHandlerOptions): RequestHandler {
  const apiKey = Buffer.from(options.apiKey ?? DEFAULT_TOOL_ROUTER_API_KEY);
  const sessions = options.sessions ?? createSessionStore();
  const connections = options.connections ?? createConnectionStore();
  const base = options.executor;
  /** The app tools as a session's user may run them: a toolkit without an active connection answers 1803. */
  const appFor = (session: ToolRouterSession): ToolExecutor => ({
    list: () => base.list(),
    async execute(slug, args, execOptions) {
      const toolkit = toolkitOf(slug);
      if (!connections.isActive(session.config.userId, toolkit)) {
        return { data: null, error: noConnectionMessage(session.config.userId, toolkit), successful: false };
      }
      return base.execute(slug, args, execOptions);
    },
  });
  const app = base;
  /** The session user's connections as the connection meta tools see them; links point at this server. */
  const connectionsFor = (session: ToolRouterSession, req: IncomingMessage): SessionConnections => {
    const view = (a: { id: string; status: string; authConfigId: string; createdAt: string }) => ({
      id: a.id,
      status: a.status,
      authConfigId: a.authConfigId,
      createdAt: a.createdAt,
    });
    return {
      account: (toolkit) => {
        const found = connections.current(session.config.userId, toolkit);
        return found && view(found);
      },
      link: (toolkit) => {
        const made = connections.link(session.config.userId, toolkit, session.config.callbackUrl);
        return { ...view(made), redirectUrl: `${baseOf(req)}/tool_router/link/${made.linkToken}` };
      },
    };
  };
  const baseOf = (req: IncomingMessage): string => (options.baseUrl?.() ?? `http://${req.headers.host ?? '127.0.0.1'}`).replace(/\/+$/, '');

  const authorize = (req: IncomingMessage): void => {
    const given = req.headers['x-api-key'];
    const key = Buffer.from(typeof given === 'string' ? given : '');
    if (key.length !== apiKey.length || !timingSafeEqual(key, apiKey)) {
      throw new RouterHttpError(401, 10401, given ? 'Invalid API key.' : 'Missing API key.', {
        suggestedFix: 'Send the project API key in the x-api-key header.',
      });
    }
  };
  const sessionOf = (id: string): ToolRouterSession => {
    const session = sessions.get(decodeURIComponent(id));
    if (!session) throw new RouterHttpError(404, 10404, `Tool router session ${id} not found.`, { suggestedFix: 'Create a session first.' });
    return session;
  };
  const describe = (session: ToolRouterSession, req: IncomingMessage): Record<string, unknown> => ({
    session_id: session.id,
    mcp: { type: 'http', url: `${baseOf(req)}/tool_router/${session.id}/mcp` },
    tool_router_tools: enabledMetaSlugs(session.config),
    config: echoConfig(session.config),
    config_version: 1,
  });
  const knownSlugs = (): Set<string> => new Set(app.list().map((t) => t.slug));

  async function execute(session: ToolRouterSession, req: IncomingMessage, signal: AbortSignal): Promise<unknown> {
    const body = (await readJson(req)) as Record<string, unknown>;
    const slug = typeof body.tool_slug === 'string' ? body.tool_slug.toUpperCase() : '';
    const args = body.arguments ?? {};
    if (!slug || typeof args !== 'object' || Array.isArray(args)) {
      throw new RouterHttpError(400, 10400, 'tool_slug (string) is required and arguments must be an object.');
    }
    if (isMetaTool(slug)) throw new RouterHttpError(400, 10400, `${slug} is a meta tool; call execute_meta for it.`);
    const tool = app.list().find((t) => t.slug === slug);
    if (!tool) throw new RouterHttpError(404, 2401, `Tool ${slug} not found.`);
    if (!allowsTool(session.config, tool)) throw new RouterHttpError(403, 10403, `Tool ${slug} is not enabled in session ${session.id}.`);
    if (!connections.isActive(session.config.userId, toolkitOf(slug))) {
      throw new RouterHttpError(400, 1803, noConnectionMessage(session.config.userId, toolkitOf(slug)), {
        suggestedFix: 'Connect the account through an auth link (session.authorize) first.',
      });
    }
    const envelope = await app.execute(slug, args as Record<string, unknown>, { signal });
    return { data: asRecord(envelope.data), error: envelope.successful ? null : (envelope.error ?? `${slug} failed`), log_id: newLogId() };
  }

  async function executeMeta(session: ToolRouterSession, req: IncomingMessage, signal: AbortSignal): Promise<unknown> {
    const body = (await readJson(req)) as Record<string, unknown>;
    const slug = typeof body.slug === 'string' ? body.slug : '';
    const args = (body.arguments ?? {}) as Record<string, unknown>;
    if (!EXECUTE_META_SLUGS.includes(slug)) {
      throw new RouterHttpError(400, 10400, `slug must be one of ${EXECUTE_META_SLUGS.join(', ')}.`);
    }
    if (!enabledMetaSlugs(session.config).includes(slug)) throw new RouterHttpError(403, 10403, `${slug} is disabled in session ${session.id}.`);
    const problem = checkMetaArguments(slug, args);
    if (problem) throw new RouterHttpError(400, 10400, problem);
    const envelope = await runMetaTool(session, appFor(session), slug, args, signal, connectionsFor(session, req));
    return { data: asRecord(envelope.data), error: envelope.successful ? null : envelope.error, log_id: newLogId() };
  }

  /** `POST .../link`: a new auth link for the session's user; its URL opens the consent page. */
  async function link(session: ToolRouterSession, req: IncomingMessage): Promise<unknown> {
    const body = (await readJson(req)) as Record<string, unknown>;
    const toolkit = typeof body.toolkit === 'string' ? body.toolkit.toLowerCase() : '';
    if (!toolkit) throw new RouterHttpError(400, 10400, 'toolkit (string) is required.');
    if (!app.list().some((t) => toolkitOf(t.slug) === toolkit)) throw new RouterHttpError(404, 10404, `Toolkit ${toolkit} not found.`);
    if (!allowsToolkit(session.config, toolkit)) throw new RouterHttpError(403, 10403, `Toolkit ${toolkit} is not enabled in session ${session.id}.`);
    const callbackUrl = typeof body.callback_url === 'string' ? body.callback_url : session.config.callbackUrl;
    const account = connections.link(session.config.userId, toolkit, callbackUrl);
    return {
      connected_account_id: account.id,
      redirect_url: `${baseOf(req)}/tool_router/link/${account.linkToken}`,
      link_token: account.linkToken,
      user_id: account.userId,
      toolkit: { slug: toolkit },
    };
  }

  /** `GET .../toolkits`: each toolkit the session allows (or the ones named) with its connected account. */
  function toolkits(session: ToolRouterSession, url: URL): unknown {
    const named = url.searchParams
      .getAll('toolkits')
      .concat(url.searchParams.getAll('toolkits[]'))
      .flatMap((t) => t.split(','))
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean);
    const slugs = [...new Set(app.list().map((t) => toolkitOf(t.slug)))].filter(
      (t) => allowsToolkit(session.config, t) && (named.length === 0 || named.includes(t)),
    );
    const items = slugs.map((slug) => {
      const account = connections.current(session.config.userId, slug);
      return {
        slug,
        name: slug.charAt(0).toUpperCase() + slug.slice(1),
        meta: { logo: '' },
        is_no_auth: false,
        connected_account: account
          ? { id: account.id, status: account.status, auth_config: { id: account.authConfigId, auth_scheme: 'OAUTH2', is_composio_managed: true } }
          : null,
      };
    });
    const connected = url.searchParams.get('is_connected');
    const filtered = connected === null ? items : items.filter((i) => (i.connected_account?.status === 'ACTIVE') === (connected === 'true'));
    return { items: filtered, next_cursor: null, total_pages: 1 };
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, signal: AbortSignal): Promise<boolean> {
    if (await serveConsent(req, res, url, connections)) return true;
    const mcp = MCP_ROUTE.exec(url.pathname);
    if (mcp) {
      authorize(req);
      const session = sessionOf(mcp[1] as string);
      const executor = createSessionExecutor(session, appFor(session), connectionsFor(session, req));
      const server = () => createToolkitMcpServer(executor, { name: 'tool-router', version: '1.0.0', annotate: routerAnnotations });
      await serveMcpRequest(server, req, res);
      return true;
    }
    const api = API_ROUTE.exec(url.pathname);
    if (!api) {
      if (!url.pathname.startsWith('/api/v3')) return false;
      authorize(req);
      throw new RouterHttpError(404, 10404, `${req.method} ${url.pathname} is not served by the sandbox.`);
    }
    authorize(req);
    const [, id, action] = api;
    const method = req.method ?? 'GET';
    if (!id && method === 'POST') {
      let config;
      try {
        config = parseSessionConfig(await readJson(req), knownSlugs());
      } catch (error) {
        if (!(error instanceof SessionConfigError)) throw error;
        throw new RouterHttpError(400, 10400, error.message, { errors: error.problems });
      }
      sendJson(res, 201, describe(sessions.create(config), req));
      return true;
    }
    const session = id ? sessionOf(id) : undefined;
    if (session && !action && method === 'GET') sendJson(res, 200, describe(session, req));
    else if (session && !action && method === 'DELETE') {
      sessions.delete(session.id);
      sendJson(res, 200, { session_id: session.id, deleted: true });
    } else if (session && action === 'execute' && method === 'POST') sendJson(res, 200, await execute(session, req, signal));
    else if (session && action === 'execute_meta' && method === 'POST') sendJson(res, 200, await executeMeta(session, req, signal));
    else if (session && action === 'link' && method === 'POST') sendJson(res, 201, await link(session, req));
    else if (session && action === 'toolkits' && method === 'GET') sendJson(res, 200, toolkits(session, url));
    else throw new RouterHttpError(404, 10404, `${method} ${url.pathname} is not served by the sandbox.`);
    return true;
  }

  return async (req, res, url) => {
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborter.abort();
    });
    try {
      return await route(req, res, url, aborter.signal);
    } catch (error) {
      if (res.headersSent) {
        res.destroy(error as Error);
        return true;
      }
      sendError(res, error instanceof RouterHttpError ? error : new RouterHttpError(500, 10500, (error as Error).message));
      return true;
    }
  };
}
