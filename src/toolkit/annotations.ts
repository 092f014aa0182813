/** MCP tool annotations of the catalogue's effects: what a tool listing says of each tool, whoever lists it. */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition, ToolEffect } from './types.ts';

/** MCP hints for a tool's effect: read tools are read-only, destructive ones say so, writes are neither. */
export function annotationsFor(tool: ToolDefinition): ToolAnnotations {
  const hints: Record<ToolEffect, ToolAnnotations> = {
    read: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
    write: { readOnlyHint: false, destructiveHint: false },
    destructive: { readOnlyHint: false, destructiveHint: true },
  };
  return { title: tool.name, ...hints[tool.effect], openWorldHint: true };
}
