/**
 * The sandbox as a browsable Confluence: HTML views at Confluence's own web paths, behind the REST API's HTTP Basic
 * login, GET and HEAD only, every answer with a Content-Security-Policy that allows no script at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxStore } from '../store/store.ts';
import { type SandboxUser, userOf } from '../http/auth.ts';
import { getContent } from '../store/content.ts';
import { getSpace } from '../store/spaces.ts';
import { accountIdFor, getUser } from '../store/people.ts';
import { escapeHtml } from '../../shared/html.ts';
import { layout } from './layout.ts';
import { tinyLinkId, webContentPath } from './paths.ts';
import { type WebRoute, webRouteOf } from './route.ts';
import { spacesView } from './spaces-view.ts';
import { spaceView } from './space-view.ts';
import { contentView } from './content-view.ts';
import { searchView } from './search-view.ts';
import { internalError, methodNotAllowed, notFound, unauthorized } from './error-view.ts';
import { type ViewContext, type WebAnswer, redirect } from './view.ts';

/** What {@link createWebHandler} needs. */
export interface WebHandlerOptions {
  /** The sandbox's store. */
  store: SandboxStore;
  /** Who may look (the REST API's users; HTTP Basic). */
  users: readonly SandboxUser[];
  /** The login a 401 page names as the default (the sandbox's built-in user). */
  defaultLogin: { email: string; apiToken: string };
}

/** The headers of every answer: no script, no framing, no sniffing, no caching of what a login showed. */
export const WEB_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** The realm a browser shows when it asks for the login. */
const CHALLENGE = 'Basic realm="Confluence sandbox"';

/** A handler for the sandbox's handler list: answers true when the path was a web path (and it answered). */
export function createWebHandler(options: WebHandlerOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    const route = webRouteOf(url.pathname);
    const method = req.method ?? 'GET';
    const readOnly = method === 'GET' || method === 'HEAD';
    if (!route || (route.view === 'root' && !readOnly)) return false;
    if (!readOnly) {
      send(res, methodNotAllowed(method), { Allow: 'GET, HEAD' });
      return true;
    }
    const login = userOf(req, options.users);
    const user = login ? getUser(options.store, accountIdFor(login.email)) : undefined;
    if (!user) {
      send(res, unauthorized(options.defaultLogin), { 'WWW-Authenticate': CHALLENGE });
      return true;
    }
    let answer: WebAnswer;
    try {
      answer = answerFor(route, { store: options.store, user, url });
    } catch {
      answer = internalError();
    }
    send(res, answer);
    return true;
  };
}

function answerFor(route: WebRoute, ctx: ViewContext): WebAnswer {
  switch (route.view) {
    case 'root':
      return redirect('/wiki');
    case 'spaces':
      return spacesView(ctx);
    case 'space':
      return spaceView(ctx, route.key);
    case 'content':
      return contentView(ctx, route);
    case 'search':
      return searchView(ctx);
    case 'tiny': {
      const id = tinyLinkId(route.code);
      const row = id === undefined ? undefined : getContent(ctx.store, id);
      const space = row ? getSpace(ctx.store, row.space_id) : undefined;
      return row && space ? redirect(webContentPath(row, space.key)) : notFound(`The short link /x/${route.code} names no content.`);
    }
    default:
      return notFound(`There is no page at ${ctx.url.pathname}.`);
  }
}

function send(res: ServerResponse, answer: WebAnswer, extra: Record<string, string> = {}): void {
  const body =
    answer.kind === 'redirect'
      ? `<!doctype html><title>Moved</title><p><a href="${escapeHtml(answer.location)}">Continue</a></p>`
      : layout({ title: answer.title, main: answer.main, query: answer.query });
  const headers: Record<string, string> = { ...WEB_HEADERS, ...extra, 'Content-Length': String(Buffer.byteLength(body)) };
  if (answer.kind === 'redirect') headers.Location = answer.location;
  res.writeHead(answer.status, headers).end(body);
}
