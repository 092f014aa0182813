/**
 * Who may use the dashboard. Every request: the Host and Origin headers must name this server (DNS-rebinding
 * protection, as the MCP endpoints do). With a token (required off loopback): a request carries it as
 * `Authorization: Bearer`, or as the cookie `/login` sets once the token is given. Every form POST carries the
 * process's form token, so another site cannot make a browser approve anything.
 */
import type { IncomingMessage } from 'node:http';
import { type HostAllowlist, bearerToken, sameSecret } from '../mcp/http-guard.ts';

/** Name of the session cookie. */
export const COOKIE = 'runner_dashboard';

/** Options of {@link DashboardGuard}. */
export interface GuardOptions {
  allowlist: HostAllowlist;
  /** The access token; undefined: none asked (loopback only). */
  token?: string;
  /** The form token every POST must carry. */
  csrf: string;
}

/** The verdict on one request. */
export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** The checks, in order: Host and Origin, then the token. */
export class DashboardGuard {
  readonly options: GuardOptions;

  constructor(options: GuardOptions) {
    this.options = options;
  }

  /** Whether the request may be served (`/login` is checked for Host and Origin only). */
  check(req: IncomingMessage, path: string): Verdict {
    const refusal = this.options.allowlist.refusal(req);
    if (refusal) return { ok: false, status: 403, reason: refusal };
    if (path === '/login' || path.startsWith('/assets/')) return { ok: true };
    if (!this.authenticated(req)) return { ok: false, status: 401, reason: 'this dashboard asks for its token (RUNNER_DASHBOARD_TOKEN)' };
    return { ok: true };
  }

  /** True when no token is asked, or the request carries it. */
  authenticated(req: IncomingMessage): boolean {
    const { token } = this.options;
    if (token === undefined) return true;
    const given = bearerToken(req) ?? cookie(req, COOKIE);
    return given !== undefined && sameSecret(given, token);
  }

  /** True when `given` is the token. */
  tokenMatches(given: string): boolean {
    return this.options.token !== undefined && sameSecret(given, this.options.token);
  }

  /** True when a form's token is the process's. */
  formTokenMatches(given: string | undefined): boolean {
    return given !== undefined && sameSecret(given, this.options.csrf);
  }

  /** The Set-Cookie value that keeps a browser signed in (for the session, this site only, not readable by scripts). */
  sessionCookie(): string {
    return `${COOKIE}=${this.options.token}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

/** The value of cookie `name`, if the request has it. */
function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
