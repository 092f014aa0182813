import { MCPServerStdio } from '@openai/agents';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { RunnerConfig } from '../config/config.ts';
import { UserError } from '../shared/errors.ts';
import type { McpOptions, SecretValue } from '../workflow/types.ts';
import { openMcpBackend } from './mcp-backend.ts';
import { quietLogger, streamable } from './sandbox.ts';
import type { ToolBackend } from './types.ts';

/** Any MCP server: by `url` (streamable HTTP, headers from the environment) or by `command` (stdio). */
export async function openCustomMcpBackend(config: RunnerConfig, options: McpOptions | undefined): Promise<ToolBackend> {
  if (!options?.url && !options?.command) throw new UserError('the mcp backend needs tools.mcp.url or tools.mcp.command in the workflow');
  const resolve = (values: Record<string, SecretValue> | undefined): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(values ?? {})) {
      if (typeof value === 'string') out[key] = value;
      else {
        const found = config.lookupEnv(value.env);
        if (found === undefined) throw new UserError(`tools.mcp needs the environment variable ${value.env} (for ${key}); set it or put it in .env`);
        out[key] = found;
      }
    }
    return out;
  };
  if (options.url) {
    const headers = resolve(options.headers);
    return openMcpBackend({ name: 'mcp', server: streamable(options.url, headers, 'mcp'), hosted: { label: 'mcp', url: options.url, headers } });
  }
  const server = new MCPServerStdio({
    name: 'mcp',
    command: options.command!,
    args: options.args ?? [],
    env: { ...getDefaultEnvironment(), ...resolve(options.env) },
    cacheToolsList: true,
    logger: quietLogger('mcp'),
  });
  return openMcpBackend({ name: 'mcp', server });
}
