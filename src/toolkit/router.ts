/** Names of Composio Tool Router meta-tools the runner understands (the router wraps app tools in them). */

/** Runs several app tools in one call; the gateway checks, gates and records each inner call. */
export const MULTI_EXECUTE = 'COMPOSIO_MULTI_EXECUTE_TOOL';

/**
 * Meta-tools that only read (discovery, schemas): always allowed in meta-tool mode. The connection meta-tools
 * (COMPOSIO_MANAGE_CONNECTIONS, COMPOSIO_WAIT_FOR_CONNECTIONS) are not: nobody is there to open an auth link in an
 * unattended run, so they are refused like any other COMPOSIO_* tool; `runner connect` connects a user, and a run
 * checks the connection before it starts.
 */
export const ROUTER_READ_TOOLS: ReadonlySet<string> = new Set(['COMPOSIO_SEARCH_TOOLS', 'COMPOSIO_GET_TOOL_SCHEMAS']);
