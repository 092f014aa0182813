/**
 * The gateway's stages, in the order a call meets them: policy and arguments (admit), the journal and preview
 * (`journal.ts`), the backend with its timeout (execute), and the record. Internal to the gateway: the class in
 * `index.ts` and multi-execute compose them; nothing else imports this file.
 */
import type { ValidateFunction } from 'ajv';
import type { RunEvents } from '../../runs/events.ts';
import type { JournalEntry, ToolCallRecord, ToolCallStatus } from '../../runs/types.ts';
import { formatDuration } from '../../shared/duration.ts';
import { compileSchema } from '../../shared/compile-schema.ts';
import { type Redactor, truncateForRecord } from '../../shared/redact.ts';
import type { BoundToolAccess } from '../../toolkit/access.ts';
import type { ToolCatalogue } from '../../toolkit/catalogue.ts';
import type { KnownEffect, ToolEnvelope, ToolFailure } from '../../toolkit/types.ts';
import type { ToolBackend } from '../../backends/types.ts';

/** How the model writes page and blog post bodies (tools.body_format): converted by `body-format.ts` when `markdown`. */
export type BodyFormat = 'storage' | 'markdown';

/** Where a call comes from. */
export interface CallContext {
  /** Step id. */
  step: string;
  /** Model turn (prompt steps). */
  turn?: number;
  /** Aborts the call (the run's signal). */
  signal?: AbortSignal;
  /** Set for inner calls of a meta-tool. */
  via?: string;
}

/** The journal as the gateway sees it: lookups are synchronous, adds are written through. */
export interface GatewayJournal {
  find(key: string): JournalEntry | undefined;
  add(entry: JournalEntry): Promise<void>;
}

/** What the stages of one gateway share. */
export interface GatewayState {
  readonly backend: ToolBackend;
  readonly access: BoundToolAccess;
  readonly catalogue: ToolCatalogue;
  readonly preview: boolean;
  readonly timeoutMs: number;
  readonly recordResultChars: number;
  readonly journal?: GatewayJournal;
  readonly attempt: number;
  readonly now: () => Date;
  readonly events?: RunEvents;
  /** Applied to results before they are cut to size (a cut could split a secret). */
  readonly redact: Redactor;
  readonly validators: Map<string, ValidateFunction | null>;
  /** Most calls the run may make (limits.max_tool_calls; default: no bound). */
  readonly maxCalls?: number;
  /** Calls admitted or refused so far (inner calls of a multi-execute count one each). */
  calls: number;
  /** How long after an uncertain write was sent the site may still commit it, ms (RUNNER_WRITE_SETTLE). */
  readonly settleMs: number;
  /** Simulated writes so far (numbers preview ids). */
  simulated: number;
  /** How the model writes page and blog post bodies (tools.body_format; see `body-format.ts`). */
  readonly bodyFormat: BodyFormat;
}

/** One call on its way through the stages. */
export interface PendingCall {
  tool: string;
  args: Record<string, unknown>;
  context: CallContext;
  started: Date;
  /** The body as the model wrote it, in Markdown, when `args` carries it converted to storage (`body-format.ts`). */
  markdown?: string;
  /** What the body stage did to the body, for the record. */
  bodyNote?: string;
}

/** What gets recorded about one call. */
export interface RecordEntry {
  effect: KnownEffect;
  status: ToolCallStatus;
  result?: unknown;
  error?: string;
  /** The kind of failure, when the call failed or was refused. */
  failure?: ToolFailure;
  /** Extra context for a reader (e.g. which attempt made a journaled write). */
  note?: string;
}

/** Tells listeners a call started. */
export function announce(state: GatewayState, call: PendingCall): void {
  state.events?.emit('tool_start', { step: call.context.step, tool: call.tool, args: call.args, turn: call.context.turn, via: call.context.via });
}

/** A refusal: why, and what kind of failure it is for the caller. */
export type Refusal = { ok: false; reason: string; failure: ToolFailure };

/** Stages 1 and 2: the run's call budget and the access policy, then the arguments against the tool's schema. */
export function admit(state: GatewayState, tool: string, args: Record<string, unknown>): { ok: true; effect: KnownEffect } | Refusal {
  state.calls += 1;
  if (state.maxCalls !== undefined && state.calls > state.maxCalls) {
    return {
      ok: false,
      reason: `this run already made ${state.maxCalls} tool calls, the most limits.max_tool_calls allows; give your final answer with what you have`,
      failure: { kind: 'limit', retryable: false },
    };
  }
  const decision = state.access.decide(tool);
  if (!decision.allowed) {
    const allowed = state.access.allowedNames();
    return { ok: false, reason: `${decision.reason}; allowed tools: ${allowed.length ? allowed.join(', ') : 'none'}`, failure: REFUSED };
  }
  const validate = validatorFor(state, tool);
  if (validate && !validate(args)) {
    const problems = (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '(arguments)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`,
    );
    return { ok: false, reason: `invalid arguments for ${tool}: ${problems.join('; ')}`, failure: REFUSED };
  }
  return { ok: true, effect: decision.effect };
}

