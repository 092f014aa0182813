import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ToolExecutor } from '../toolkit/types.ts';
import { createToolkitMcpServer, type ToolkitMcpServerOptions } from './server.ts';

/** A running stdio MCP server. */
export interface RunningMcpStdio {
  /** Resolves when the client closes the stream (or {@link RunningMcpStdio.close} is called). */
  closed: Promise<void>;
  /** Disconnects from stdin/stdout; safe to call twice. */
  close(): Promise<void>;
}

/** Serves an executor's tools over this process's stdin/stdout (what `runner mcp --stdio` runs). */
export async function runMcpStdio(executor: ToolExecutor, options: Partial<ToolkitMcpServerOptions> = {}): Promise<RunningMcpStdio> {
  const server = createToolkitMcpServer(executor, {
    ...options,
    name: options.name ?? 'confluence-toolkit',
    version: options.version ?? '0.1.0',
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
  });
  // The SDK's stdio transport does not notice stdin ending by itself; without this the process would linger.
  const onEnd = (): void => void server.close();
  process.stdin.once('end', onEnd);
  await server.connect(transport);
  let closing: Promise<void> | undefined;
  return {
    closed,
    close() {
      process.stdin.off('end', onEnd);
      closing ??= server.close();
      return closing;
    },
  };
}
