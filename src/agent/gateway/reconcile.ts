/**
 * Reconciliation: finding out whether a write whose outcome is uncertain (it timed out, or the worker that sent it
 * died) landed on the site, by reading the site, before anything is repeated. Only a write proven absent is
 * repeated; one that landed is answered with what it made; one that cannot be settled is never repeated.
 * Internal to the gateway. The reads go to the backend directly: they are the runner's, not the model's.
 */
import type { JournalEntry } from '../../runs/types.ts';
import { formatDuration } from '../../shared/duration.ts';
import type { ToolEnvelope } from '../../toolkit/types.ts';
import { writeKind } from '../../toolkit/writes.ts';
import { execute, type GatewayState } from './stages.ts';

/** What reconciliation found. */
export type Settled = { outcome: 'landed'; envelope: ToolEnvelope; note: string } | { outcome: 'absent'; note: string } | { outcome: 'unknown'; note: string };

/** Content created up to this long before its call was sent still counts as the call's (clocks differ). */
const CLOCK_SKEW_MS = 120_000;

/**
 * Settles an uncertain write: first waits until it was sent `settleMs` ago (a request the client gave up on may
 * still be committed by the site meanwhile), then reads the site.
 */
export async function settle(state: GatewayState, entry: JournalEntry, signal: AbortSignal | undefined): Promise<Settled> {
  const sentAt = Date.parse(entry.sentAt ?? entry.at);
  const wait = sentAt + state.settleMs - state.now().getTime();
  if (wait > 0 && !(await sleep(wait, signal))) return { outcome: 'unknown', note: 'the run stopped before the write could be checked' };
  const kind = writeKind(entry.tool);
  if (!kind) return { outcome: 'unknown', note: `the runner cannot tell whether a ${entry.tool} call landed` };
  if (kind.kind === 'repeat-safe') return { outcome: 'absent', note: 'a second identical call cannot make a second copy, so it is repeated' };
  const target = entry.target ?? {};
  try {
    return kind.kind === 'create'
      ? await findCreated(state, kind.contentType, target, sentAt, signal)
      : await checkVersion(state, kind.contentType, target, signal);
  } catch (error) {
    return { outcome: 'unknown', note: `checking the site failed: ${(error as Error).message}` };
  }
}

/** A create landed when content of its type and title exists in its space, created after the call was sent. */
async function findCreated(
  state: GatewayState,
  type: 'page' | 'blogpost' | 'whiteboard',
  target: Record<string, unknown>,
  sentAt: number,
  signal: AbortSignal | undefined,
): Promise<Settled> {
  const { spaceId, title } = target;
  if (typeof spaceId !== 'string' || typeof title !== 'string') return { outcome: 'unknown', note: 'the journal does not name the space and title' };
  const spaceKey = /^\d+$/.test(spaceId) ? String(data(await read(state, 'CONFLUENCE_GET_SPACE_BY_ID', { id: spaceId }, signal))?.key ?? '') : spaceId;
  if (!spaceKey) return { outcome: 'unknown', note: `space ${spaceId} has no key` };
  const found = data(
    await read(
      state,
      'CONFLUENCE_SEARCH_CONTENT',
      { query: `type = ${type} AND title = ${cql(title)}`, spaceKey, limit: 50, expand: 'content.history' },
      signal,
    ),
  ) as { response_data?: { results?: Array<{ content?: { id?: string; title?: string; type?: string; history?: { createdDate?: string } } }> } };
  const ours = (found?.response_data?.results ?? [])
    .map((r) => r.content)
    .find((c) => c?.title === title && c.type === type && Date.parse(c.history?.createdDate ?? '') >= sentAt - CLOCK_SKEW_MS);
  if (!ours?.id) return { outcome: 'absent', note: `no ${type} titled "${title}" was created in ${spaceKey} after the call was sent` };
  const byId = type === 'page' ? 'CONFLUENCE_GET_PAGE_BY_ID' : type === 'blogpost' ? 'CONFLUENCE_GET_BLOGPOST_BY_ID' : undefined;
  const envelope = byId ? await read(state, byId, { id: ours.id }, signal) : { data: ours, error: null, successful: true };
  return { outcome: 'landed', envelope, note: `found ${type} ${ours.id} "${title}" in ${spaceKey}, created after the call was sent` };
}

/** An update to version n landed when the content is at n, and did not when it is still at n - 1. */
async function checkVersion(
  state: GatewayState,
  type: 'page' | 'blogpost',
  target: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<Settled> {
  const { id, version } = target;
  if (typeof id !== 'string' || typeof version !== 'number') return { outcome: 'unknown', note: 'the journal does not name the content and version' };
  const envelope = await read(state, type === 'page' ? 'CONFLUENCE_GET_PAGE_BY_ID' : 'CONFLUENCE_GET_BLOGPOST_BY_ID', { id }, signal);
  const current = (data(envelope) as { version?: { number?: number } } | undefined)?.version?.number;
  if (current === version) return { outcome: 'landed', envelope, note: `${type} ${id} is at version ${version}, the one the update made` };
  if (current === version - 1) return { outcome: 'absent', note: `${type} ${id} is still at version ${current}` };
  return { outcome: 'unknown', note: `${type} ${id} is at version ${current ?? '?'}, neither before nor after the update (someone else changed it)` };
}

/** A read on the backend; a failed one throws (the outcome then stays unknown). */
async function read(state: GatewayState, tool: string, args: Record<string, unknown>, signal: AbortSignal | undefined): Promise<ToolEnvelope> {
  const envelope = await execute(state, tool, args, signal);
  if (!envelope.successful) throw new Error(`${tool}: ${envelope.error ?? 'failed'}`);
  return envelope;
}

function data(envelope: ToolEnvelope): Record<string, unknown> | undefined {
  return (envelope.data ?? undefined) as Record<string, unknown> | undefined;
}

function cql(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Waits `ms`; false when the signal ended the wait first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** How a settled write reads in the record and to the model. */
export function describeSettled(tool: string, settled: Settled, settleMs: number): string {
  return `${tool}: ${settled.note} (checked ${formatDuration(settleMs)} or more after it was sent)`;
}
