import { randomBytes } from 'node:crypto';
import { isLoopbackHost } from '../../mcp/http-guard.ts';
import { UserError } from '../../shared/errors.ts';
import type { ToolExecutor } from '../../toolkit/types.ts';
import { cliConfig } from '../context.ts';
import { boundAddress, listenError, warnIfExposed } from '../listening.ts';
import { err } from '../output.ts';
import { untilSignal } from '../signals.ts';
import { parsePort } from './sandbox.ts';

/** Flags of `runner mcp`. */
export interface McpFlags {
  stdio?: boolean;
  http?: boolean;
  port?: string;
  host?: string;
  'allow-host'?: string[];
  'no-auth'?: boolean;
}

/**
 * `runner mcp --stdio | --http`: serves the Confluence toolkit as MCP tools against the configured site
 * (CONFLUENCE_BASE_URL + CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN), else RUNNER_SANDBOX_URL, else an embedded sandbox.
 * Everything but protocol goes to stderr, so stdio clients see a clean stream. Over HTTP the endpoint holds the
 * site's credentials, so it wants a bearer token (RUNNER_MCP_TOKEN, else one made up and printed here) and checks
 * Host and Origin; `--no-auth` is for loopback only.
 */
export async function mcpCommand(flags: McpFlags): Promise<void> {
  if (Boolean(flags.stdio) === Boolean(flags.http)) throw new UserError('give exactly one of --stdio or --http');
  const httpOnly = (['port', 'host', 'no-auth'] as const).filter((f) => flags[f] !== undefined && flags[f] !== false);
  if (flags.stdio && (httpOnly.length || flags['allow-host']?.length)) {
    throw new UserError(`--${httpOnly[0] ?? 'allow-host'} applies to --http only`);
  }
  const host = flags.host ?? '127.0.0.1';
  if (flags.http && flags['no-auth'] && !isLoopbackHost(host)) {
    throw new UserError(`--no-auth is refused with --host ${host}: only a loopback address (127.0.0.1, localhost, ::1) may serve without a token`);
  }
  const port = parsePort(flags.port, 8788);
  const { executor, describe, close } = await toolkitTarget();
  try {
    if (flags.stdio) {
      const { runMcpStdio } = await import('../../mcp/stdio.ts');
      err(`MCP over stdio: Confluence toolkit on ${describe}`);
      const running = await runMcpStdio(executor);
      await Promise.race([running.closed, untilSignal()]);
      await running.close();
    } else {
      await serveHttp(executor, describe, { host, port, allowHosts: flags['allow-host'] ?? [], noAuth: Boolean(flags['no-auth']) });
    }
  } finally {
    await close();
  }
}

async function serveHttp(
  executor: ToolExecutor,
  describe: string,
  options: { host: string; port: number; allowHosts: string[]; noAuth: boolean },
): Promise<void> {
  const config = cliConfig();
  const { startMcpHttpServer } = await import('../../mcp/http.ts');
  const generated = options.noAuth || config.mcpToken ? undefined : randomBytes(24).toString('base64url');
  const token = options.noAuth ? undefined : (config.mcpToken ?? generated);
  config.secrets.add(token);
  const server = await startMcpHttpServer({ executor, port: options.port, host: options.host, allowHosts: options.allowHosts, token }).catch(
    (error: NodeJS.ErrnoException) => {
      throw listenError(error, options.host, options.port);
    },
  );
  warnIfExposed(options.host, 'the MCP endpoint (it acts with the Confluence credentials)');
  err(`MCP over streamable HTTP at ${boundAddress(server.boundUrl, server.url)}: Confluence toolkit on ${describe}. Ctrl-C stops.`);
  if (!token) err('  auth: none (--no-auth; loopback only)');
  else if (generated) {
    err(`  auth: send "Authorization: Bearer ${generated}" (generated for this run; set RUNNER_MCP_TOKEN to choose a lasting token)`);
  } else err('  auth: send "Authorization: Bearer <RUNNER_MCP_TOKEN>"');
  await untilSignal();
  await server.close();
}

async function toolkitTarget(): Promise<{ executor: ToolExecutor; describe: string; close: () => Promise<void> }> {
  const config = cliConfig();
  const { createConfluenceToolkit } = await import('../../confluence/toolkit.ts');
  const site = config.confluence;
  if (site.baseUrl) {
    if (!site.email || !site.apiToken) throw new UserError('CONFLUENCE_BASE_URL is set; also set CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN');
    return {
      executor: createConfluenceToolkit({ baseUrl: site.baseUrl, email: site.email, apiToken: site.apiToken }),
      describe: site.baseUrl,
      close: async () => {},
    };
  }
  const { email, apiToken } = config.sandbox;
  if (config.sandbox.url) {
    return {
      executor: createConfluenceToolkit({ baseUrl: config.sandbox.url, email, apiToken }),
      describe: `the sandbox at ${config.sandbox.url}`,
      close: async () => {},
    };
  }
  const { startSandbox } = await import('../../sandbox/server.ts');
  const sandbox = await startSandbox({
    dbPath: config.sandbox.dbPath,
    port: 0,
    seed: true,
    publicUrl: config.sandbox.publicUrl,
    users: [{ email, apiToken, displayName: 'Sandbox User' }],
  });
  return {
    executor: createConfluenceToolkit({ baseUrl: sandbox.url, email, apiToken }),
    describe: `an embedded sandbox (${config.sandbox.dbPath})`,
    close: () => sandbox.close(),
  };
}
