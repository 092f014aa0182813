import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ToolExecutor } from '../toolkit/types.ts';
import { HostAllowlist, type McpAuth, admit, bearerAuth, hostWithPort, localAddress, sendJsonRpcError } from './http-guard.ts';
import { createToolkitMcpServer, type ToolkitMcpServerOptions } from './server.ts';

export { HostAllowlist, type McpAuth, bearerAuth, isLoopbackHost, isWildcardHost, localAddress } from './http-guard.ts';

/**
 * Streamable-HTTP face of an MCP server, in **stateless mode**: every POST gets a fresh `Server` and transport
 * (no `Mcp-Session-Id`, nothing kept between requests), so any number of clients can share one endpoint and a
 * restart loses nothing. Server-initiated streams (GET) and session deletion (DELETE) are answered 405.
 * Every endpoint checks Host and Origin first (403) and then, when it has an {@link McpAuth}, credentials (401).
 */

/** A request handler in the sandbox's `handlers` chain: resolves true when it answered the request. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Answers one streamable-HTTP request with a fresh server from `makeServer`, closing both when the response ends. */
export async function serveMcpRequest(makeServer: () => Server, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    sendJsonRpcError(res, 405, 'Method not allowed: this MCP endpoint is stateless and only accepts POST.', { allow: 'POST' });
    return;
  }
  const server = makeServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

/** Options of {@link createMcpHttpHandler}. */
export interface McpHttpHandlerOptions extends Partial<ToolkitMcpServerOptions> {
  /** The tools to serve. */
  executor: ToolExecutor;
  /** URL path the endpoint answers on (default `/mcp`). */
  path?: string;
  /** The Host and Origin values accepted; bind it to the listening address once the server listens. */
  hosts: HostAllowlist;
  /** Who may call (default: anyone whose Host and Origin pass). */
  auth?: McpAuth;
}

/** A handler serving an executor's tools over streamable HTTP at `path`; other paths fall through. */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): RequestHandler {
  const path = options.path ?? '/mcp';
  const serverOptions: ToolkitMcpServerOptions = {
    name: options.name ?? 'confluence-toolkit',
    version: options.version ?? '0.1.0',
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.instructions ? { instructions: options.instructions } : {}),
  };
  return async (req, res, url) => {
    if (url.pathname !== path) return false;
    if (!admit(req, res, options.hosts, options.auth)) return true;
    await serveMcpRequest(() => createToolkitMcpServer(options.executor, serverOptions), req, res);
    return true;
  };
}

/** Options of {@link startMcpHttpServer}. */
export interface McpHttpServerOptions extends Omit<McpHttpHandlerOptions, 'hosts' | 'auth'> {
  /** TCP port (default 0: any free port). */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Host names accepted besides the bound address and loopback names, each `name` or `name:port` (default none). */
  allowHosts?: readonly string[];
  /** The bearer token every request must carry (default none: no auth, which the CLI allows on loopback only). */
  token?: string;
}

/** A running standalone MCP HTTP server. */
export interface RunningMcpHttpServer {
  /** Full endpoint URL a local client uses, e.g. `http://127.0.0.1:4100/mcp` (loopback when bound to every interface). */
  url: string;
  /** The address really bound, e.g. `http://0.0.0.0:4100/mcp`. */
  boundUrl: string;
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

/** Serves an executor's tools over streamable HTTP on its own port (what `runner mcp --http` runs). */
export async function startMcpHttpServer(options: McpHttpServerOptions): Promise<RunningMcpHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const hosts = new HostAllowlist(options.allowHosts);
  const auth = options.token === undefined ? undefined : bearerAuth(options.token, 'runner-mcp');
  const handler = createMcpHttpHandler({ ...options, path, hosts, auth });
  const http = createServer((req, res) => {
    // A fixed base: the Host header is checked later and must not be able to throw here.
    const url = new URL(req.url ?? '/', 'http://localhost');
    handler(req, res, url)
      .then((handled) => {
        if (handled) return;
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `Not found: the MCP endpoint is ${path}` }));
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (error as Error).message }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  hosts.bind(host, port);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostWithPort(localAddress(host), port)}${path}`,
    boundUrl: `http://${hostWithPort(host, port)}${path}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closing;
    },
  };
}
