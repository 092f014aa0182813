/** Names of Composio Tool Router meta-tools the runner understands (the router wraps app tools in them). */

/** Runs several app tools in one call; the gateway checks, gates and records each inner call. */
export const MULTI_EXECUTE = 'COMPOSIO_MULTI_EXECUTE_TOOL';

/** Meta-tools that only read (discovery, schemas, connection status): always allowed in meta-tool mode. */
export const ROUTER_READ_TOOLS: ReadonlySet<string> = new Set([
  'COMPOSIO_SEARCH_TOOLS',
  'COMPOSIO_GET_TOOL_SCHEMAS',
  'COMPOSIO_MANAGE_CONNECTIONS',
  'COMPOSIO_WAIT_FOR_CONNECTIONS',
]);
