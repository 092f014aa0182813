import { UserError } from '../../shared/errors.ts';
import { cliConfig } from '../context.ts';
import { boundAddress, listenError, warnIfExposed } from '../listening.ts';
import { err, out } from '../output.ts';
import { untilSignal } from '../signals.ts';

/** Flags shared by the sandbox commands. */
export interface SandboxFlags {
  db?: string;
  port?: string;
  faults?: string;
  email?: string;
  token?: string;
  empty?: boolean;
  host?: string;
  'allow-host'?: string[];
}

/** Parses a `--port` value: 0-65535. */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a number from 0 to 65535, not '${value}'`);
  return port;
}

/** `runner sandbox serve`: the embedded Confluence with /mcp and the tool-router face, until a signal. */
export async function sandboxServeCommand(flags: SandboxFlags): Promise<void> {
  const config = cliConfig();
  const { parseFaults } = await import('../../sandbox/faults.ts');
  let faults;
  try {
    faults = flags.faults ? parseFaults(flags.faults) : undefined;
  } catch (error) {
    throw new UserError(`--faults: ${(error as Error).message}`);
  }
  const { startSandboxWithMcp } = await import('../../sandbox/with-mcp.ts');
  const { DEFAULT_USER } = await import('../../sandbox/server.ts');
  const email = flags.email ?? config.sandbox.email;
  const apiToken = flags.token ?? config.sandbox.apiToken;
  const host = flags.host ?? '127.0.0.1';
  const port = parsePort(flags.port, 8787);
  const sandbox = await startSandboxWithMcp({
    dbPath: flags.db ?? config.sandbox.dbPath,
    port,
    host,
    allowHosts: flags['allow-host'] ?? [],
    users: [{ email, apiToken, displayName: 'Sandbox User' }],
    faults,
    seed: !flags.empty,
  }).catch((error: NodeJS.ErrnoException) => {
    throw listenError(error, host, port);
  });
  if (warnIfExposed(host, `the sandbox (REST, /mcp and the tool router, with the login ${sandbox.email})`) && apiToken === DEFAULT_USER.apiToken) {
    err(`warning: the sandbox token is the well-known default '${DEFAULT_USER.apiToken}'; set --token or RUNNER_SANDBOX_TOKEN (on both sides)`);
  }
  out(`Confluence sandbox listening on ${boundAddress(sandbox.bound.url, sandbox.url)}`);
  out(`  REST:        ${sandbox.url}/wiki/api/v2  and  ${sandbox.url}/wiki/rest/api`);
  out(`  login:       ${sandbox.email} / ${sandbox.apiToken}   (HTTP Basic)`);
  out(`  browse:      ${sandbox.url}/wiki   (the content as web pages, with this login)`);
  out(`  MCP:         ${sandbox.mcpUrl}   (the same login over HTTP Basic, or Authorization: Bearer <token>)`);
  out(`  tool router: ${sandbox.url}  (x-api-key: ${sandbox.toolRouterApiKey}; set COMPOSIO_BASE_URL to use it)`);
  out(`  database:    ${flags.db ?? config.sandbox.dbPath}${faults ? `   faults: ${flags.faults}` : ''}`);
  out('Press Ctrl-C to stop.');
  await untilSignal();
  await sandbox.close();
  err('sandbox stopped');
}

/** `runner sandbox seed`: empties the sandbox database and fills it with the deterministic demo content. */
export async function sandboxSeedCommand(flags: SandboxFlags): Promise<void> {
  const { foreignTables, openStore } = await import('../../sandbox/store/store.ts');
  const { resetSandbox, seedSandbox } = await import('../../sandbox/seed.ts');
  const dbPath = flags.db ?? cliConfig().sandbox.dbPath;
  refuseForeignDatabase(foreignTables(dbPath), dbPath, flags.db ? '--db' : 'RUNNER_SANDBOX_DB');
  const store = openStore({ dbPath });
  try {
    store.transaction(() => {
      resetSandbox(store);
      seedSandbox(store);
    });
    const count = (sql: string) => Number(store.get(sql)?.n ?? 0);
    out(
      `seeded ${dbPath}: ${count('SELECT count(*) AS n FROM spaces')} spaces, ${count("SELECT count(*) AS n FROM content WHERE type = 'page'")} pages, ${count("SELECT count(*) AS n FROM content WHERE type = 'blogpost'")} blog posts`,
    );
  } finally {
    store.close();
  }
}

/** `runner sandbox reset`: empties the sandbox database. */
export async function sandboxResetCommand(flags: SandboxFlags): Promise<void> {
  const { foreignTables, openStore } = await import('../../sandbox/store/store.ts');
  const { resetSandbox } = await import('../../sandbox/seed.ts');
  const dbPath = flags.db ?? cliConfig().sandbox.dbPath;
  refuseForeignDatabase(foreignTables(dbPath), dbPath, flags.db ? '--db' : 'RUNNER_SANDBOX_DB');
  const store = openStore({ dbPath });
  try {
    store.transaction(() => resetSandbox(store));
    out(`emptied ${dbPath}`);
  } finally {
    store.close();
  }
}

/**
 * Seed and reset empty the whole file: refuse one that holds anything but sandbox tables (run records, chat
 * sessions), so pointing `--db` at RUNNER_DB cannot wipe a run history.
 */
function refuseForeignDatabase(tables: readonly string[], dbPath: string, source: string): void {
  if (tables.length === 0) return;
  const holds = [
    ...(tables.some((t) => t === 'runs' || t === 'journal') ? ['run records'] : []),
    ...(tables.some((t) => t.startsWith('chat_')) ? ['chat sessions'] : []),
  ];
  const what = holds.length ? holds.join(' and ') : `other tables (${tables.slice(0, 3).join(', ')})`;
  throw new UserError(`${source} ${dbPath} is not a sandbox database: it holds ${what}; point --db at the sandbox's file (RUNNER_SANDBOX_DB)`);
}
