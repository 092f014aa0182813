/**
 * The write journal, as the gateway keeps it. Every write is journaled as an intent (`pending`) before it is sent
 * and as its outcome after: `done` with its result, or `failed` when the site certainly refused it. A write whose
 * outcome is uncertain (a timeout, a dropped connection, a worker killed mid-call) stays `pending` until
 * reconciliation settles it: an identical call later in the run, or the next attempt's start, finds out whether it
 * landed before anything is repeated. Internal to the gateway.
 */
import type { JournalEntry } from '../../runs/types.ts';
import { truncateForRecord } from '../../shared/redact.ts';
import type { KnownEffect, ToolEnvelope, ToolFailure } from '../../toolkit/types.ts';
import { writeIdentity, writeTarget } from '../../toolkit/writes.ts';
import { journalKey } from '../journal-key.ts';
import { simulateWrite } from '../simulate.ts';
import { precheckWrite } from './precheck.ts';
import { describeSettled, type Settled, settle } from './reconcile.ts';
import { execute, type GatewayState, type PendingCall, record, refuse } from './stages.ts';

/** The journal key of a call: its tool and the identity of its arguments (a create's space and title). */
export function keyOf(call: Pick<PendingCall, 'tool' | 'args'>): string {
  return journalKey(call.tool, writeIdentity(call.tool, call.args));
}

/**
 * Stage 3: a write answered without the backend: one this run already made (journaled), one an earlier call left
 * uncertain and reconciliation finds landed, one that cannot be settled (refused, never repeated), or preview mode.
 * Undefined: the call goes to the backend.
 */
export async function answerLocally(state: GatewayState, call: PendingCall, effect: KnownEffect): Promise<ToolEnvelope | undefined> {
  if (effect === 'read') return undefined;
  const hit = state.journal?.find(keyOf(call));
  if (hit && (hit.state ?? 'done') === 'done') {
    const envelope = hit.result as ToolEnvelope;
    record(state, call, {
      effect,
      status: 'journaled',
      result: envelope.data,
      note: `already done in attempt ${hit.attempt}${hit.note ? ` (${hit.note})` : ''}`,
    });
    return envelope;
  }
  if (hit?.state === 'pending') {
    const settled = await settleEntry(state, hit, call.context.signal);
    if (settled.outcome === 'landed') {
      record(state, call, {
        effect,
        status: 'journaled',
        result: settled.envelope.data,
        note: `an identical call of attempt ${hit.attempt} landed: ${settled.note}`,
      });
      return settled.envelope;
    }
    if (settled.outcome === 'unknown') {
      return refuse(
        state,
        call,
        `an identical call of attempt ${hit.attempt} may have landed and its outcome cannot be checked (${settled.note}), so it is not repeated`,
        UNSETTLED,
      );
    }
  }
  if (!state.preview) return undefined;
  const refused = await precheckWrite(state, call, effect);
  if (refused) return refused;
  const envelope = simulateWrite(call.tool, call.args, {
    output: state.catalogue.get(call.tool)?.output,
    n: ++state.simulated,
    now: call.started.toISOString(),
  });
  record(state, call, { effect, status: 'simulated', result: envelope.data });
  return envelope;
}

/** A write that may have landed and cannot be checked: repeating it could make a second copy. */
const UNSETTLED: ToolFailure = { kind: 'tool', retryable: false };

/** What sending a write came to. */
export interface Sent {
  envelope: ToolEnvelope;
  /** Set when the outcome was uncertain and had to be settled before answering. */
  settled?: Settled;
}

/**
 * Stage 4 for writes: the intent is journaled, then the call sent, then its outcome journaled. An uncertain outcome
 * (timeout, dropped connection) is settled before the caller hears of it, so a timed-out write is never repeated
 * blindly: the caller gets what landed, or is told it did not, or that nobody can tell.
 */
export async function sendWrite(state: GatewayState, call: PendingCall): Promise<Sent> {
  // A run already stopped sends nothing, so there is nothing to journal.
  if (call.context.signal?.aborted) return { envelope: await execute(state, call.tool, call.args, call.context.signal) };
  const [intent] = await intend(state, [call]);
  const envelope = await execute(state, call.tool, call.args, call.context.signal);
  return conclude(state, intent!, envelope, call.context.signal);
}

