/** HTTP Basic authentication against the configured sandbox users. */
import type { IncomingMessage } from 'node:http';
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

/** The configured user a request authenticates as; 401 for anything else. */
export function authenticate(req: IncomingMessage, users: readonly SandboxUser[]): SandboxUser {
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const email = decoded.slice(0, colon);
    const token = decoded.slice(colon + 1);
    const user = users.find((u) => u.email.toLowerCase() === email.toLowerCase() && u.apiToken === token);
    if (colon > 0 && user) return user;
  }
  throw new HttpError(401, 'Client must be authenticated to access this resource.', {
    headers: { 'WWW-Authenticate': 'Basic realm="sandbox"' },
  });
}
