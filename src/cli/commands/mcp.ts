import { UserError } from '../../shared/errors.ts';
import type { ToolExecutor } from '../../toolkit/types.ts';
import { cliConfig } from '../context.ts';
import { err } from '../output.ts';
import { untilSignal } from '../signals.ts';
import { parsePort } from './sandbox.ts';

/** Flags of `runner mcp`. */
export interface McpFlags {
  stdio?: boolean;
  http?: boolean;
  port?: string;
}

/**
 * `runner mcp --stdio | --http`: serves the Confluence toolkit as MCP tools against the configured site
 * (CONFLUENCE_BASE_URL + CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN), else RUNNER_SANDBOX_URL, else an embedded sandbox.
 * Everything but protocol goes to stderr, so stdio clients see a clean stream.
 */
export async function mcpCommand(flags: McpFlags): Promise<void> {
  if (Boolean(flags.stdio) === Boolean(flags.http)) throw new UserError('give exactly one of --stdio or --http');
  const { executor, describe, close } = await toolkitTarget();
  try {
    if (flags.stdio) {
      const { runMcpStdio } = await import('../../mcp/stdio.ts');
      err(`MCP over stdio: Confluence toolkit on ${describe}`);
      const running = await runMcpStdio(executor);
      await Promise.race([running.closed, untilSignal()]);
      await running.close();
    } else {
      const { startMcpHttpServer } = await import('../../mcp/http.ts');
      const server = await startMcpHttpServer({ executor, port: parsePort(flags.port, 8788) });
      err(`MCP over streamable HTTP at ${server.url}: Confluence toolkit on ${describe}. Ctrl-C stops.`);
      await untilSignal();
      await server.close();
    }
  } finally {
    await close();
  }
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
  const sandbox = await startSandbox({ dbPath: config.sandbox.dbPath, port: 0, seed: true, users: [{ email, apiToken, displayName: 'Sandbox User' }] });
  return {
    executor: createConfluenceToolkit({ baseUrl: sandbox.url, email, apiToken }),
    describe: `an embedded sandbox (${config.sandbox.dbPath})`,
    close: () => sandbox.close(),
  };
}