/** A call the rules refuse: the caller must change it. */
export const REFUSED: ToolFailure = { kind: 'validation', retryable: false };

/** Records a refusal and returns the envelope the caller sees; the backend never sees the call. */
export function refuse(state: GatewayState, call: PendingCall, reason: string, failure: ToolFailure = REFUSED): ToolEnvelope {
  const error = `Refused by the runner: ${reason}. The call was not executed.`;
  record(state, call, { effect: state.access.effectOf(call.tool), status: 'refused', error, failure });
  return { data: null, error, successful: false, failure };
}

/** Stage 4: the backend, within the per-call timeout and the run's signal. */
export async function execute(state: GatewayState, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolEnvelope> {
  const timeout = AbortSignal.timeout(state.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const stopped = (): ToolEnvelope =>
    timeout.aborted
      ? { data: null, error: `${tool} timed out after ${formatDuration(state.timeoutMs)}`, successful: false, failure: { kind: 'tool', retryable: true } }
      : { data: null, error: `${tool} was cancelled`, successful: false, failure: { kind: 'cancelled', retryable: false } };
  // A run already cancelled must not start a call (a write would still land).
  if (combined.aborted) return stopped();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<ToolEnvelope>((resolve) => {
    onAbort = () => resolve(stopped());
    combined.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([state.backend.call(tool, args, { signal: combined }), aborted]);
  } finally {
    combined.removeEventListener('abort', onAbort!);
  }
}

/** Stage 5: the call's record, sent to listeners (the attempt's record, progress). */
export function record(state: GatewayState, call: PendingCall, entry: RecordEntry): void {
  const result = entry.result === undefined ? { value: undefined, truncated: false } : truncateForRecord(entry.result, state.recordResultChars, state.redact);
  const args = truncateForRecord(call.args, state.recordResultChars, state.redact);
  const { context } = call;
  const toolCall: ToolCallRecord = {
    tool: call.tool,
    ...(context.via ? { via: context.via } : {}),
    effect: entry.effect,
    args: args.value,
    ...(args.truncated ? { argsTruncated: true } : {}),
    status: entry.status,
    ...(result.value !== undefined ? { result: result.value } : {}),
    ...(result.truncated ? { truncated: true } : {}),
    ...(entry.error ? { error: entry.error } : {}),
    ...(entry.failure ? { failure: entry.failure } : {}),
    ...(entry.note || call.bodyNote ? { note: [call.bodyNote, entry.note].filter(Boolean).join('; ') } : {}),
    ...(call.markdown !== undefined ? { markdown: truncateForRecord(call.markdown, state.recordResultChars, state.redact).value as string } : {}),
    ...(context.turn !== undefined ? { turn: context.turn } : {}),
    startedAt: call.started.toISOString(),
    durationMs: state.now().getTime() - call.started.getTime(),
  };
  const links = entry.status === 'ok' && entry.effect !== 'read' ? findLinks(entry.result) : [];
  state.events?.emit('tool_end', { step: context.step, call: toolCall, links });
}

function validatorFor(state: GatewayState, tool: string): ValidateFunction | null {
  let found = state.validators.get(tool);
  if (found === undefined) {
    const schema = state.access.schemaOf(tool);
    try {
      found = schema ? compileSchema(schema) : null;
    } catch {
      found = null; // A schema ajv cannot compile is the backend's business; it validates its own arguments.
    }
    state.validators.set(tool, found);
  }
  return found;
}

/** Web links in a write's result data (`_links.webui` with `_links.base`, or `webUrl`). */
function findLinks(result: unknown): string[] {
  const data = (result as { data?: unknown } | undefined)?.data ?? result;
  const items = Array.isArray(data) ? data : [data];
  const out: string[] = [];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const o = item as { webUrl?: unknown; _links?: { webui?: unknown; base?: unknown } };
    if (typeof o.webUrl === 'string' && o.webUrl) out.push(o.webUrl);
    else if (typeof o._links?.webui === 'string') out.push(`${typeof o._links.base === 'string' ? o._links.base : ''}${o._links.webui}`);
  }
  return out;
}
