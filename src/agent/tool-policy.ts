import type { ToolCatalogue } from '../toolkit/catalogue.ts';
import type { BackendTool } from '../backends/types.ts';
import { MULTI_EXECUTE, ROUTER_READ_TOOLS } from '../toolkit/router.ts';
import type { ToolCallRecord } from '../runs/types.ts';

/** What a tool may do, as far as the runner knows. */
export type KnownEffect = ToolCallRecord['effect'];

/** The verdict on one call. */
export type Decision = { allowed: true; effect: KnownEffect } | { allowed: false; effect: KnownEffect; reason: string };

/** Options of {@link createToolPolicy}. */
export interface ToolPolicyOptions {
  /** The workflow's tools.allow (default: every read tool). */
  allow?: readonly string[];
  /** The workflow's tools.allow_destructive (default false). */
  allowDestructive?: boolean;
  /** Effects of the Confluence tools. */
  catalogue: ToolCatalogue;
  /** What the backend offers (MCP hints decide the effect of tools the catalogue does not know). */
  backendTools: readonly BackendTool[];
  /** The backend is a Tool Router in meta-tool mode. */
  router: boolean;
}

/** Decides which tools a run may call and which of the backend's tools the model is shown. */
export interface ToolPolicy {
  effectOf(name: string): KnownEffect;
  decide(name: string): Decision;
  /** The backend tools the model sees: allowed app tools, plus the router's meta-tools in meta-tool mode. */
  modelTools(): BackendTool[];
  /** Names of the allowed app tools (for the allowlist shown in refusals). */
  allowed(): string[];
}

/** Builds the policy of one run. */
export function createToolPolicy(options: ToolPolicyOptions): ToolPolicy {
  const hints = new Map(options.backendTools.map((t) => [t.name, t.annotations]));
  const allowSet = options.allow ? new Set(options.allow) : undefined;
  const effectOf = (name: string): KnownEffect => {
    const known = options.catalogue.get(name)?.effect;
    if (known) return known;
    if (ROUTER_READ_TOOLS.has(name)) return 'read';
    const hint = hints.get(name);
    if (!hint) return 'unknown';
    if (hint.readOnlyHint) return 'read';
    // MCP's default for a tool that is not read-only is destructiveHint: true; only an explicit false makes it a plain write.
    return hint.destructiveHint === false ? 'write' : 'destructive';
  };
  const decide = (name: string): Decision => {
    const effect = effectOf(name);
    if (options.router && (ROUTER_READ_TOOLS.has(name) || name === MULTI_EXECUTE)) return { allowed: true, effect };
    if (name.startsWith('COMPOSIO_')) return { allowed: false, effect, reason: `${name} is a Tool Router tool the runner does not allow` };
    if (allowSet ? !allowSet.has(name) : effect !== 'read') {
      return {
        allowed: false,
        effect,
        reason: allowSet ? `${name} is not in this workflow's tools.allow` : `${name} is not a read tool and this workflow has no tools.allow list`,
      };
    }
    if (effect === 'destructive' && options.allowDestructive !== true) {
      return { allowed: false, effect, reason: `${name} is destructive and this workflow does not set tools.allow_destructive` };
    }
    return { allowed: true, effect };
  };
  return {
    effectOf,
    decide,
    modelTools: () => options.backendTools.filter((t) => decide(t.name).allowed),
    allowed: () => {
      // In meta-tool mode the router lists only its meta-tools; the app tools it runs are the catalogue's.
      const names = options.router ? options.catalogue.tools.map((t) => t.slug) : options.backendTools.map((t) => t.name);
      return names.filter((n) => !n.startsWith('COMPOSIO_') && decide(n).allowed);
    },
  };
}
