import { Ajv, type ValidateFunction } from 'ajv';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { annotationsFor } from '../../mcp/server.ts';
import type { ToolDefinition } from '../../toolkit/types.ts';
import metaToolsJson from './meta-tools.json' with { type: 'json' };
import type { ToolTag } from './session-config.ts';

/** The tool router's meta tools (`COMPOSIO_*`), their schemas and MCP hints, embedded from the tool-router contract. */

/** Slugs of the meta tools. */
export const SEARCH_TOOLS = 'COMPOSIO_SEARCH_TOOLS';
/** Returns input (and output) schemas of named tools. */
export const GET_TOOL_SCHEMAS = 'COMPOSIO_GET_TOOL_SCHEMAS';
/** Runs up to 50 app tool calls. */
export const MULTI_EXECUTE_TOOL = 'COMPOSIO_MULTI_EXECUTE_TOOL';
/** Reports (and would start) toolkit connections. */
export const MANAGE_CONNECTIONS = 'COMPOSIO_MANAGE_CONNECTIONS';
/** Waits for toolkit connections to become active. */
export const WAIT_FOR_CONNECTIONS = 'COMPOSIO_WAIT_FOR_CONNECTIONS';

/** Meta tools the `execute_meta` endpoint accepts (the wait tool is MCP-only). */
export const EXECUTE_META_SLUGS: readonly string[] = [SEARCH_TOOLS, GET_TOOL_SCHEMAS, MULTI_EXECUTE_TOOL, MANAGE_CONNECTIONS];

interface MetaToolEntry extends ToolDefinition {
  readonly tags: readonly ToolTag[];
}

const entries = metaToolsJson.tools as unknown as MetaToolEntry[];

/** Every meta tool, as a tool definition. */
export const META_TOOLS: readonly ToolDefinition[] = entries;

const bySlug = new Map(entries.map((t) => [t.slug, t]));

/** Whether a slug names a meta tool. */
export function isMetaTool(slug: string): boolean {
  return bySlug.has(slug);
}

/** The meta tool with this slug, if any. */
export function metaTool(slug: string): ToolDefinition | undefined {
  return bySlug.get(slug);
}

/** MCP annotations from a meta tool's contract tags; app tools fall back to their effect. */
export function routerAnnotations(tool: ToolDefinition): ToolAnnotations {
  const entry = bySlug.get(tool.slug);
  if (!entry) return annotationsFor(tool);
  const has = (tag: ToolTag): boolean => entry.tags.includes(tag);
  return {
    title: entry.name,
    readOnlyHint: has('readOnlyHint'),
    destructiveHint: has('destructiveHint'),
    idempotentHint: has('idempotentHint'),
    openWorldHint: has('openWorldHint'),
  };
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();

/** Checks meta-tool arguments against the tool's input schema: null when fine, else a message naming each problem. */
export function checkMetaArguments(slug: string, args: Record<string, unknown>): string | null {
  const tool = bySlug.get(slug);
  if (!tool) return `Unknown meta tool ${slug}`;
  let validate = validators.get(slug);
  if (!validate) {
    validate = ajv.compile(tool.input);
    validators.set(slug, validate);
  }
  if (validate(args)) return null;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(arguments)'} ${e.message ?? 'is invalid'}`);
  return `Invalid arguments for ${slug}: ${problems.join('; ')}. Expected schema: ${JSON.stringify(tool.input)}`;
}
