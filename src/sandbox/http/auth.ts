/** HTTP Basic authentication against the configured sandbox users (and Bearer with a user's token, for /mcp). */
import type { IncomingMessage } from 'node:http';
import { bearerToken, sameSecret } from '../../mcp/http-guard.ts';
import { HttpError } from './errors.ts';

/** A user allowed to call the sandbox. */
export interface SandboxUser {
  /** E-mail address (the Basic user name). */
  email: string;
  /** API token (the Basic password). */
  apiToken: string;
  /** Display name (default: the part of the e-mail before '@'). */
  displayName?: string;
}

/** The `Authorization` header value of HTTP Basic with a sandbox login. */
export function basicAuthorization(email: string, apiToken: string): string {
  return `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
}

/**
 * The configured user whose credentials the request carries: HTTP Basic (e-mail and token), or with `bearer`
 * also `Authorization: Bearer <token>`; undefined for anything else.
 */
export function userOf(req: IncomingMessage, users: readonly SandboxUser[], options: { bearer?: boolean } = {}): SandboxUser | undefined {
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    const email = decoded.slice(0, colon).toLowerCase();
    const token = decoded.slice(colon + 1);
    return users.find((u) => u.email.toLowerCase() === email && sameSecret(token, u.apiToken));
  }
  const bearer = options.bearer ? bearerToken(req) : undefined;
  return bearer === undefined ? undefined : users.find((u) => sameSecret(bearer, u.apiToken));
}

/** The configured user a request authenticates as (HTTP Basic); 401 for anything else. */
export function authenticate(req: IncomingMessage, users: readonly SandboxUser[]): SandboxUser {
  const user = userOf(req, users);
  if (user) return user;
  throw new HttpError(401, 'Client must be authenticated to access this resource.', {
    headers: { 'WWW-Authenticate': 'Basic realm="sandbox"' },
  });
}
