import type { ToolDefinition } from '../toolkit/types.ts';
import type { Workflow } from './types.ts';

/** The tools a run of `workflow` may call: its `tools.allow` list, or every read tool when it has none. */
export function allowedTools(workflow: Workflow, catalogue: readonly ToolDefinition[]): ToolDefinition[] {
  const allow = workflow.tools.allow;
  if (!allow) return catalogue.filter((t) => t.effect === 'read');
  const set = new Set(allow);
  return catalogue.filter((t) => set.has(t.slug) && (t.effect !== 'destructive' || workflow.tools.allow_destructive === true));
}
