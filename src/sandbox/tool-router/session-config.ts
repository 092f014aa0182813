import type { ToolDefinition, ToolEffect } from '../../toolkit/types.ts';

/**
 * A tool-router session's configuration: parsed from the create request (what `@composio/core` sends, snake_case),
 * deciding which app tools the session allows and which meta tools it shows, and echoed back in past tense.
 */

/** The MCP hint tags sessions can filter on. */
export const TOOL_TAGS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;
/** One MCP hint tag. */
export type ToolTag = (typeof TOOL_TAGS)[number];

/** Tags to require (any of) and to refuse (all of). */
export interface TagFilter {
  /** A tool passes when it has at least one of these (default: no requirement). */
  enable?: ToolTag[];
  /** A tool passes only when it has none of these (default: none refused). */
  disable?: ToolTag[];
}

/** Exactly one of an allowlist, a denylist or (for tools) a tag filter. */
export interface ListFilter {
  /** Only these are allowed. */
  enable?: string[];
  /** Everything but these is allowed. */
  disable?: string[];
  /** Tag filter (tools only). */
  tags?: TagFilter;
}

/** A parsed session configuration. */
export interface SessionConfig {
  /** The user the session acts for. */
  userId: string;
  /** Toolkit allow/deny list (lower-case slugs); absent keeps every toolkit. */
  toolkits?: ListFilter;
  /** Per-toolkit tool filters, keyed by lower-case toolkit slug, slugs upper-case. */
  tools: Record<string, ListFilter>;
  /** Global tag filter, used by toolkits without their own tags. */
  tags?: TagFilter;
  /** Whether COMPOSIO_MANAGE_CONNECTIONS is offered (default true). */
  manageConnections: boolean;
  /** Connection callback URL, echoed only. */
  callbackUrl?: string;
  /** Whether COMPOSIO_WAIT_FOR_CONNECTIONS is offered (default false). */
  waitForConnections: boolean;
  /** Whether search and get-schemas are offered (default true; false in the `direct_tools` preset). */
  search: boolean;
  /** Whether multi-execute is offered (default true; false in the `direct_tools` preset). */
  multiExecute: boolean;
  /** App tools listed directly on the MCP endpoint: `all` allowed ones or named slugs (default none). */
  preload?: 'all' | string[];
  /** Raw `workbench` block, echoed only (no workbench exists here). */
  workbench: Record<string, unknown>;
  /** Auth config ids by toolkit, echoed only. */
  authConfigs: Record<string, string>;
  /** Connected account ids by toolkit, echoed only. */
  connectedAccounts: Record<string, string>;
}

/** A create request the server refuses: every problem found, each naming the field. */
export class SessionConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid session request: ${problems.join('; ')}`);
    this.name = 'SessionConfigError';
    this.problems = problems;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function parseTags(value: unknown, where: string, problems: string[]): TagFilter | undefined {
  if (value === undefined || value === null) return undefined;
  const check = (list: unknown, key: string): ToolTag[] | undefined => {
    if (list === undefined) return undefined;
    if (!isStringArray(list) || list.some((t) => !(TOOL_TAGS as readonly string[]).includes(t))) {
      problems.push(`${where}.${key} must be a list of ${TOOL_TAGS.join(', ')}`);
      return undefined;
    }
    return list as ToolTag[];
  };
  if (Array.isArray(value)) return { enable: check(value, 'enable') ?? [] };
  if (!isObject(value)) {
    problems.push(`${where} must be a list of tags or {enable, disable}`);
    return undefined;
  }
  rejectPastTense(value, where, problems);
  const enable = check(value.enable, 'enable');
  const disable = check(value.disable, 'disable');
  return { ...(enable ? { enable } : {}), ...(disable ? { disable } : {}) };
}

function rejectPastTense(value: Json, where: string, problems: string[]): void {
  for (const key of ['enabled', 'disabled']) {
    if (key in value) problems.push(`${where}.${key} is not accepted in requests; use ${key.slice(0, -1)}`);
  }
}

function parseList(value: unknown, where: string, problems: string[], allowTags: boolean): ListFilter | undefined {
  if (value === undefined || value === null) return undefined;
  if (isStringArray(value)) return { enable: value };
  if (!isObject(value)) {
    problems.push(`${where} must be {enable: [...]} or {disable: [...]}${allowTags ? ' or {tags: ...}' : ''}`);
    return undefined;
  }
  rejectPastTense(value, where, problems);
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  const allowed = allowTags ? ['enable', 'disable', 'tags'] : ['enable', 'disable'];
  const used = keys.filter((k) => allowed.includes(k));
  const unknown = keys.filter((k) => !allowed.includes(k) && k !== 'enabled' && k !== 'disabled');
  if (unknown.length > 0) problems.push(`${where} has unknown key(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
  if (used.length !== 1) {
    problems.push(`${where} must use exactly one of ${allowed.join(', ')}`);
    return undefined;
  }
  const key = used[0] as 'enable' | 'disable' | 'tags';
  if (key === 'tags') {
    const tags = parseTags(value.tags, `${where}.tags`, problems);
    return tags ? { tags } : undefined;
  }
  if (!isStringArray(value[key])) {
    problems.push(`${where}.${key} must be a list of strings`);
    return undefined;
  }
  return { [key]: value[key] };
}

