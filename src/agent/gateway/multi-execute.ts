/**
 * COMPOSIO_MULTI_EXECUTE_TOOL through the gateway's stages: each inner call is admitted, answered locally (journal,
 * preview) or executed, journaled and recorded like a direct call. Only the calls left go to the router, in one
 * batch, and the answer the model sees keeps the router's shape and the request's order.
 */
import { MULTI_EXECUTE } from '../../toolkit/router.ts';
import type { KnownEffect, ToolEnvelope } from '../../toolkit/types.ts';
import { prepareBody } from './body-format.ts';
import { answerLocally, conclude, intend } from './journal.ts';
import { admit, execute, type GatewayState, type PendingCall, record, refuse } from './stages.ts';

interface InnerCall {
  tool_slug: string;
  arguments?: Record<string, unknown>;
}

/** One entry of the router's `results`. */
interface InnerResult {
  tool_slug: string;
  index: number;
  response: (ToolEnvelope & Record<string, unknown>) | null;
  error: string | null;
}

/** Runs a multi-execute call (already announced) through the stages. */
export async function runMultiExecute(state: GatewayState, outer: PendingCall): Promise<ToolEnvelope> {
  const admitted = admit(state, MULTI_EXECUTE, outer.args);
  if (!admitted.ok) return refuse(state, outer, admitted.reason, admitted.failure);
  // The wrapper is not a call of its own: only its inner calls count towards limits.max_tool_calls.
  state.calls -= 1;
  const calls = Array.isArray(outer.args.tools) ? (outer.args.tools as InnerCall[]) : [];
  const context = { ...outer.context, via: MULTI_EXECUTE };
  const results: Array<InnerResult | undefined> = new Array(calls.length);
  const pending: Array<{ index: number; call: PendingCall; effect: KnownEffect }> = [];
  for (const [index, inner] of calls.entries()) {
    const call = prepareBody(state, { tool: String(inner?.tool_slug ?? '').toUpperCase(), args: inner?.arguments ?? {}, context, started: outer.started });
    const verdict = admit(state, call.tool, call.args);
    if (!verdict.ok) {
      results[index] = { tool_slug: call.tool, index, response: null, error: refuse(state, call, verdict.reason, verdict.failure).error };
      continue;
    }
    const local = await answerLocally(state, call, verdict.effect);
    if (local)
      results[index] = local.successful
        ? { tool_slug: call.tool, index, response: { ...local }, error: null }
        : { tool_slug: call.tool, index, response: null, error: local.error };
    else pending.push({ index, call, effect: verdict.effect });
  }

  let batchFailure: ToolEnvelope['failure'];
  if (pending.length > 0) {
    const batch = { ...outer.args, tools: pending.map((p) => ({ tool_slug: p.call.tool, arguments: p.call.args })) };
    const writes = pending.filter((p) => p.effect !== 'read');
    const written = await intend(
      state,
      writes.map((p) => p.call),
    );
    const intents = new Map(written.map((intent, i) => [writes[i]!, intent]));
    const envelope = await execute(state, MULTI_EXECUTE, batch, outer.context.signal);
    batchFailure = envelope.successful ? undefined : envelope.failure;
    const answered = readResults(envelope);
    // In request order, so records read as the batch was asked (uncertain writes share one settle wait: same send time).
    for (const [i, p] of pending.entries()) {
      const result = answered[i];
      const error = result ? result.error : (envelope.error ?? 'the router returned no result for this call');
      const response = result?.response ?? null;
      const ok = response?.successful === true && !error;
      const reply: ToolEnvelope = ok
        ? { data: response.data, error: null, successful: true }
        : { data: response?.data ?? null, error: error ?? 'failed', successful: false, failure: response?.failure ?? batchFailure };
      const intent = intents.get(p);
      const final = intent ? (await conclude(state, intent, reply, outer.context.signal)).envelope : reply;
      record(state, p.call, {
        effect: p.effect,
        status: final.successful ? 'ok' : 'error',
        result: final.data,
        error: final.successful ? undefined : (final.error ?? 'failed'),
        failure: final.successful ? undefined : final.failure,
      });
      results[p.index] = final.successful
        ? { tool_slug: p.call.tool, index: p.index, response: ok ? response : { ...final }, error: null }
        : { tool_slug: p.call.tool, index: p.index, response: null, error: final.error ?? 'failed' };
    }
  }

  const all = results as InnerResult[];
  const errors = all.filter((r) => r.error !== null).length;
  return {
    data: { results: all, total_count: all.length, success_count: all.length - errors, error_count: errors },
    error: errors > 0 ? `${errors} out of ${all.length} tools failed` : null,
    successful: errors === 0,
    // The batch itself timed out or was cancelled: say so as the router call's own failure.
    ...(errors > 0 && batchFailure ? { failure: batchFailure } : {}),
  };
}

function readResults(envelope: ToolEnvelope): InnerResult[] {
  const data = envelope.data as { results?: InnerResult[] } | null;
  return Array.isArray(data?.results) ? data.results : [];
}
