/** What the long-running servers (`runner sandbox serve`, `runner mcp --http`) say about the address they bind. */
import { isLoopbackHost, isWildcardHost } from '../mcp/http-guard.ts';
import { UserError } from '../shared/errors.ts';
import { err } from './output.ts';

/** The warning for a `--host` other than loopback, or undefined for a loopback one. */
export function exposureWarning(host: string, what: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  const where = isWildcardHost(host) ? `every interface (${host})` : host;
  return `warning: --host ${host}: ${what} listens on ${where}, so anyone who can reach this machine over the network can try it; use it only inside a trusted network (a container network), never on a public one`;
}

/** Prints {@link exposureWarning} on stderr when there is one; answers whether it did. */
export function warnIfExposed(host: string, what: string): boolean {
  const warning = exposureWarning(host, what);
  if (warning) err(warning);
  return warning !== undefined;
}

/** `http://0.0.0.0:8787 (all interfaces; from this machine http://127.0.0.1:8787)`, or the URL alone when they agree. */
export function boundAddress(boundUrl: string, localUrl: string): string {
  if (boundUrl === localUrl) return boundUrl;
  const host = new URL(boundUrl).hostname;
  return `${boundUrl} (${isWildcardHost(host) ? 'all interfaces; ' : ''}from this machine ${localUrl})`;
}

/** Turns a listen failure on a bad `--host` or a busy `--port` into a one-line user error. */
export function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') return new UserError(`port ${port} is in use; pick another with --port`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new UserError(`cannot listen on --host ${host}: not an address of this machine`);
  }
  if (error.code === 'EACCES') return new UserError(`not allowed to listen on ${host}:${port}; pick a port above 1023 with --port`);
  return error;
}
