/**
 * Tool access: the one object that decides which tools a run may call, built from the workflow's `tools` settings,
 * the catalogue and (once a backend is open) the backend's listing. Validation, plan, chat, Composio session scoping
 * and the gateway all ask it, so the rule lives here and nowhere else.
 */
import type { ToolCatalogue } from './catalogue.ts';
import { MULTI_EXECUTE, ROUTER_READ_TOOLS } from './router.ts';
import type { BackendTool, JsonSchema, KnownEffect, ToolDefinition } from './types.ts';

/** What a run's tool settings say (a workflow's `tools`, or chat's flags). */
export interface ToolAccessOptions {
  /** The allowed slugs (a workflow's tools.allow); undefined: every read tool of the catalogue. */
  allow?: readonly string[];
  /** Destructive tools may run when also in `allow` (tools.allow_destructive; default false). */
  allowDestructive?: boolean;
  /** Effects and schemas of the Confluence tools. */
  catalogue: Pick<ToolCatalogue, 'get' | 'tools'>;
  /** Which allowed calls a person must approve first (a workflow's approval.required_for; default: none). */
  approval?: ApprovalRule;
}

/** Which tool calls a person must approve: every non-read call, destructive ones, or the listed slugs. */
export type ApprovalRule = 'writes' | 'destructive' | readonly string[];

/** What the open backend offers. */
export interface BackendListing {
  /** Backend name, for explanations (sandbox, composio, mcp). */
  name: string;
  /** The tools its MCP server lists. */
  tools: readonly BackendTool[];
  /** True for Composio's Tool Router in meta-tool mode: COMPOSIO_* meta-tools wrap the app tools. */
  router: boolean;
}

/**
 * Why a tool may not run:
 * - `not-in-allow`: the workflow has a tools.allow list without it
 * - `reads-only`: no tools.allow list, and it is not a read tool
 * - `destructive`: listed, but tools.allow_destructive is not set
 * - `router-tool`: a Tool Router meta-tool outside meta-tool mode
 */
export type Denial = 'not-in-allow' | 'reads-only' | 'destructive' | 'router-tool';

/** The verdict on one tool. */
export type Decision = { allowed: true; effect: KnownEffect } | { allowed: false; effect: KnownEffect; denial: Denial; reason: string };

/** Tool access before a backend is open: enough for validation, plan and session scoping. */
export interface ToolAccess {
  /** What the tool may do (catalogue effect, router meta-tool, or the backend's MCP hints). */
  effectOf(name: string): KnownEffect;
  /** Whether the tool may run, and if not why (the reason is a sentence for the model and the record). */
  decide(name: string): Decision;
  /** The catalogue tools a run may call (plan output, Composio session scope). */
  allowedTools(): ToolDefinition[];
  /** Whether a call of these tools (one, or the inner calls of a multi-execute) waits for a person's approval. */
  needsApproval(names: string | readonly string[]): boolean;
  /** The same access, bound to what an open backend offers. */
  withBackend(listing: BackendListing): BoundToolAccess;
}

/** Tool access once the backend is open. */
export interface BoundToolAccess extends ToolAccess {
  readonly backend: BackendListing;
  /** The backend tools the model is shown: allowed app tools, plus the router's meta-tools in meta-tool mode. */
  offered(): BackendTool[];
  /** Names of the allowed app tools, for the list refusals show. */
  allowedNames(): string[];
  /** The argument schema of a tool: the backend's listing first, else the catalogue's. */
  schemaOf(name: string): JsonSchema | undefined;
  /** Why the model cannot call a tool it was not offered. */
  unavailableReason(name: string): string;
}

/** Builds the access rules of one run (or chat). */
export function createToolAccess(options: ToolAccessOptions): ToolAccess {
  return build(options, undefined);
}

function build(options: ToolAccessOptions, listing: BackendListing | undefined): BoundToolAccess {
  const { catalogue } = options;
  const allowSet = options.allow ? new Set(options.allow) : undefined;
  const hints = new Map((listing?.tools ?? []).map((t) => [t.name, t.annotations]));
  const router = listing?.router ?? false;

  const effectOf = (name: string): KnownEffect => {
    const known = catalogue.get(name)?.effect;
    if (known) return known;
    if (ROUTER_READ_TOOLS.has(name)) return 'read';
    const hint = hints.get(name);
    if (!hint) return 'unknown';
    if (hint.readOnlyHint) return 'read';
    // MCP's default for a tool that is not read-only is destructiveHint: true; only an explicit false makes it a plain write.
    return hint.destructiveHint === false ? 'write' : 'destructive';
  };

  const deny = (effect: KnownEffect, denial: Denial, reason: string): Decision => ({ allowed: false, effect, denial, reason });
  const decide = (name: string): Decision => {
    const effect = effectOf(name);
    if (router && (ROUTER_READ_TOOLS.has(name) || name === MULTI_EXECUTE)) return { allowed: true, effect };
    if (name.startsWith('COMPOSIO_')) return deny(effect, 'router-tool', `${name} is a Tool Router tool the runner does not allow`);
    if (allowSet ? !allowSet.has(name) : effect !== 'read') {
      return allowSet
        ? deny(effect, 'not-in-allow', `${name} is not in this workflow's tools.allow`)
        : deny(effect, 'reads-only', `${name} is not a read tool and this workflow has no tools.allow list`);
    }
    if (effect === 'destructive' && options.allowDestructive !== true) {
      return deny(effect, 'destructive', `${name} is destructive and this workflow does not set tools.allow_destructive`);
    }
    return { allowed: true, effect };
  };

  const allowedNames = (): string[] => {
    // In meta-tool mode the router lists only its meta-tools; the app tools it runs are the catalogue's.
    const names = !listing || router ? catalogue.tools.map((t) => t.slug) : listing.tools.map((t) => t.name);
    return names.filter((n) => !n.startsWith('COMPOSIO_') && decide(n).allowed);
  };

  const access: BoundToolAccess = {
    get backend(): BackendListing {
      if (!listing) throw new Error('tool access is not bound to a backend yet');
      return listing;
    },
    effectOf,
    decide,
    allowedTools: () => catalogue.tools.filter((t) => decide(t.slug).allowed),
    needsApproval: (names) => {
      const rule = options.approval;
      if (!rule) return false;
      return (typeof names === 'string' ? [names] : names).some((name) => {
        if (typeof rule !== 'string') return rule.includes(name);
        const effect = effectOf(name);
        // A tool nothing describes may do anything: it waits under either rule.
        return rule === 'writes' ? effect !== 'read' : effect === 'destructive' || effect === 'unknown';
      });
    },
    withBackend: (next) => build(options, next),
    offered: () => (listing?.tools ?? []).filter((t) => decide(t.name).allowed),
    allowedNames,
    schemaOf: (name) => listing?.tools.find((t) => t.name === name)?.inputSchema ?? catalogue.get(name)?.input,
    unavailableReason: (name) => {
      const decision = decide(name);
      const allowed = allowedNames();
      const base = decision.allowed ? `${name} is not offered by the ${listing?.name ?? 'tool'} backend` : decision.reason;
      return `${base}; allowed tools: ${allowed.length ? allowed.join(', ') : 'none'}`;
    },
  };
  return access;
}