/** Validates a session-create body against the known tools; throws {@link SessionConfigError} listing every problem. */
export function parseSessionConfig(body: unknown, knownSlugs: ReadonlySet<string>): SessionConfig {
  const problems: string[] = [];
  if (!isObject(body)) throw new SessionConfigError(['the body must be a JSON object']);
  if (typeof body.user_id !== 'string' || body.user_id.length === 0) problems.push('user_id is required (a non-empty string)');

  const toolkitFilter = parseList(body.toolkits, 'toolkits', problems, false);
  const toolkits = toolkitFilter && {
    ...(toolkitFilter.enable ? { enable: toolkitFilter.enable.map((s) => s.toLowerCase()) } : {}),
    ...(toolkitFilter.disable ? { disable: toolkitFilter.disable.map((s) => s.toLowerCase()) } : {}),
  };

  const tools: Record<string, ListFilter> = {};
  if (body.tools !== undefined && body.tools !== null && !isObject(body.tools)) problems.push('tools must be an object keyed by toolkit slug');
  for (const [toolkit, raw] of Object.entries(isObject(body.tools) ? body.tools : {})) {
    const filter = parseList(raw, `tools.${toolkit}`, problems, true);
    if (!filter) continue;
    for (const key of ['enable', 'disable'] as const) {
      const list = filter[key]?.map((s) => s.toUpperCase());
      if (!list) continue;
      const unknown = list.filter((s) => !knownSlugs.has(s));
      if (unknown.length > 0) problems.push(`tools.${toolkit}.${key} names unknown tool(s): ${unknown.join(', ')}`);
      filter[key] = list;
    }
    tools[toolkit.toLowerCase()] = filter;
  }

  const tags = parseTags(body.tags, 'tags', problems);
  const manage = body.manage_connections;
  let manageConnections = true;
  let waitForConnections = false;
  let callbackUrl: string | undefined;
  if (typeof manage === 'boolean') manageConnections = manage;
  else if (isObject(manage)) {
    rejectPastTense(manage, 'manage_connections', problems);
    if (typeof manage.enable === 'boolean') manageConnections = manage.enable;
    if (manage.enable_wait_for_connections === true) waitForConnections = true;
    if (typeof manage.callback_url === 'string') callbackUrl = manage.callback_url;
  } else if (manage !== undefined && manage !== null) problems.push('manage_connections must be an object {enable, callback_url}');

  const search = !(isObject(body.search) && body.search.enable === false);
  const multiExecute = !(isObject(body.execute) && body.execute.enable_multi_execute === false);
  let preload: SessionConfig['preload'];
  const preloadTools = isObject(body.preload) ? body.preload.tools : undefined;
  if (preloadTools === 'all') preload = 'all';
  else if (isStringArray(preloadTools)) preload = preloadTools.map((s) => s.toUpperCase());
  else if (preloadTools !== undefined) problems.push('preload.tools must be "all" or a list of tool slugs');

  if (problems.length > 0) throw new SessionConfigError(problems);
  const firstIds = Object.entries(isObject(body.connected_accounts) ? body.connected_accounts : {}).flatMap(([k, v]) => {
    const id = Array.isArray(v) ? v[0] : v;
    return typeof id === 'string' ? [[k, id] as const] : [];
  });
  return {
    userId: body.user_id as string,
    ...(toolkits ? { toolkits } : {}),
    tools,
    ...(tags ? { tags } : {}),
    manageConnections,
    ...(callbackUrl ? { callbackUrl } : {}),
    waitForConnections,
    search,
    multiExecute,
    ...(preload ? { preload } : {}),
    workbench: isObject(body.workbench) ? body.workbench : {},
    authConfigs: isObject(body.auth_configs) ? (body.auth_configs as Record<string, string>) : {},
    connectedAccounts: Object.fromEntries(firstIds),
  };
}

