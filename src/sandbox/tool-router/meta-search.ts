import type { ToolDefinition, ToolEnvelope } from '../../toolkit/types.ts';
import { connectionOf, sessionInfo, type MetaContext } from './meta-context.ts';
import { GET_TOOL_SCHEMAS, MULTI_EXECUTE_TOOL } from './meta-tools.ts';
import { rankTools, similarSlugs } from './search.ts';
import { toolkitOf } from './session-config.ts';

/** COMPOSIO_SEARCH_TOOLS and COMPOSIO_GET_TOOL_SCHEMAS over the session's allowed tools. */

const PRIMARY_LIMIT = 3;
const RELATED_LIMIT = 5;

interface SearchQuery {
  use_case: string;
  known_fields?: string;
}

function pitfallsFor(tools: readonly ToolDefinition[]): string[] {
  const pitfalls: string[] = [];
  if (tools.some((t) => t.slug.includes('UPDATE_PAGE') || t.slug.includes('UPDATE_BLOGPOST'))) {
    pitfalls.push('Updates need version.number = current version + 1; read the content first to learn its version.');
  }
  if (tools.some((t) => /SPACE_ID|CREATE_(PAGE|BLOGPOST|WHITEBOARD)/.test(t.slug))) {
    pitfalls.push('v2 tools take the numeric space id; look it up from the space key with CONFLUENCE_GET_SPACES first.');
  }
  if (tools.some((t) => t.effect === 'destructive')) pitfalls.push('Destructive tools cannot be undone; confirm the target id first.');
  return pitfalls;
}

/** COMPOSIO_SEARCH_TOOLS: ranks the allowed tools for each use case and reports their schemas and connection. */
export async function searchTools(args: Record<string, unknown>, context: MetaContext): Promise<ToolEnvelope> {
  const queries = args.queries as SearchQuery[];
  const schemas: Record<string, unknown> = {};
  const toolkits = new Set<string>();
  const results = queries.map((query, i) => {
    const ranked = rankTools(`${query.use_case} ${query.known_fields ?? ''}`, context.allowed);
    const best = ranked[0]?.score ?? 0;
    const primary = ranked.filter((r) => r.score >= best * 0.6).slice(0, PRIMARY_LIMIT);
    const related = ranked.filter((r) => !primary.includes(r)).slice(0, RELATED_LIMIT);
    for (const { tool } of primary) {
      schemas[tool.slug] = {
        tool_slug: tool.slug,
        toolkit: toolkitOf(tool.slug),
        description: tool.description,
        input_schema: tool.input,
        hasFullSchema: true,
      };
    }
    for (const { tool } of related) {
      schemas[tool.slug] ??= {
        tool_slug: tool.slug,
        toolkit: toolkitOf(tool.slug),
        description: tool.description,
        hasFullSchema: false,
        schemaRef: { tool: GET_TOOL_SCHEMAS, args: { tool_slugs: [tool.slug] }, message: `Call ${GET_TOOL_SCHEMAS} for the full input schema.` },
      };
    }
    for (const { tool } of [...primary, ...related]) toolkits.add(toolkitOf(tool.slug));
    const primarySlugs = primary.map((r) => r.tool.slug);
    return {
      index: i + 1,
      use_case: query.use_case,
      primary_tool_slugs: primarySlugs,
      related_tool_slugs: related.map((r) => r.tool.slug),
      toolkits: [...new Set(primarySlugs.map(toolkitOf))],
      reasoning:
        primary.length > 0
          ? `Matched the words ${[...new Set(primary.flatMap((r) => r.matched))].join(', ')} against tool names and descriptions.`
          : 'No tool allowed in this session matches this use case; rephrase it with words such as page, space, label or search.',
      task_difficulty: primary.length === 0 ? 'unknown' : primary.some((r) => r.tool.effect !== 'read') ? 'medium' : 'easy',
      recommended_plan_steps:
        primarySlugs.length > 0 ? [`Check the input schema of ${primarySlugs[0]}.`, `Run it with ${MULTI_EXECUTE_TOOL}, batching independent calls.`] : [],
      known_pitfalls: pitfallsFor(primary.map((r) => r.tool)),
      error: null,
    };
  });
  const now = new Date();
  const data = {
    results,
    tool_schemas: schemas,
    toolkit_connection_statuses: [...toolkits].map((toolkit) => {
      const account = context.connections?.account(toolkit);
      const active = context.connections ? account?.status === 'ACTIVE' : true;
      return {
        toolkit,
        description: `${toolkit} (sandbox connection)`,
        has_active_connection: active,
        connection_details: account
          ? { status: account.status, connectedAccountId: account.id, authConfigId: account.authConfigId }
          : active
            ? { status: 'ACTIVE', ...connectionOf(context.session, toolkit) }
            : { status: 'NOT_FOUND' },
        current_user_info: null,
        account_type: 'PRIVATE',
        status_message: active
          ? `${toolkit} is connected; its tools can be executed now.`
          : `${toolkit} has no active connection; connect it with COMPOSIO_MANAGE_CONNECTIONS first.`,
      };
    }),
    time_info: {
      current_time_utc: now.toISOString(),
      current_time_utc_epoch_seconds: Math.floor(now.getTime() / 1000),
      message: 'Current server time in UTC.',
    },
    session: { ...sessionInfo(context.session), generate_id: false },
    next_steps_guidance: [`Use ${GET_TOOL_SCHEMAS} for any tool listed without its full schema.`, `Execute the chosen tools with ${MULTI_EXECUTE_TOOL}.`],
  };
  return { data, error: null, successful: true };
}

/** COMPOSIO_GET_TOOL_SCHEMAS: input (and on request output) schemas of allowed tools; the rest are `not_found`. */
export async function getToolSchemas(args: Record<string, unknown>, context: MetaContext): Promise<ToolEnvelope> {
  const include = (args.include as string[] | undefined) ?? ['input_schema'];
  const bySlug = new Map(context.allowed.map((t) => [t.slug, t]));
  const toolSchemas: Record<string, unknown> = {};
  const notFound: string[] = [];
  for (const requested of args.tool_slugs as string[]) {
    const tool = bySlug.get(requested.toUpperCase());
    if (!tool) {
      notFound.push(requested);
      continue;
    }
    toolSchemas[tool.slug] = {
      toolkit: toolkitOf(tool.slug),
      tool_slug: tool.slug,
      description: tool.description,
      ...(include.includes('input_schema') ? { input_schema: tool.input } : {}),
      ...(include.includes('output_schema') ? { output_schema: tool.output } : {}),
    };
  }
  const known = [...bySlug.keys()];
  const message = notFound.length > 0 ? `Not available in this session: ${notFound.join(', ')}. Use COMPOSIO_SEARCH_TOOLS to find the right slugs.` : null;
  const data = {
    success: notFound.length === 0,
    tool_schemas: toolSchemas,
    ...(message
      ? {
          not_found: notFound,
          suggestions: Object.fromEntries(notFound.map((slug) => [slug, similarSlugs(slug, known)])),
          not_found_message: message,
        }
      : {}),
  };
  return { data, error: message, successful: message === null };
}
