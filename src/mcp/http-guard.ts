import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';

/**
 * What every MCP HTTP endpoint checks before it serves a request: the Host and Origin headers (the MCP transport's
 * DNS-rebinding rule: a web page must not reach a local server through a name it controls), then the caller's
 * credentials. Refusals are JSON-RPC error bodies, as MCP clients expect.
 */

/** Loopback names a local client may put in Host and Origin. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** True for a name or address only this machine reaches: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || /^::ffff:127(?:\.\d{1,3}){3}$/.test(h);
}

/** True for an address that binds every interface (`0.0.0.0`, `::`). */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** The address a local client connects to for a server bound to `host`: loopback for a wildcard bind. */
export function localAddress(host: string): string {
  if (!isWildcardHost(host)) return host;
  return host === '0.0.0.0' ? '127.0.0.1' : '::1';
}

/** `host:port` as a URL writes it (IPv6 addresses in brackets). */
export function hostWithPort(host: string, port: number): string {
  return `${bracketed(host)}:${port}`;
}

/**
 * The Host and Origin values an endpoint accepts: the address it really bound and the loopback names, with its
 * port (and, when it binds every interface, each interface's address), plus names the operator allows
 * (`--allow-host`, e.g. a compose service name). A request without Origin (any non-browser client) passes the
 * Origin check; one whose Host is missing or foreign does not.
 */
export class HostAllowlist {
  readonly #extra: readonly string[];
  #hosts = new Set<string>();
  #origins = new Set<string>();

  /** `extra`: further names, each `name` (with the bound port) or `name:port` (default none). */
  constructor(extra: readonly string[] = []) {
    this.#extra = extra.map((h) => h.trim().toLowerCase()).filter(Boolean);
  }

  /** Records the address and port really bound; until then every request is refused. */
  bind(address: string, port: number): void {
    const names = new Set([...LOOPBACK_NAMES, bracketed(address.toLowerCase())]);
    if (isWildcardHost(address)) for (const a of interfaceAddresses(address)) names.add(bracketed(a));
    const hosts = new Set<string>();
    const add = (name: string): void => {
      hosts.add(`${name}:${port}`);
      if (port === 80) hosts.add(name);
    };
    for (const name of names) add(name);
    for (const name of this.#extra) {
      if (/:\d+$/.test(name) && !/^[^[]*:.*:/.test(name)) hosts.add(name);
      else add(bracketed(name));
    }
    this.#hosts = hosts;
    this.#origins = new Set([...hosts].map((h) => `http://${h}`));
  }

  /** Why the request's Host or Origin is refused, or undefined when both are allowed. */
  refusal(req: IncomingMessage): string | undefined {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.#hosts.has(host)) {
      return `Host ${host ? `'${host}'` : '(none)'} is not allowed (DNS-rebinding protection: the server answers to its own address, loopback names and --allow-host names)`;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#origins.has(origin.toLowerCase())) return `Origin '${origin}' is not allowed: cross-site requests are refused`;
    return undefined;
  }
}

/** How an MCP endpoint authenticates its callers. */
export interface McpAuth {
  /** True when the request carries acceptable credentials. */
  accepts(req: IncomingMessage): boolean;
  /** The `WWW-Authenticate` value of a 401, e.g. `Bearer realm="runner-mcp"`. */
  challenge: string;
}

/** Auth by `Authorization: Bearer <token>` with one token (compared in constant time). */
export function bearerAuth(token: string, realm: string): McpAuth {
  return {
    accepts(req) {
      const given = bearerToken(req);
      return given !== undefined && sameSecret(given, token);
    },
    challenge: `Bearer realm="${realm}"`,
  };
}

/** The token of an `Authorization: Bearer <token>` header, if the request has one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** Compares two secrets in constant time (whatever their lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected)) && given === expected;
}

/** Answers with a JSON-RPC error body (no request id: the request was not read). */
export function sendJsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * Checks Host and Origin, then credentials; answers 403 or 401 itself and resolves false when it refused.
 * Runs before the method check, so nothing about the endpoint is told to a caller that may not use it.
 */
export function admit(req: IncomingMessage, res: ServerResponse, hosts: HostAllowlist, auth: McpAuth | undefined): boolean {
  const refusal = hosts.refusal(req);
  if (refusal) {
    sendJsonRpcError(res, 403, `Forbidden: ${refusal}.`);
    return false;
  }
  if (auth && !auth.accepts(req)) {
    const message = req.headers.authorization ? 'Unauthorized: the credentials are not accepted.' : 'Unauthorized: this endpoint needs credentials.';
    sendJsonRpcError(res, 401, message, { 'www-authenticate': auth.challenge });
    return false;
  }
  return true;
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** This machine's interface addresses a wildcard bind listens on (IPv4 for `0.0.0.0`, both for `::`). */
function interfaceAddresses(wildcard: string): string[] {
  const ipv4Only = wildcard === '0.0.0.0';
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => (ipv4Only ? i.family === 'IPv4' : !i.scopeid))
    .map((i) => i.address.toLowerCase());
}
