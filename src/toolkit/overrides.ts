/**
 * Where our catalogue says more than the toolkit contract: descriptions and argument notes the model needs to use a
 * tool well. The contract file stays as published; these are applied when the catalogue is embedded.
 */
import type { JsonSchema, ToolDefinition } from './types.ts';

/** A replacement description and per-argument notes for one tool. */
interface Override {
  description?: string;
  /** `description` of named input properties. */
  args?: Record<string, string>;
}

/** Every field and function named here works in the sandbox's CQL engine (test/unit/sandbox/cql.test.ts checks them). */
const OVERRIDES: Record<string, Override> = {
  CONFLUENCE_SEARCH_CONTENT: {
    description:
      'CQL search of pages and blog posts. Fields: type, space, title ~, text ~, label, ancestor, created, lastmodified; AND OR NOT, ORDER BY. ' +
      'Dates: "2026-01-31", now("-7d"), startOfWeek(). E.g. type=page AND lastmodified >= now("-7d"); space=ENG AND label=runbook ORDER BY created DESC',
    args: { query: 'CQL or title words' },
  },
};

/** The definition with our override applied (the same object when there is none). */
export function withOverride(tool: ToolDefinition): ToolDefinition {
  const o = OVERRIDES[tool.slug];
  if (!o) return tool;
  const properties = (tool.input.properties ?? {}) as Record<string, JsonSchema>;
  const notes = Object.entries(o.args ?? {}).filter(([k]) => properties[k]);
  return {
    ...tool,
    description: o.description ?? tool.description,
    input: notes.length
      ? { ...tool.input, properties: { ...properties, ...Object.fromEntries(notes.map(([k, d]) => [k, { ...properties[k], description: d }])) } }
      : tool.input,
  };
}
