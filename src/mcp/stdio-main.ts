/**
 * Stand-alone stdio MCP entry: `node src/mcp/stdio-main.ts <baseUrl> <email> <apiToken>`.
 * Serves the Confluence toolkit pointed at that site; exits when stdin closes. Used by tests and MCP hosts.
 */
import { createConfluenceToolkit } from '../confluence/toolkit.ts';
import { runMcpStdio } from './stdio.ts';

const [baseUrl, email, apiToken] = process.argv.slice(2);
if (!baseUrl || !email || !apiToken) {
  process.stderr.write('usage: stdio-main <baseUrl> <email> <apiToken>\n');
  process.exit(2);
}
const running = await runMcpStdio(createConfluenceToolkit({ baseUrl, email, apiToken }));
await running.closed;