/** Journals the intents of writes about to be sent (one call, or the inner calls of a multi-execute batch). */
export async function intend(state: GatewayState, calls: readonly PendingCall[]): Promise<JournalEntry[]> {
  const sentAt = state.now().toISOString();
  const intents = calls.map((call) => entryOf(state, call, { state: 'pending', sentAt }));
  for (const intent of intents) await state.journal?.add(intent);
  return intents;
}

/** Journals a sent write's outcome; an uncertain one is settled before the caller hears of it. */
export async function conclude(state: GatewayState, intent: JournalEntry, envelope: ToolEnvelope, signal: AbortSignal | undefined): Promise<Sent> {
  const at = () => state.now().toISOString();
  if (envelope.successful) {
    await state.journal?.add({ ...intent, state: 'done', result: envelope, at: at() });
    return { envelope };
  }
  if (certainlyNotLanded(envelope.failure)) {
    await state.journal?.add({ ...intent, state: 'failed', at: at() });
    return { envelope };
  }
  // The run is stopping: the intent stays pending, and the next attempt settles it before doing anything.
  if (signal?.aborted) return { envelope: { ...envelope, error: `${envelope.error}; whether it landed is checked before anything is repeated` } };
  const settled = await settleEntry(state, intent, signal);
  if (settled.outcome === 'landed') return { envelope: settled.envelope, settled };
  const what = describeSettled(intent.tool, settled, state.settleMs);
  const verdict =
    settled.outcome === 'absent'
      ? `${envelope.error}; checked: it did not land (${what}); it was not repeated, call it again if it is still needed`
      : `${envelope.error}; it may still have landed and nobody can tell (${what}); it was not repeated and an identical call will not be made again in this run`;
  return { envelope: { ...envelope, error: verdict, failure: { kind: 'tool', retryable: false } }, settled };
}

/**
 * Settles every intent an earlier attempt left pending, before this attempt's steps run: so the instructions can
 * tell the model what already happened, and nothing uncertain is repeated under other arguments. Returns a line
 * per settled write, for the run's notes.
 */
export async function settlePending(state: GatewayState, entries: readonly JournalEntry[], signal: AbortSignal | undefined): Promise<string[]> {
  const pending = entries.filter((e) => e.state === 'pending' && e.attempt < state.attempt);
  const settled = await Promise.all(pending.map((e) => settleEntry(state, e, signal)));
  return pending.map((e, i) => `write of attempt ${e.attempt} settled as ${settled[i]!.outcome}: ${describeSettled(e.tool, settled[i]!, state.settleMs)}`);
}

/** Reconciles one pending entry and journals the verdict: done when it landed, failed when absent, left pending when unknown. */
async function settleEntry(state: GatewayState, entry: JournalEntry, signal: AbortSignal | undefined): Promise<Settled> {
  const settled = await settle(state, entry, signal);
  const at = state.now().toISOString();
  if (settled.outcome === 'landed') await state.journal?.add({ ...entry, state: 'done', result: settled.envelope, at, note: settled.note });
  else if (settled.outcome === 'absent') await state.journal?.add({ ...entry, state: 'failed', at, note: settled.note });
  return settled;
}

/** The journal entry of a call. */
function entryOf(state: GatewayState, call: PendingCall, fields: Pick<JournalEntry, 'state' | 'sentAt'>): JournalEntry {
  const target = writeTarget(call.tool, call.args);
  return {
    key: keyOf(call),
    tool: call.tool,
    // Kept for the instructions of later attempts; the key holds the arguments' identity, `target` what reconciling needs.
    args: truncateForRecord(call.args, state.recordResultChars, state.redact).value,
    ...(target ? { target } : {}),
    attempt: state.attempt,
    step: call.context.step,
    at: fields.sentAt ?? state.now().toISOString(),
    ...fields,
  };
}

/**
 * A failed write certainly did not land when the site (or the toolkit before it) refused it: an HTTP 4xx, or
 * arguments it would not take. A timeout, a dropped connection, a 5xx or an unknown failure may have landed.
 */
function certainlyNotLanded(failure: ToolFailure | undefined): boolean {
  if (!failure) return false;
  if (failure.kind === 'validation' || failure.kind === 'limit') return true;
  return failure.kind === 'tool' && failure.status !== undefined && failure.status >= 400 && failure.status < 500;
}
