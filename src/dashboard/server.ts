/**
 * `runner dashboard`: a small web app over the run store and Redis the CLI uses. Server-rendered pages (runs,
 * one run, workflows, approvals, the queue), live updates over server-sent events, and the same actions as
 * `runner approve`, `runner reject` and `runner rerun`. Plain node:http; every asset is served from here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import { HostAllowlist, hostWithPort, localAddress } from '../mcp/http-guard.ts';
import type { PauseStore } from '../schedules/pauses.ts';
import type { RunRecord, RunStore } from '../runs/types.ts';
import { UserError } from '../shared/errors.ts';
import type { LoadOptions } from '../workflow/load.ts';
import type { DashboardActions } from './actions.ts';
import { DASHBOARD_CSS, DASHBOARD_JS } from './assets.ts';
import type { Mounted } from './bull-board.ts';
import { DashboardGuard } from './guard.ts';
import { html, type Html } from '../shared/html.ts';
import { Clock, page, type PageFrame, WAITING_SHOWN } from './layout.ts';
import { LiveFeed } from './live.ts';
import { approvalsBody, approvalsLive } from './pages/approvals.ts';
import { runBody, runLive } from './pages/run.ts';
import { RUNS_PER_PAGE, runsBody, runsFilter, runsLive, runsQuery } from './pages/runs.ts';
import { workflowsBody } from './pages/workflows.ts';
import { WorkflowCatalog } from './workflow-catalog.ts';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** Where runs are read (the CLI's store: SQLite, or Redis in queue mode). */
  store: RunStore;
  /** What the buttons do. */
  actions: DashboardActions;
  /** The workflow folder the Workflows page shows (RUNNER_WORKFLOWS). */
  workflowsDir: string;
  loadOptions: LoadOptions;
  /** Paused schedules (default: none shown). */
  pauses?: PauseStore;
  /** Queues the Queue page shows (queue mode); none: no Queue page. */
  queues?: readonly Queue[];
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 8790; 0 picks a free one). */
  port?: number;
  /** Further Host names to answer to (a reverse proxy's name), as `--allow-host` (default none). */
  allowHosts?: readonly string[];
  /** Token every request must carry (default none: allowed on loopback only, the caller decides). */
  token?: string;
  /** Time zone times are shown in (default the server's). */
  zone?: string;
  /** Clock (default the system clock). */
  now?: () => Date;
  /** How often a live view is polled for changes, ms (default 1000). */
  pollMs?: number;
}

/** A running dashboard. */
export interface DashboardHandle {
  /** The URL a browser on this machine opens. */
  url: string;
  /** The address really bound. */
  bound: { host: string; port: number; url: string };
  /** Stops the server and its event streams (not the store, actions or queues it was given); safe to call twice. */
  close(): Promise<void>;
}

/** Longest form body read, bytes. */
const MAX_FORM = 64 * 1024;
/** How long the count of waiting runs in the navigation is reused, ms. */
const WAITING_TTL_MS = 5000;

