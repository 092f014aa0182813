import toolkit from './confluence-toolkit.json' with { type: 'json' };
import { withOverride } from './overrides.ts';
import type { ToolDefinition, ToolEffect } from './types.ts';

/**
 * The Confluence toolkit catalogue: the 57 `CONFLUENCE_*` tools, their effects and schemas.
 * Embedded from the toolkit contract so the project needs no network to know its tools.
 */
export interface ToolCatalogue {
  /** Every tool, in catalogue order. */
  readonly tools: readonly ToolDefinition[];
  /** The tool with this slug, if any. */
  get(slug: string): ToolDefinition | undefined;
  /** Slugs of every tool with the given effect. */
  slugsWithEffect(effect: ToolEffect): string[];
}

/** Builds a catalogue over a list of definitions (the embedded one by default). */
export function createCatalogue(tools: readonly ToolDefinition[]): ToolCatalogue {
  const bySlug = new Map(tools.map((t) => [t.slug, t]));
  return {
    tools,
    get: (slug) => bySlug.get(slug),
    slugsWithEffect: (effect) => tools.filter((t) => t.effect === effect).map((t) => t.slug),
  };
}

let embedded: ToolCatalogue | undefined;

/** The embedded Confluence catalogue (parsed once), with our description overrides (`overrides.ts`). */
export function confluenceCatalogue(): ToolCatalogue {
  embedded ??= createCatalogue((toolkit.tools as unknown as ToolDefinition[]).map(withOverride));
  return embedded;
}
