/**
 * COMPOSIO_MULTI_EXECUTE_TOOL through the gateway: each inner call is checked, gated and recorded like a direct
 * call. Refused, journaled and simulated calls are answered here; only the rest go to the router, in one batch,
 * and the answer the model sees keeps the router's shape and the request's order.
 */
import type { ToolEnvelope } from '../tools/types.ts';
import { MULTI_EXECUTE } from '../tools/router.ts';
import type { CallContext, ToolGateway } from './gateway.ts';
import { journalKey } from './journal-key.ts';

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

/** Runs a multi-execute call through the gateway. */
export async function runMultiExecute(gateway: ToolGateway, args: Record<string, unknown>, context: CallContext): Promise<ToolEnvelope> {
  const outer = gateway.check(MULTI_EXECUTE, args);
  if (!outer.ok) return gateway.refuse(MULTI_EXECUTE, args, context, outer.reason);
  const calls = Array.isArray(args.tools) ? (args.tools as InnerCall[]) : [];
  const inner: CallContext = { ...context, via: MULTI_EXECUTE };
  const now = () => gateway.options.now?.() ?? new Date();
  const started = now();
  const results: Array<InnerResult | undefined> = new Array(calls.length);
  const pending: Array<{ index: number; slug: string; args: Record<string, unknown>; effect: string }> = [];
  calls.forEach((call, index) => {
    const slug = String(call?.tool_slug ?? '').toUpperCase();
    const callArgs = call?.arguments ?? {};
    const verdict = gateway.check(slug, callArgs);
    if (!verdict.ok) {
      const envelope = gateway.refuse(slug, callArgs, inner, verdict.reason);
      results[index] = { tool_slug: slug, index, response: null, error: envelope.error };
      return;
    }
    if (verdict.effect !== 'read') {
      const hit = gateway.options.journal?.find(journalKey(slug, callArgs));
      if (hit) {
        const envelope = hit.result as ToolEnvelope;
        gateway.record({ tool: slug, effect: verdict.effect, args: callArgs, status: 'journaled', result: envelope.data, note: `already done in attempt ${hit.attempt}` }, inner, started);
        results[index] = { tool_slug: slug, index, response: { ...envelope }, error: null };
        return;
      }
      if (gateway.options.preview) {
        const envelope = gateway.simulate(slug, callArgs, started);
        gateway.record({ tool: slug, effect: verdict.effect, args: callArgs, status: 'simulated', result: envelope.data }, inner, started);
        results[index] = { tool_slug: slug, index, response: { ...envelope }, error: null };
        return;
      }
    }
    pending.push({ index, slug, args: callArgs, effect: verdict.effect });
  });

  if (pending.length > 0) {
    const batch = { ...args, tools: pending.map((p) => ({ tool_slug: p.slug, arguments: p.args })) };
    const envelope = await gateway.execute(MULTI_EXECUTE, batch, context.signal);
    const answered = readResults(envelope);
    for (const [i, p] of pending.entries()) {
      const result = answered[i];
      const response = result?.response ?? null;
      const error = result ? result.error : (envelope.error ?? 'the router returned no result for this call');
      const ok = response?.successful === true && !error;
      if (ok && p.effect !== 'read' && gateway.options.journal) {
        await gateway.options.journal.add({
          key: journalKey(p.slug, p.args),
          tool: p.slug,
          args: gateway.options.redact(p.args),
          result: { data: response.data, error: null, successful: true },
          attempt: gateway.options.attempt ?? 1,
          step: context.step,
          at: now().toISOString(),
        });
      }
      gateway.record({ tool: p.slug, effect: p.effect as never, args: p.args, status: ok ? 'ok' : 'error', result: response?.data, error: ok ? undefined : (error ?? 'failed') }, inner, started);
      results[p.index] = { tool_slug: p.slug, index: p.index, response, error: ok ? null : (error ?? 'failed') };
    }
  }

  const all = results as InnerResult[];
  const errors = all.filter((r) => r.error !== null).length;
  return {
    data: { results: all, total_count: all.length, success_count: all.length - errors, error_count: errors },
    error: errors > 0 ? `${errors} out of ${all.length} tools failed` : null,
    successful: errors === 0,
  };
}

function readResults(envelope: ToolEnvelope): InnerResult[] {
  const data = envelope.data as { results?: InnerResult[] } | null;
  return Array.isArray(data?.results) ? data.results : [];
}
