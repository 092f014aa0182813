import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ToolExecutor } from '../toolkit/types.ts';
import { createToolkitMcpServer, type ToolkitMcpServerOptions } from './server.ts';

/**
 * Streamable-HTTP face of an MCP server, in **stateless mode**: every POST gets a fresh `Server` and transport
 * (no `Mcp-Session-Id`, nothing kept between requests), so any number of clients can share one endpoint and a
 * restart loses nothing. Server-initiated streams (GET) and session deletion (DELETE) are answered 405.
 */

/** A request handler in the sandbox's `handlers` chain: resolves true when it answered the request. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Answers one streamable-HTTP request with a fresh server from `makeServer`, closing both when the response ends. */
export async function serveMcpRequest(makeServer: () => Server, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless and only accepts POST.' },
        id: null,
      }),
    );
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
    await serveMcpRequest(() => createToolkitMcpServer(options.executor, serverOptions), req, res);
    return true;
  };
}

/** Options of {@link startMcpHttpServer}. */
export interface McpHttpServerOptions extends McpHttpHandlerOptions {
  /** TCP port (default 0: any free port). */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
}

/** A running standalone MCP HTTP server. */
export interface RunningMcpHttpServer {
  /** Full endpoint URL, e.g. `http://127.0.0.1:4100/mcp`. */
  url: string;
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

/** Serves an executor's tools over streamable HTTP on its own port (what `runner mcp --http` runs). */
export async function startMcpHttpServer(options: McpHttpServerOptions): Promise<RunningMcpHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const handler = createMcpHttpHandler({ ...options, path });
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
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
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closing;
    },
  };
}
