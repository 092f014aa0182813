/**
 * A Composio user's Confluence connection: its state (a Tool Router session's `toolkits()`), a new auth link
 * (`session.authorize()`), and waiting until a person finished it. Runs on the composio backend check the state
 * before any step; `runner connect`, `runner connections` and `runner doctor` use the same functions.
 */
import type { RunnerConfig } from '../config/config.ts';
import { ExternalError, UserError } from '../shared/errors.ts';

/** The toolkit the runner connects. */
export const CONFLUENCE_TOOLKIT = 'confluence';

/** Where a connection stands: `none` when the user has no connected account for the toolkit at all. */
export type ConnectionStatus = 'active' | 'none' | 'pending' | 'failed' | 'expired';

/** A user's connection to one toolkit. */
export interface ToolkitConnection {
  /** Toolkit slug (`confluence`). */
  toolkit: string;
  status: ConnectionStatus;
  /** The connected account's id, when there is one. */
  accountId?: string;
}

/** A started auth link. */
export interface AuthLink {
  /** The page the person opens to connect. */
  redirectUrl: string;
  /** The new (still pending) connected account. */
  accountId: string;
}

/** The one-line fix for a missing key, shared by every command that needs Composio. */
export const MISSING_COMPOSIO_KEY = 'COMPOSIO_API_KEY is not set: put your Composio project API key in the environment or .env';

/** The command that connects a user, as printed in errors and records. */
export function connectCommand(userId: string): string {
  return `runner connect --user ${quoteArg(userId)}`;
}

const quoteArg = (text: string): string => (/^[\w@.+:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

type Session = Awaited<ReturnType<import('@composio/core').Composio['create']>>;

/** Opens a Tool Router session for the user, scoped to Confluence, that offers no connection management. */
async function openSession(config: RunnerConfig, userId: string): Promise<Session> {
  const { apiKey, baseUrl, allowTracking } = config.composio;
  if (!apiKey) throw new UserError(MISSING_COMPOSIO_KEY);
  const { Composio } = await import('@composio/core');
  const composio = new Composio({ apiKey, baseURL: baseUrl, allowTracking, disableVersionCheck: true });
  try {
    return await composio.create(userId, { toolkits: [CONFLUENCE_TOOLKIT], manageConnections: false });
  } catch (error) {
    throw composioFailure('did not open a Tool Router session', error);
  }
}

/** An error from Composio as an {@link ExternalError}: `auth` (not retryable) for a refused key, else `tool`. */
export function composioFailure(what: string, error: unknown): ExternalError {
  const status = (error as { status?: number }).status;
  const message = `Composio ${what}${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`;
  if (status === 401 || status === 403) {
    return new ExternalError('auth', `${message}; check COMPOSIO_API_KEY`, { cause: error, retryable: false, status });
  }
  return new ExternalError('tool', message, {
    cause: error,
    retryable: status === undefined || status === 429 || status >= 500,
    ...(status !== undefined ? { status } : {}),
  });
}

const STATUS: Record<string, ConnectionStatus> = {
  ACTIVE: 'active',
  INITIATED: 'pending',
  INITIALIZING: 'pending',
  FAILED: 'failed',
  EXPIRED: 'expired',
  REVOKED: 'expired',
  INACTIVE: 'expired',
};

/** What reading a connection needs of a session (with or without its MCP endpoint). */
type ToolkitsReader = Pick<Session, 'toolkits'>;

async function readConnection(session: ToolkitsReader, toolkit: string): Promise<ToolkitConnection> {
  let items;
  try {
    ({ items } = await session.toolkits({ toolkits: [toolkit] }));
  } catch (error) {
    throw composioFailure('did not report the connection state', error);
  }
  const item = items.find((i) => i.slug.toLowerCase() === toolkit);
  const account = item?.connection?.connectedAccount;
  if (item?.isNoAuth) return { toolkit, status: 'active' };
  if (!account) return { toolkit, status: 'none' };
  const status = item?.connection?.isActive ? 'active' : (STATUS[account.status.toUpperCase()] ?? 'failed');
  return { toolkit, status, accountId: account.id };
}

/**
 * The user's Confluence connection (default user: COMPOSIO_USER_ID). A missing COMPOSIO_API_KEY is a
 * {@link UserError}; Composio's own failures are {@link ExternalError}s.
 */
export async function confluenceConnection(
  config: RunnerConfig,
  userId?: string,
): Promise<{ status: 'active' | 'none' | 'pending' | 'failed' | 'expired'; accountId?: string }> {
  const session = await openSession(config, userId ?? config.composio.userId);
  const { status, accountId } = await readConnection(session, CONFLUENCE_TOOLKIT);
  return accountId ? { status, accountId } : { status };
}

/** Every toolkit connection the runner uses for the user (today: Confluence), for `runner connections`. */
export async function listConnections(config: RunnerConfig, userId?: string): Promise<ToolkitConnection[]> {
  const session = await openSession(config, userId ?? config.composio.userId);
  return [await readConnection(session, CONFLUENCE_TOOLKIT)];
}

/** Starts an auth link for the user's Confluence connection (`session.authorize`). */
export async function authorizeConfluence(config: RunnerConfig, options: { userId?: string; callbackUrl?: string } = {}): Promise<AuthLink> {
  const session = await openSession(config, options.userId ?? config.composio.userId);
  let request;
  try {
    request = await session.authorize(CONFLUENCE_TOOLKIT, options.callbackUrl ? { callbackUrl: options.callbackUrl } : {});
  } catch (error) {
    throw composioFailure('did not create an auth link', error);
  }
  if (!request.redirectUrl) throw new ExternalError('tool', 'Composio created the connection without an auth link to open', { retryable: false });
  return { redirectUrl: request.redirectUrl, accountId: request.id };
}

/** Options of {@link waitForConfluence}. */
export interface WaitOptions {
  userId?: string;
  /** How long to wait in all (ms). */
  timeoutMs: number;
  /** Pause between two checks (default 1000 ms). */
  intervalMs?: number;
  /** Told each state seen, for a live status line. */
  onStatus?: (connection: ToolkitConnection, elapsedMs: number) => void;
  /** Stops the wait early (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Checks the user's Confluence connection until it is active, failed or expired, or the time is up; answers the
 * last state seen (so `pending` or `none` means the wait ended first).
 */
export async function waitForConfluence(config: RunnerConfig, options: WaitOptions): Promise<ToolkitConnection> {
  const session = await openSession(config, options.userId ?? config.composio.userId);
  const started = Date.now();
  const interval = options.intervalMs ?? 1000;
  for (;;) {
    const connection = await readConnection(session, CONFLUENCE_TOOLKIT);
    const elapsed = Date.now() - started;
    options.onStatus?.(connection, elapsed);
    if (connection.status === 'active' || connection.status === 'failed' || connection.status === 'expired') return connection;
    if (elapsed + interval > options.timeoutMs || options.signal?.aborted) return connection;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval);
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}

/**
 * The check a run on the composio backend makes in its session before any step: no active Confluence connection
 * is an `auth` failure that no retry can fix, naming the command that connects the user.
 */
export async function requireConfluenceConnection(session: ToolkitsReader, userId: string): Promise<void> {
  const { status, accountId } = await readConnection(session, CONFLUENCE_TOOLKIT);
  if (status === 'active') return;
  const state = status === 'none' ? 'has no Confluence connection' : `has a Confluence connection that is ${status}${accountId ? ` (${accountId})` : ''}`;
  throw new ExternalError('auth', `Composio user ${userId} ${state}; connect it with \`${connectCommand(userId)}\``, { retryable: false });
}
