/** Serving one REST request: route, faults, auth, XSRF check, body, handler in a transaction, JSON answer. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Router } from './router.ts';
import type { Reply } from './context.ts';
import type { SandboxStore } from '../store/store.ts';
import type { FaultInjector } from '../faults.ts';
import type { SandboxUser } from './auth.ts';
import { authenticate } from './auth.ts';
import { HttpError, toHttpError, v1ErrorBody, v2ErrorBody } from './errors.ts';
import { accountIdFor, getUser } from '../store/people.ts';

/** What {@link serveRest} needs. */
export interface RestDeps {
  /** The routes. */
  router: Router;
  /** The store. */
  store: SandboxStore;
  /** Who may call. */
  users: readonly SandboxUser[];
  /** Fault injection, if any. */
  faults?: FaultInjector;
  /** Base URL of `_links.base` (`<publicUrl>/wiki`); default: `http://<the request's Host>`. */
  publicUrl?: string;
}

const MAX_BODY = 5 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON', { code: 'INVALID_REQUEST_BODY' });
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['Content-Type'] = 'application/json;charset=UTF-8';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers).end(text);
}

/** Answers one request under `/wiki/`; never throws (errors become v1 or v2 error bodies). */
export async function serveRest(req: IncomingMessage, res: ServerResponse, url: URL, deps: RestDeps): Promise<void> {
  const v1 = url.pathname.startsWith('/wiki/rest/');
  try {
    const method = req.method ?? 'GET';
    const match = deps.router.match(method, url.pathname);
    if (match === undefined) throw new HttpError(404, `No route for ${method} ${url.pathname}`);
    if (match === 'method') throw new HttpError(405, `Method ${method} is not allowed on ${url.pathname}`);
    if (deps.faults) {
      const fault = deps.faults.next();
      if (fault.delayMs > 0) await delay(fault.delayMs);
      if (fault.status) {
        const message = fault.status === 429 ? 'Rate limit exceeded' : 'Service temporarily unavailable';
        throw new HttpError(fault.status, message, { headers: fault.headers });
      }
    }
    const caller = authenticate(req, deps.users);
    if (v1 && !['GET', 'HEAD', 'OPTIONS'].includes(method) && String(req.headers['x-atlassian-token'] ?? '').toLowerCase() !== 'no-check') {
      throw new HttpError(403, 'XSRF check failed');
    }
    const body = await readJson(req);
    const user = getUser(deps.store, accountIdFor(caller.email));
    if (!user) throw new HttpError(401, 'The user is not known to the sandbox');
    const site = deps.publicUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`;
    const ctx = { store: deps.store, params: match.params, query: url.searchParams, path: url.pathname, body, user, base: `${site}/wiki`, req };
    // No await between here and the end of the handler: the read-check-write is one synchronous transaction.
    const reply = method === 'GET' ? match.handler(ctx) : deps.store.transaction(() => match.handler(ctx));
    send(res, reply);
  } catch (err) {
    const e = toHttpError(err);
    send(res, { status: e.status, body: v1 ? v1ErrorBody(e) : v2ErrorBody(e), headers: e.headers });
  }
}