const TAGS_BY_EFFECT: Record<ToolEffect, ToolTag[]> = {
  read: ['readOnlyHint', 'idempotentHint', 'openWorldHint'],
  write: ['openWorldHint'],
  destructive: ['destructiveHint', 'openWorldHint'],
};

/** The MCP hint tags an app tool carries, from its effect. */
export function tagsOf(tool: ToolDefinition): ToolTag[] {
  return TAGS_BY_EFFECT[tool.effect];
}

/** The toolkit slug of an app tool: the lower-cased slug prefix (`CONFLUENCE_GET_PAGES` → `confluence`). */
export function toolkitOf(slug: string): string {
  return (slug.split('_')[0] ?? '').toLowerCase();
}

function passesTags(tool: ToolDefinition, filter: TagFilter): boolean {
  const tags = tagsOf(tool);
  if (filter.enable && filter.enable.length > 0 && !filter.enable.some((t) => tags.includes(t))) return false;
  return !(filter.disable ?? []).some((t) => tags.includes(t));
}

/** Whether a session allows an app tool: its toolkit must be allowed, then the toolkit's tool filter (or global tags). */
export function allowsTool(config: SessionConfig, tool: ToolDefinition): boolean {
  const toolkit = toolkitOf(tool.slug);
  if (!allowsToolkit(config, toolkit)) return false;
  const filter = config.tools[toolkit];
  if (filter?.enable) return filter.enable.includes(tool.slug);
  if (filter?.disable) return !filter.disable.includes(tool.slug);
  const tags = filter?.tags ?? config.tags;
  return tags ? passesTags(tool, tags) : true;
}

/** Whether a session allows a toolkit at all. */
export function allowsToolkit(config: SessionConfig, toolkit: string): boolean {
  if (config.toolkits?.enable) return config.toolkits.enable.includes(toolkit);
  if (config.toolkits?.disable) return !config.toolkits.disable.includes(toolkit);
  return true;
}

const pastTense = (f: ListFilter): Json => (f.enable ? { enabled: f.enable } : f.disable ? { disabled: f.disable } : { tags: pastTenseTags(f.tags ?? {}) });
const pastTenseTags = (t: TagFilter): Json => ({ enabled: t.enable ?? [], disabled: t.disable ?? [] });

/** The `config` block of a session answer: request keys echoed in past tense (`enabled`/`disabled`). */
export function echoConfig(config: SessionConfig): Json {
  const workbench = config.workbench;
  return {
    user_id: config.userId,
    ...(config.toolkits ? { toolkits: pastTense(config.toolkits) } : {}),
    auth_configs: config.authConfigs,
    connected_accounts: config.connectedAccounts,
    manage_connections: { enabled: config.manageConnections, ...(config.callbackUrl ? { callback_url: config.callbackUrl } : {}) },
    tools: Object.fromEntries(Object.entries(config.tools).map(([k, f]) => [k, pastTense(f)])),
    ...(config.tags ? { tags: pastTenseTags(config.tags) } : {}),
    workbench: {
      proxy_execution_enabled: workbench.enable_proxy_execution !== false,
      ...(typeof workbench.auto_offload_threshold === 'number' ? { auto_offload_threshold: workbench.auto_offload_threshold } : {}),
    },
    ...(config.preload ? { preload: { tools: config.preload } } : {}),
  };
}
