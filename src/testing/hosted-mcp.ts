import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { IdSource, ScriptedHostedMcpCall } from './scripted-model-types.ts';

/**
 * Emulates OpenAI's hosted MCP tool: the scripted server connects to each `{type:'mcp'}` tool of the request as
 * an MCP client, lists its tools and runs the scripted calls, answering with `mcp_list_tools` and `mcp_call`
 * output items as the Responses API does.
 */

type Item = Record<string, any>;

/** A request the hosted MCP emulation cannot serve; answered with `status` in OpenAI's error shape. */
export class HostedMcpError extends Error {
  /** HTTP status to answer with. */
  readonly status: number;
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HostedMcpError';
    this.status = status;
  }
}

/** What {@link runHostedMcpCalls} needs. */
export interface HostedMcpRun {
  /** The calls to make, in order. */
  calls: readonly ScriptedHostedMcpCall[];
  /** Raw tool definitions of the request (its `mcp` tools are used). */
  tools: readonly unknown[];
  /** The request's `input`: servers already listed there are not listed again. */
  input: unknown;
  /** Item ids. */
  ids: IdSource;
  /** Aborts connections and calls (the scripted server closing). */
  signal: AbortSignal;
}

interface Connection {
  label: string;
  client: Client;
  tools: Array<{ name: string; description?: string; inputSchema: unknown; annotations?: unknown }>;
}

/** Lists tools (for servers not yet listed in the conversation) and runs the calls; returns the output items. */
export async function runHostedMcpCalls(run: HostedMcpRun): Promise<Item[]> {
  const servers = run.tools.filter((t): t is Item => isRecord(t) && t.type === 'mcp');
  if (servers.length === 0) throw new HostedMcpError(400, 'The script answers with hostedMcpCalls but the request offers no tool of type "mcp".');
  const connections: Connection[] = [];
  try {
    for (const server of servers) connections.push(await connect(server, run.signal));
    const listed = listedLabels(run.input);
    const items: Item[] = connections
      .filter((c) => !listed.has(c.label))
      .map((c) => ({ id: run.ids('mcpl'), type: 'mcp_list_tools', server_label: c.label, tools: c.tools.map(listingEntry), error: null }));
    for (const call of run.calls) items.push(await callTool(connections, call, run));
    return items;
  } finally {
    await Promise.allSettled(connections.map((c) => c.client.close()));
  }
}

async function connect(server: Item, signal: AbortSignal): Promise<Connection> {
  const label = String(server.server_label ?? '');
  if (typeof server.server_url !== 'string') throw new HostedMcpError(400, `MCP tool "${label}" has no server_url (connectors are not emulated).`);
  if (server.require_approval !== undefined && server.require_approval !== null && server.require_approval !== 'never') {
    throw new HostedMcpError(400, `MCP tool "${label}": the scripted server only emulates require_approval "never".`);
  }
  const headers: Record<string, string> = { ...(isRecord(server.headers) ? server.headers : {}) };
  if (typeof server.authorization === 'string') headers.authorization = `Bearer ${server.authorization}`;
  const client = new Client({ name: 'scripted-model-server', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(server.server_url), { requestInit: { headers } }), { signal });
    const tools: Connection['tools'] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { signal });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return { label, client, tools: tools.filter((t) => allowed(server.allowed_tools, t)) };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new HostedMcpError(424, `Error retrieving tool list from MCP server '${label}': ${(err as Error).message}`, { cause: err });
  }
}

/** `allowed_tools` is a list of names or a filter `{tool_names?, read_only?}`. */
function allowed(filter: unknown, tool: Connection['tools'][number]): boolean {
  if (Array.isArray(filter)) return filter.includes(tool.name);
  if (!isRecord(filter)) return true;
  if (Array.isArray(filter.tool_names) && !filter.tool_names.includes(tool.name)) return false;
  if (filter.read_only === true && (tool.annotations as Item | undefined)?.readOnlyHint !== true) return false;
  return true;
}

async function callTool(connections: Connection[], call: ScriptedHostedMcpCall, run: HostedMcpRun): Promise<Item> {
  const conn = connections.find((c) => c.tools.some((t) => t.name === call.name));
  const item: Item = {
    id: run.ids('mcp'),
    type: 'mcp_call',
    server_label: conn?.label ?? connections[0]!.label,
    name: call.name,
    arguments: JSON.stringify(call.arguments),
    approval_request_id: null,
    output: null,
    error: null,
    status: 'completed',
  };
  if (!conn) return failed(item, { type: 'mcp_protocol_error', code: -32602, message: `Tool ${call.name} not found on any allowed MCP server.` });
  try {
    const result = await conn.client.callTool({ name: call.name, arguments: call.arguments }, undefined, { signal: run.signal });
    const content = Array.isArray(result.content) ? (result.content as Item[]) : [];
    item.output = content
      .filter((c) => c.type === 'text')
      .map((c) => String(c.text))
      .join('\n');
    return result.isError ? failed(item, { type: 'mcp_tool_execution_error', content }) : item;
  } catch (err) {
    if (err instanceof McpError) return failed(item, { type: 'mcp_protocol_error', code: err.code, message: err.message });
    const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 500;
    return failed(item, { type: 'http_error', code, message: (err as Error).message });
  }
}

function failed(item: Item, error: Item): Item {
  return { ...item, error, status: 'failed' };
}

function listingEntry(tool: Connection['tools'][number]): Item {
  return { name: tool.name, description: tool.description ?? null, input_schema: tool.inputSchema, annotations: tool.annotations ?? null };
}

function listedLabels(input: unknown): Set<string> {
  const items = Array.isArray(input) ? input : [];
  return new Set(items.filter((i): i is Item => isRecord(i) && i.type === 'mcp_list_tools').map((i) => String(i.server_label)));
}

function isRecord(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
