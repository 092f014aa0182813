/**
 * Stage 3a, preview only: before a write is simulated, what can be known without writing is checked by reading
 * the site through the backend: the space and parent of a create exist, a page's title is free in its space, an
 * update carries the current version + 1, labelled content exists. A write the site would refuse fails here with
 * the error the toolkit would give, instead of a simulated success. A check that cannot be made (a read fails for
 * another reason, the backend lacks the read tool) lets the write be simulated as before. Internal to the gateway;
 * the reads are the runner's, not the model's (no budget, no record).
 */
import type { KnownEffect, ToolEnvelope, ToolFailure } from '../../toolkit/types.ts';
import { execute, type GatewayState, type PendingCall, record } from './stages.ts';

/** A failure the site would answer; `status` is its HTTP status. */
interface Verdict {
  error: string;
  status: number;
}

/** Note on the record of a write that failed its preview check. */
export const PRECHECK_NOTE = 'preview: checked against the site by reading only; nothing was written';

/** Checks a write in preview; the failing envelope (recorded) when the site would refuse it, else undefined. */
export async function precheckWrite(state: GatewayState, call: PendingCall, effect: KnownEffect): Promise<ToolEnvelope | undefined> {
  let verdict: Verdict | undefined;
  try {
    verdict = await check(state, call.tool, call.args, call.context.signal);
  } catch {
    return undefined; // A read that failed for another reason proves nothing: the write is simulated.
  }
  if (!verdict) return undefined;
  const failure: ToolFailure = { kind: 'tool', retryable: false, status: verdict.status };
  record(state, call, { effect, status: 'error', error: verdict.error, failure, note: PRECHECK_NOTE });
  return { data: null, error: verdict.error, successful: false, failure };
}

async function check(state: GatewayState, tool: string, args: Record<string, unknown>, signal: AbortSignal | undefined): Promise<Verdict | undefined> {
  switch (tool) {
    case 'CONFLUENCE_CREATE_PAGE':
    case 'CONFLUENCE_CREATE_BLOGPOST':
    case 'CONFLUENCE_CREATE_WHITEBOARD':
      return checkCreate(state, tool, args, signal);
    case 'CONFLUENCE_UPDATE_PAGE':
    case 'CONFLUENCE_UPDATE_BLOGPOST':
      return checkUpdate(state, tool === 'CONFLUENCE_UPDATE_PAGE' ? 'page' : 'blogpost', args, signal);
    case 'CONFLUENCE_ADD_CONTENT_LABEL': {
      const id = text(args.id);
      if (!id) return undefined;
      if (await read(state, 'CONFLUENCE_GET_PAGE_BY_ID', { id }, signal)) return undefined;
      if (await read(state, 'CONFLUENCE_GET_BLOGPOST_BY_ID', { id }, signal)) return undefined;
      return { error: `not found: content ${id} does not exist or you lack permission`, status: 404 };
    }
    default:
      return undefined;
  }
}

async function checkCreate(state: GatewayState, tool: string, args: Record<string, unknown>, signal: AbortSignal | undefined): Promise<Verdict | undefined> {
  const spaceId = text(args.spaceId);
  if (!spaceId) return undefined;
  const space = await read(state, 'CONFLUENCE_GET_SPACE_BY_ID', { id: spaceId }, signal);
  if (!space) return { error: `not found: space ${spaceId} does not exist or you lack permission`, status: 404 };
  const parentId = text(args.parentId);
  if (parentId && tool !== 'CONFLUENCE_CREATE_BLOGPOST' && !(await read(state, 'CONFLUENCE_GET_PAGE_BY_ID', { id: parentId }, signal))) {
    return { error: `invalid request: The parent ${parentId} does not exist`, status: 400 };
  }
  const title = text(args.title);
  if (tool === 'CONFLUENCE_CREATE_PAGE' && title && (await titleTaken(state, String(space.key ?? ''), title, undefined, signal))) {
    return { error: duplicate(title), status: 400 };
  }
  return undefined;
}

async function checkUpdate(
  state: GatewayState,
  type: 'page' | 'blogpost',
  args: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<Verdict | undefined> {
  const id = text(args.id);
  if (!id) return undefined;
  const current = await read(state, type === 'page' ? 'CONFLUENCE_GET_PAGE_BY_ID' : 'CONFLUENCE_GET_BLOGPOST_BY_ID', { id }, signal);
  if (!current) return { error: `not found: ${type === 'page' ? 'page' : 'blog post'} ${id} does not exist or you lack permission`, status: 404 };
  const now = (current.version as { number?: unknown } | undefined)?.number;
  const sent = (args.version as { number?: unknown } | undefined)?.number;
  if (typeof now === 'number' && sent !== now + 1) return { error: `version conflict: current version is ${now}, send ${now + 1}`, status: 409 };
  const title = text(args.title);
  if (type === 'page' && title && title !== current.title) {
    const space = await read(state, 'CONFLUENCE_GET_SPACE_BY_ID', { id: String(current.spaceId ?? args.spaceId ?? '') }, signal);
    if (space && (await titleTaken(state, String(space.key ?? ''), title, id, signal))) return { error: duplicate(title), status: 400 };
  }
  return undefined;
}

/** Whether another page in the space holds the title (the site refuses a second one). */
async function titleTaken(
  state: GatewayState,
  spaceKey: string,
  title: string,
  exceptId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (!spaceKey) return false;
  const found = await read(state, 'CONFLUENCE_SEARCH_CONTENT', { query: `type = page AND title = ${cql(title)}`, spaceKey, limit: 50 }, signal);
  const results = ((found?.response_data as { results?: unknown[] } | undefined)?.results ?? []) as Array<{ content?: { id?: string; title?: string } }>;
  return results.some((r) => r.content?.title === title && r.content.id !== exceptId);
}

/**
 * A read on the backend: its data, or undefined when the site answered 404 (it does not exist). Any other failure
 * throws: the check cannot be made.
 */
async function read(
  state: GatewayState,
  tool: string,
  args: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown> | undefined> {
  const envelope = await execute(state, tool, args, signal);
  if (envelope.successful) return (envelope.data ?? {}) as Record<string, unknown>;
  if (envelope.failure?.status === 404) return undefined;
  throw new Error(`${tool}: ${envelope.error ?? 'failed'}`);
}

function duplicate(title: string): string {
  return `a page titled '${title}' already exists in this space; choose another title or update the existing page`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : typeof value === 'number' ? String(value) : undefined;
}

function cql(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
