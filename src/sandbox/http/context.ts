/** What a route handler receives and returns. */
import type { IncomingMessage } from 'node:http';
import type { SandboxStore } from '../store/store.ts';
import type { UserRow } from '../store/rows.ts';

/** A request as a route sees it: already authenticated, body parsed. */
export interface RouteContext {
  /** The store (handlers run inside one transaction for writes). */
  store: SandboxStore;
  /** Path parameters from the route pattern. */
  params: Record<string, string>;
  /** Query parameters. */
  query: URLSearchParams;
  /** The request path (no query). */
  path: string;
  /** Parsed JSON body, or undefined. */
  body: unknown;
  /** The authenticated user. */
  user: UserRow;
  /** Site base, e.g. http://127.0.0.1:8787/wiki. */
  base: string;
  /** The raw request (headers). */
  req: IncomingMessage;
}

/** A route's answer. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** JSON body (omitted for 204). */
  body?: unknown;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** A route handler: synchronous, so a write's read-check-write sits in one transaction. */
export type Handler = (ctx: RouteContext) => Reply;

/** 200 (or another status) with a JSON body. */
export function ok(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}