/** Starts the dashboard and answers once it listens. */
export async function startDashboard(options: DashboardOptions): Promise<DashboardHandle> {
  const host = options.host ?? '127.0.0.1';
  const allowlist = new HostAllowlist(options.allowHosts ?? []);
  const guard = new DashboardGuard({ allowlist, token: options.token, csrf: randomBytes(24).toString('base64url') });
  const live = new LiveFeed({ pollMs: options.pollMs });
  const now = options.now ?? (() => new Date());
  const clock = new Clock(options.zone, now);
  const catalog = new WorkflowCatalog(options.workflowsDir, options.loadOptions);
  const board = options.queues?.length ? await (await import('./bull-board.ts')).mountBullBoard(options.queues, '/queues') : undefined;
  const app = new App({ ...options, guard, live, clock, catalog, board });
  const server = createServer((req, res) => void app.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8790, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  allowlist.bind(host, port);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostWithPort(localAddress(host), port)}`,
    bound: { host, port, url: `http://${hostWithPort(host, port)}` },
    close() {
      closing ??= new Promise<void>((resolve) => {
        live.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** What {@link App} serves with. */
interface AppDeps extends DashboardOptions {
  guard: DashboardGuard;
  live: LiveFeed;
  clock: Clock;
  catalog: WorkflowCatalog;
  board?: Mounted;
}

/** A message shown once on the page an action leads to. */
interface Flash {
  ok: boolean;
  text: string;
}

/** The routes. */
class App {
  readonly #d: AppDeps;
  readonly #flashes = new Map<string, Flash>();
  #waiting?: { at: number; count: number };

  constructor(deps: AppDeps) {
    this.#d = deps;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://dashboard');
      const verdict = this.#d.guard.check(req, url.pathname);
      if (!verdict.ok) return verdict.status === 401 ? this.#login(res, url, 401) : this.#text(res, verdict.status, verdict.reason);
      await this.#route(req, res, url);
    } catch (error) {
      if (res.headersSent) {
        res.end();
        return;
      }
      // Never a stack trace: a user error says what to do, anything else says what failed.
      const message = error instanceof UserError ? error.message : `the dashboard failed to answer: ${(error as Error).message}`;
      this.#send(res, 500, this.#page({ title: 'Error' }, html`<h1>Something went wrong</h1><p class="failure">${message}</p>`));
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/queues' || path.startsWith('/queues/')) {
      if (!this.#d.board) return this.#notFound(res, 'The Queue page needs queue mode (Redis): start the dashboard with REDIS_URL set.');
      if (method !== 'GET' && method !== 'HEAD') return this.#text(res, 405, 'the queue board is read-only');
      return this.#d.board(req, res);
    }
    if (method === 'POST') return this.#post(req, res, url);
    if (method !== 'GET' && method !== 'HEAD') return this.#text(res, 405, `${method} is not allowed here`);
    const fragment = req.headers['x-fragment'] === 'live';
    if (path === '/assets/dashboard.css') return this.#asset(res, 'text/css', DASHBOARD_CSS);
    if (path === '/assets/dashboard.js') return this.#asset(res, 'text/javascript', DASHBOARD_JS);
    if (path === '/login') return this.#login(res, url, 200);
    if (path === '/healthz') return this.#text(res, 200, 'ok');
    if (path === '/') return this.#runs(res, url, fragment);
    if (path === '/events/runs') {
      const { query } = runsQuery(url.searchParams);
      const filter = runsFilter(query);
      return this.#d.live.subscribe(`runs:${JSON.stringify(filter)}`, async () => signature(await this.#d.store.list(filter)), res, seenOf(url));
    }
    if (path === '/workflows') return this.#workflows(res);
    if (path === '/approvals') return this.#approvals(res, fragment);
    if (path === '/events/approvals') return this.#d.live.subscribe('approvals', async () => signature(await this.#waitingRuns()), res, seenOf(url));
    const run = /^\/runs\/([^/]+)(\/events)?$/.exec(path);
    if (run) {
      const id = decoded(run[1]!);
      if (id === undefined) return this.#notFound(res, 'That is not a run id.');
      if (run[2]) return this.#d.live.subscribe(`run:${id}`, async () => signature([await this.#d.store.get(id)]), res, seenOf(url));
      return this.#run(res, id, url, fragment);
    }
    return this.#notFound(res, `Nothing at ${path}.`);
  }

  async #runs(res: ServerResponse, url: URL, fragment: boolean): Promise<void> {
    const { query, problems } = runsQuery(url.searchParams);
    // One more than a page tells whether there is an older page.
    const found = await this.#d.store.list(runsFilter(query, RUNS_PER_PAGE + 1));
    const view = {
      query,
      problems,
      runs: found.slice(0, RUNS_PER_PAGE),
      more: found.length > RUNS_PER_PAGE,
      workflows: await this.#d.catalog.names(),
      clock: this.#d.clock,
    };
    if (fragment) return this.#send(res, 200, runsLive(view));
    const live = liveUrl('/events/runs', url.searchParams, view.runs);
    this.#send(res, 200, this.#page({ title: 'Runs', section: 'runs', live, waiting: await this.#waitingCount() }, runsBody(view)));
  }

  async #run(res: ServerResponse, id: string, url: URL, fragment: boolean): Promise<void> {
    let run: RunRecord | undefined;
    try {
      run = await this.#d.store.get(id);
    } catch (error) {
      if (error instanceof UserError) return this.#notFound(res, error.message);
      throw error;
    }
    if (!run) return this.#notFound(res, `No run with id ${id}.`);
    if (run.id !== id) return this.#redirect(res, `/runs/${encodeURIComponent(run.id)}`);
    const flashKey = url.searchParams.get('flash');
    const flash = flashKey ? this.#flashes.get(flashKey) : undefined;
    const view = { run, clock: this.#d.clock, csrf: this.#d.guard.options.csrf, flash };
    if (fragment) return this.#send(res, 200, runLive(view));
    const live = liveUrl(`/runs/${encodeURIComponent(run.id)}/events`, new URLSearchParams(), [run]);
    this.#send(
      res,
      200,
      this.#page({ title: `${run.workflow} ${run.id.slice(0, 8)}`, section: 'runs', live, waiting: await this.#waitingCount() }, runBody(view)),
    );
  }

  async #workflows(res: ServerResponse): Promise<void> {
    const view = await this.#d.catalog.view(this.#d.store, this.#d.pauses, this.#d.clock);
    this.#send(res, 200, this.#page({ title: 'Workflows', section: 'workflows', waiting: await this.#waitingCount() }, workflowsBody(view)));
  }

  async #approvals(res: ServerResponse, fragment: boolean): Promise<void> {
    const runs = await this.#waitingRuns();
    if (fragment) return this.#send(res, 200, approvalsLive(runs, this.#d.clock));
    this.#send(
      res,
      200,
      this.#page(
        { title: 'Approvals', section: 'approvals', live: liveUrl('/events/approvals', new URLSearchParams(), runs), waiting: runs.length },
        approvalsBody(runs, this.#d.clock),
      ),
    );
  }

  async #post(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const form = await readForm(req);
    if (url.pathname === '/login') {
      const token = form.get('token') ?? '';
      if (!this.#d.guard.tokenMatches(token)) return this.#login(res, url, 401, 'That is not the token.');
      res.writeHead(303, { Location: '/', 'Set-Cookie': this.#d.guard.sessionCookie() }).end();
      return;
    }
    if (!this.#d.guard.formTokenMatches(form.get('csrf') ?? undefined))
      return this.#text(res, 403, 'the form is out of date (the dashboard restarted?): reload the page and try again');
    const m = /^\/runs\/([^/]+)\/(approve|reject|rerun)$/.exec(url.pathname);
    if (!m) return this.#notFound(res, `Nothing to post to at ${url.pathname}.`);
    const id = decoded(m[1]!);
    if (id === undefined) return this.#notFound(res, 'That is not a run id.');
    const by = `dashboard (${req.socket.remoteAddress ?? 'unknown'})`;
    let target = id;
    let flash: Flash;
    try {
      if (m[2] === 'rerun') {
        const outcome = await this.#d.actions.rerun(id);
        target = outcome.runId;
        flash = { ok: true, text: outcome.text };
      } else {
        const call = form.get('call') ?? 'all';
        const calls = call === 'all' ? 'all' : [Number(call)];
        if (calls !== 'all' && !Number.isInteger(calls[0])) throw new UserError(`'${call}' is not a held call's number`);
        const reason = form.get('reason')?.trim();
        const outcome = await this.#d.actions.decide(id, { approved: m[2] === 'approve', calls, by, ...(reason ? { reason } : {}) });
        flash = { ok: true, text: outcome.text };
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      flash = { ok: false, text: error.message };
    }
    this.#waiting = undefined;
    this.#redirect(res, `/runs/${encodeURIComponent(target)}?flash=${this.#flash(flash)}`);
  }

  /** Keeps a message for the next page (one minute). */
  #flash(flash: Flash): string {
    const key = randomBytes(9).toString('base64url');
    this.#flashes.set(key, flash);
    setTimeout(() => this.#flashes.delete(key), 60_000).unref();
    return key;
  }

  async #waitingRuns(): Promise<RunRecord[]> {
    return this.#d.store.list({ status: 'waiting', order: 'oldest', limit: -1 });
  }

  async #waitingCount(): Promise<number> {
    const at = Date.now();
    if (this.#waiting && at - this.#waiting.at < WAITING_TTL_MS) return this.#waiting.count;
    const count = (await this.#d.store.list({ status: 'waiting', limit: WAITING_SHOWN + 1 })).length;
    this.#waiting = { at, count };
    return count;
  }

  #page(frame: Omit<PageFrame, 'queues'>, body: Html): Html {
    return page({ ...frame, queues: this.#d.board !== undefined }, body);
  }

  #login(res: ServerResponse, url: URL, status: number, problem?: string): void {
    const given = url.searchParams.get('token');
    if (given !== null && this.#d.guard.tokenMatches(given)) {
      res.writeHead(303, { Location: '/', 'Set-Cookie': this.#d.guard.sessionCookie() }).end();
      return;
    }
    const body = html`<h1>Sign in</h1><p>This dashboard asks for its token: the one in RUNNER_DASHBOARD_TOKEN, or printed by <code>runner dashboard</code> when it started.</p>
${problem || given !== null ? html`<p class="failure" role="alert">${problem ?? 'That is not the token.'}</p>` : ''}
<form method="post" action="/login" class="card actions"><label>Token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit" class="primary">Sign in</button></form>`;
    this.#send(res, status, page({ title: 'Sign in', queues: false }, body));
  }

  #notFound(res: ServerResponse, message: string): void {
    this.#send(res, 404, this.#page({ title: 'Not found' }, html`<h1>Not found</h1><p>${message}</p><p><a href="/">All runs</a></p>`));
  }

  #redirect(res: ServerResponse, location: string): void {
    res.writeHead(303, { Location: location }).end();
  }

  #asset(res: ServerResponse, type: string, text: string): void {
    res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' }).end(text);
  }

  #text(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(`${text}\n`);
  }

  #send(res: ServerResponse, status: number, body: Html): void {
    res
      .writeHead(status, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'same-origin',
        'X-Frame-Options': 'DENY',
        'Content-Security-Policy':
          "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      })
      .end(body.markup);
  }
}

/** The event stream of a page: its filters, and the signature of what it was rendered with (`v`). */
function liveUrl(path: string, params: URLSearchParams, shown: ReadonlyArray<RunRecord | undefined>): string {
  const q = new URLSearchParams(params);
  q.delete('flash');
  q.set('v', signature(shown));
  return `${path}?${q.toString()}`;
}

/** The signature a page was rendered with, as its stream's URL carries it. */
function seenOf(url: URL): string | undefined {
  return url.searchParams.get('v') ?? undefined;
}

/** What changes on a page when runs move (ids, statuses, attempts, steps, calls, tokens), hashed short. */
function signature(runs: ReadonlyArray<RunRecord | undefined>): string {
  const text = runs
    .map((r) => {
      if (!r) return '-';
      const attempt = r.attempts.at(-1);
      const calls = attempt?.steps.reduce((n, s) => n + s.toolCalls.length, 0) ?? 0;
      return `${r.id}:${r.status}:${r.attempts.length}:${attempt?.steps.length ?? 0}:${calls}:${r.usage.requests}:${r.notifications?.length ?? 0}:${r.approvals?.length ?? 0}:${r.approvals?.at(-1)?.calls.filter((c) => c.decision).length ?? 0}:${r.endedAt ?? ''}`;
    })
    .join('|');
  return createHash('sha1').update(text).digest('base64url').slice(0, 16);
}

/** A percent-decoded path segment, or undefined when it is not valid percent-encoding. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Reads an url-encoded form (at most {@link MAX_FORM} bytes). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM) throw new UserError('the form is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
