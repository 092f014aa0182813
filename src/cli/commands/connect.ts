import {
  CONFLUENCE_TOOLKIT,
  authorizeConfluence,
  confluenceConnection,
  connectCommand as connectCommandFor,
  listConnections,
  waitForConfluence,
  type ToolkitConnection,
} from '../../backends/composio-connection.ts';
import { formatDuration, parseDuration } from '../../shared/duration.ts';
import { UserError } from '../../shared/errors.ts';
import { cliConfig } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { err, out, outJson, pad, paint, printable } from '../output.ts';

/** Longest `--wait` accepted (24 hours). */
const MAX_WAIT_MS = 86_400_000;

/** Flags of `runner connect`. */
export interface ConnectFlags {
  /** Composio user id (default COMPOSIO_USER_ID). */
  user?: string;
  /** Where the auth page sends the person afterwards (default: Composio's own page). */
  'callback-url'?: string;
  /** How long to wait for the connection (default 5m). */
  wait?: string;
}

/** Flags of `runner connections`. */
export interface ConnectionsFlags {
  user?: string;
  json?: boolean;
}

function checkToolkit(toolkit: string | undefined): void {
  if (toolkit !== undefined && toolkit.toLowerCase() !== CONFLUENCE_TOOLKIT) {
    throw new UserError(`unknown toolkit '${toolkit}' (the runner connects confluence)`);
  }
}

function checkFlags(flags: ConnectFlags): { waitMs: number; callbackUrl?: string; user?: string } {
  const waitMs = flags.wait === undefined ? 300_000 : parseDuration(flags.wait);
  if (waitMs === undefined || waitMs <= 0 || waitMs > MAX_WAIT_MS) {
    throw new UserError(`--wait must be a duration between 1s and 24h, e.g. 5m (got '${flags.wait}')`);
  }
  const callbackUrl = flags['callback-url'];
  if (callbackUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(callbackUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new UserError(`--callback-url must be an http(s) URL (got '${callbackUrl}')`);
    }
  }
  if (flags.user !== undefined && flags.user.trim() === '') throw new UserError('--user must not be empty');
  return { waitMs, ...(callbackUrl ? { callbackUrl } : {}), ...(flags.user ? { user: flags.user } : {}) };
}

const describe = (c: ToolkitConnection): string => `${c.status}${c.accountId ? ` (${c.accountId})` : ''}`;

/**
 * `runner connect [confluence]`: reports an active connection, or creates an auth link, prints it and waits with a
 * live status line until the connection is active (exit 0) or the wait ends (exit 1).
 */
export async function connectCommand(toolkit: string | undefined, flags: ConnectFlags): Promise<void> {
  checkToolkit(toolkit);
  const { waitMs, callbackUrl, user } = checkFlags(flags);
  const config = cliConfig();
  const userId = user ?? config.composio.userId;
  const who = `Composio user ${printable(userId)}`;

  const before = await confluenceConnection(config, userId);
  if (before.status === 'active') {
    out(`Confluence is connected for ${who}: account ${printable(before.accountId ?? '(no id)')}, active.`);
    return;
  }
  const link = await authorizeConfluence(config, { userId, ...(callbackUrl ? { callbackUrl } : {}) });
  out(`Open this link to connect Confluence for ${who}:`);
  out(`  ${printable(link.redirectUrl)}`);

  const tty = process.stderr.isTTY === true;
  let last = '';
  const status = (c: ToolkitConnection, elapsedMs: number): void => {
    if (c.status === 'active') return;
    const line = `waiting for the connection: ${describe(c)} · ${Math.floor(elapsedMs / 1000)}s of ${formatDuration(waitMs)}`;
    if (tty) process.stderr.write(`\r\x1b[2K${printable(line)}`);
    else if (c.status !== last) err(printable(line));
    last = c.status;
  };
  const aborter = new AbortController();
  const onSignal = () => aborter.abort();
  process.once('SIGINT', onSignal);
  let final: ToolkitConnection;
  try {
    final = await waitForConfluence(config, { userId, timeoutMs: waitMs, onStatus: status, signal: aborter.signal });
  } finally {
    process.removeListener('SIGINT', onSignal);
    if (tty) process.stderr.write('\n');
  }
  if (final.status === 'active') {
    out(`Confluence is connected for ${who}: account ${printable(final.accountId ?? link.accountId)}, active.`);
    return;
  }
  const why = aborter.signal.aborted
    ? 'stopped'
    : final.status === 'pending' || final.status === 'none'
      ? `not finished after ${formatDuration(waitMs)}`
      : final.status;
  err(
    `${paint('red', 'error:', process.stderr)} the connection for ${who} is ${why}; open the link above, or run \`${printable(connectCommandFor(userId))}\` again for a new link`,
  );
  throw new ExitCode(aborter.signal.aborted ? 130 : EXIT.failed);
}

/** `runner connections`: the user's toolkit connections (toolkit, account id, status). */
export async function connectionsCommand(flags: ConnectionsFlags): Promise<void> {
  if (flags.user !== undefined && flags.user.trim() === '') throw new UserError('--user must not be empty');
  const config = cliConfig();
  const userId = flags.user ?? config.composio.userId;
  const connections = await listConnections(config, userId);
  if (flags.json) {
    outJson(connections.map((c) => ({ user: userId, toolkit: c.toolkit, account: c.accountId ?? null, status: c.status })));
    return;
  }
  out(`Composio user ${printable(userId)}`);
  for (const c of connections) {
    const state = c.status === 'active' ? paint('green', c.status) : paint('yellow', c.status);
    out(`  ${pad(c.toolkit, 12)}  ${pad(printable(c.accountId ?? '-'), 24)}  ${state}`);
  }
  if (connections.some((c) => c.status !== 'active')) out(`Connect with: ${printable(connectCommandFor(userId))}`);
}
