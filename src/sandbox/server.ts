/**
 * The embedded Confluence: a plain node:http server answering the v2 and v1 REST APIs from a SQLite store, and
 * showing its content as HTML at Confluence's web paths (`/wiki/spaces/...`, see web/handler.ts).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxStore } from './store/store.ts';
import { openStore } from './store/store.ts';
import { upsertUser } from './store/people.ts';
import type { SandboxUser } from './http/auth.ts';
import type { FaultSpec } from './faults.ts';
import { FaultInjector } from './faults.ts';
import { buildRouter } from './routes/index.ts';
import { serveRest } from './http/serve.ts';
import { seedSandbox } from './seed.ts';
import { createWebHandler } from './web/handler.ts';
import { hostWithPort, localAddress } from '../mcp/http-guard.ts';

export type { SandboxUser } from './http/auth.ts';

/** An extra request handler tried before the REST routes; answers true when it handled the request. */
export type SandboxHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** The default user: sandbox@example.com with token sandbox-token. */
export const DEFAULT_USER: SandboxUser = { email: 'sandbox@example.com', apiToken: 'sandbox-token', displayName: 'Sandbox User' };

/** Options for {@link startSandbox}. */
export interface SandboxOptions {
  /** SQLite file (default '.runner/sandbox.db'; ':memory:' allowed). */
  dbPath?: string;
  /** Port (default 8787; 0 picks a free one). */
  port?: number;
  /**
   * Address to listen on (default 127.0.0.1). Only a container network (docker-compose) should widen it: the
   * sandbox's /mcp and tool-router faces act with the sandbox's own credentials.
   */
  host?: string;
  /** Who may call (default: {@link DEFAULT_USER} only); the first one is the handle's credentials. */
  users?: SandboxUser[];
  /** Faults to inject into REST calls (default none). */
  faults?: FaultSpec;
  /**
   * The base URL people open the sandbox at, e.g. `http://127.0.0.1:8787` (default: none, so `_links.base` follows
   * each request's Host header). When set, `_links.base` is `<publicUrl>/wiki`: links stay valid after a sandbox on
   * a random port has stopped, once `runner sandbox serve` serves the same database there.
   */
  publicUrl?: string;
  /** Extra handlers tried, in order, before the web views and the REST routes (the MCP and tool-router faces plug in here). */
  handlers?: SandboxHandler[];
  /** Seed demo content when the store has no spaces yet (default false). */
  seed?: boolean;
  /** Clock for timestamps (default the system clock). */
  clock?: () => Date;
}

/** A running sandbox. */
export interface SandboxHandle {
  /** Base URL a local client uses, such as http://127.0.0.1:8787 (loopback when bound to every interface; clients append /wiki/...). */
  url: string;
  /** The address really bound: its host as given to listen (e.g. `0.0.0.0`), port and URL (e.g. `http://0.0.0.0:8787`). */
  bound: { host: string; port: number; url: string };
  /** The first user's e-mail. */
  email: string;
  /** The first user's API token. */
  apiToken: string;
  /** The SQLite store behind it. */
  store: SandboxStore;
  /** Stops the server and closes the store; safe to call twice. */
  close(): Promise<void>;
}

/** Starts the sandbox and answers once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const users = options.users?.length ? options.users : [DEFAULT_USER];
  const store = openStore({ dbPath: options.dbPath ?? '.runner/sandbox.db', clock: options.clock });
  try {
    store.transaction(() => {
      for (const u of users) upsertUser(store, { email: u.email, displayName: u.displayName });
    });
    if (options.seed && !store.get('SELECT id FROM spaces LIMIT 1')) seedSandbox(store);
  } catch (err) {
    store.close();
    throw err;
  }
  const router = buildRouter();
  const faults = options.faults ? new FaultInjector(options.faults) : undefined;
  const handlers = [...(options.handlers ?? []), createWebHandler({ store, users, defaultLogin: DEFAULT_USER })];
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      try {
        for (const handler of handlers) if (await handler(req, res, url)) return;
      } catch (err) {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: String(err) }));
        return;
      }
      await serveRest(req, res, url, { router, store, users, faults, publicUrl });
    })();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => resolve());
  }).catch((err: unknown) => {
    store.close();
    throw err;
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostWithPort(localAddress(host), port)}`,
    bound: { host, port, url: `http://${hostWithPort(host, port)}` },
    email: users[0]!.email,
    apiToken: users[0]!.apiToken,
    store,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => store.close());
      return closing;
    },
  };
}
