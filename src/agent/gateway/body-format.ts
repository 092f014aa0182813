/**
 * The gateway's body stage, before admission: a write whose arguments carry a page or blog post body (see
 * `storageOf`) gets a body Confluence accepts. With `tools.body_format: markdown`, a body the model wrote is Markdown
 * and becomes storage; a storage body that is not well-formed XML is repaired (or sent as escaped text). The record
 * keeps the arguments as sent, the model's Markdown (`markdown`) and a note saying what was done.
 */
import { markdownToStorage } from '../../toolkit/markdown.ts';
import { storageOf } from '../../confluence/storage-text.ts';
import { isWellFormedStorage, repairStorage } from '../../confluence/storage-repair.ts';
import type { GatewayState, PendingCall } from './stages.ts';

export type { BodyFormat } from './stages.ts';

/** The call with its body made ready to send; the same call when it carries no body or needed nothing. */
export function prepareBody(state: Pick<GatewayState, 'access' | 'bodyFormat'>, call: PendingCall): PendingCall {
  const body = storageOf(call.args);
  if (body === undefined || state.access.effectOf(call.tool) === 'read') return call;
  // Only the model writes Markdown: a tool step's body comes from the workflow, which has the `markdown` filter.
  if (state.bodyFormat === 'markdown' && call.context.turn !== undefined) {
    if (looksLikeStorage(body)) {
      return { ...call, bodyNote: 'body_format is markdown, but the body was already well-formed storage: it was sent as written' };
    }
    return {
      ...call,
      args: withStorage(call.args, markdownToStorage(body)),
      markdown: body,
      bodyNote: 'the body was written in Markdown; the runner sent it converted to storage format',
    };
  }
  const repaired = repairStorage(body);
  return repaired.note ? { ...call, args: withStorage(call.args, repaired.value), bodyNote: repaired.note } : call;
}

/** A body that starts with a tag and parses as storage is storage, whatever the workflow asked for. */
function looksLikeStorage(body: string): boolean {
  return /^\s*<(?:[a-z][\w:-]*|ac:|ri:)/i.test(body) && isWellFormedStorage(body);
}

/** `args` with its body value (where {@link storageOf} found it) replaced by `value`. */
function withStorage(args: Record<string, unknown>, value: string): Record<string, unknown> {
  const body = args.body;
  if (typeof body === 'string') return { ...args, body: value };
  const b = body as { value?: unknown; storage?: Record<string, unknown> };
  if (typeof b.value === 'string') return { ...args, body: { ...b, value } };
  return { ...args, body: { ...b, storage: { ...b.storage, value } } };
}
