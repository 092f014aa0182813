/**
 * The HTTP endpoint Prometheus scrapes: `GET /metrics` answers whatever `collect` gives (one process's registries,
 * or a cluster primary's aggregate); any other path is 404. It never keeps the process alive by itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A scrape's answer. */
export interface MetricsText {
  /** The exposition format's content type (prom-client's `registry.contentType`). */
  contentType: string;
  /** The metrics in that format. */
  text: string;
}

/** Options of {@link serveMetrics}. */
export interface MetricsServerOptions {
  /** Port to listen on; 0 picks a free one (read it from `url`). */
  port: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Produces the metrics for each scrape; a rejection answers 500 with its message. */
  collect: () => Promise<MetricsText>;
}

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** Where it answers, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** The port it bound. */
  readonly port: number;
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

/** Starts the endpoint; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, EACCES) as Node gives it. */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET\n');
      return;
    }
    options.collect().then(
      ({ contentType, text }) => response.writeHead(200, { 'content-type': contentType }).end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) =>
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`collecting metrics failed: ${(error as Error).message}\n`),
    );
  });
  await listen(server, options.port, host);
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}/metrics`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A collect function over registries of one process: their metrics, one after another. */
export function registriesText(...registries: Registry[]): () => Promise<MetricsText> {
  return async () => {
    const texts = await Promise.all(registries.map((r) => r.metrics()));
    return { contentType: registries[0]?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8', text: joinExposition(texts) };
  };
}

/** Joins exposition texts into one, each ending in exactly one newline. */
export function joinExposition(texts: readonly string[]): string {
  return texts
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .map((t) => `${t}\n`)
    .join('');
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
