/**
 * The gateway's stages, in the order a call meets them: policy and arguments (admit), journal and preview (answer
 * without the backend), the backend with its timeout (execute), the journal of successful writes, and the record.
 * Internal to the gateway: the class in `index.ts` and multi-execute compose them; nothing else imports this file.
 */
import type { ValidateFunction } from 'ajv';
import type { RunEvents } from '../../runs/events.ts';
import type { JournalEntry, ToolCallRecord, ToolCallStatus } from '../../runs/types.ts';
import { formatDuration } from '../../shared/duration.ts';
import { compileSchema } from '../../shared/compile-schema.ts';
import { type Redactor, truncateForRecord } from '../../shared/redact.ts';
import type { BoundToolAccess } from '../../toolkit/access.ts';
import type { ToolCatalogue } from '../../toolkit/catalogue.ts';
import type { KnownEffect, ToolEnvelope } from '../../toolkit/types.ts';
import type { ToolBackend } from '../../backends/types.ts';
import { journalKey } from '../journal-key.ts';
import { simulateWrite } from '../simulate.ts';

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
  /** Simulated writes so far (numbers preview ids). */
  simulated: number;
}

/** One call on its way through the stages. */
export interface PendingCall {
  tool: string;
  args: Record<string, unknown>;
  context: CallContext;
  started: Date;
}

/** What gets recorded about one call. */
export interface RecordEntry {
  effect: KnownEffect;
  status: ToolCallStatus;
  result?: unknown;
  error?: string;
  /** Extra context for a reader (e.g. which attempt made a journaled write). */
  note?: string;
}

/** Tells listeners a call started. */
export function announce(state: GatewayState, call: PendingCall): void {
  state.events?.emit('tool_start', { step: call.context.step, tool: call.tool, args: call.args, turn: call.context.turn, via: call.context.via });
}

/** Stages 1 and 2: the access policy, then the arguments against the tool's schema. */
export function admit(state: GatewayState, tool: string, args: Record<string, unknown>): { ok: true; effect: KnownEffect } | { ok: false; reason: string } {
  const decision = state.access.decide(tool);
  if (!decision.allowed) {
    const allowed = state.access.allowedNames();
    return { ok: false, reason: `${decision.reason}; allowed tools: ${allowed.length ? allowed.join(', ') : 'none'}` };
  }
  const validate = validatorFor(state, tool);
  if (validate && !validate(args)) {
    const problems = (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '(arguments)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`,
    );
    return { ok: false, reason: `invalid arguments for ${tool}: ${problems.join('; ')}` };
  }
  return { ok: true, effect: decision.effect };
}

/** Records a refusal and returns the envelope the caller sees; the backend never sees the call. */
export function refuse(state: GatewayState, call: PendingCall, reason: string): ToolEnvelope {
  const error = `Refused by the runner: ${reason}. The call was not executed.`;
  record(state, call, { effect: state.access.effectOf(call.tool), status: 'refused', error });
  return { data: null, error, successful: false, failure: { kind: 'validation', retryable: false } };
}

/** Stage 3: a write answered without the backend: an identical write already journaled, or preview mode. */
export function answerLocally(state: GatewayState, call: PendingCall, effect: KnownEffect): ToolEnvelope | undefined {
  if (effect === 'read') return undefined;
  const hit = state.journal?.find(journalKey(call.tool, call.args));
  if (hit) {
    const envelope = hit.result as ToolEnvelope;
    record(state, call, { effect, status: 'journaled', result: envelope.data, note: `already done in attempt ${hit.attempt}` });
    return envelope;
  }
  if (!state.preview) return undefined;
  const envelope = simulateWrite(call.tool, call.args, {
    output: state.catalogue.get(call.tool)?.output,
    n: ++state.simulated,
    now: call.started.toISOString(),
  });
  record(state, call, { effect, status: 'simulated', result: envelope.data });
  return envelope;
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

/** Journals a successful write, so a retried attempt neither repeats it nor forgets it (reads are not journaled). */
export async function journalWrite(state: GatewayState, call: PendingCall, effect: KnownEffect, envelope: ToolEnvelope): Promise<void> {
  if (!envelope.successful || effect === 'read' || !state.journal) return;
  await state.journal.add({
    key: journalKey(call.tool, call.args),
    tool: call.tool,
    args: call.args,
    result: envelope,
    attempt: state.attempt,
    step: call.context.step,
    at: state.now().toISOString(),
  });
}

/** Stage 5: the call's record, sent to listeners (the attempt's record, progress). */
export function record(state: GatewayState, call: PendingCall, entry: RecordEntry): void {
  const result = entry.result === undefined ? { value: undefined, truncated: false } : truncateForRecord(entry.result, state.recordResultChars, state.redact);
  const { context } = call;
  const toolCall: ToolCallRecord = {
    tool: call.tool,
    ...(context.via ? { via: context.via } : {}),
    effect: entry.effect,
    args: call.args,
    status: entry.status,
    ...(result.value !== undefined ? { result: result.value } : {}),
    ...(result.truncated ? { truncated: true } : {}),
    ...(entry.error ? { error: entry.error } : {}),
    ...(entry.note ? { note: entry.note } : {}),
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
