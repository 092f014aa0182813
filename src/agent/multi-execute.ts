/**
 * COMPOSIO_MULTI_EXECUTE_TOOL through the gateway: each inner call is checked, gated and recorded like a direct
 * call. Refused, journaled and simulated calls are answered here; only the rest go to the router, in one batch,
 * and the answer the model sees keeps the router's shape and the request's order.
 */
import type { ToolEnvelope } from '../toolkit/types.ts';
import { MULTI_EXECUTE } from '../toolkit/router.ts';
import type { CallContext, ToolGateway } from './gateway.ts';
import type { KnownEffect } from './tool-policy.ts';

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
  const started = gateway.options.now?.() ?? new Date();
  const results: Array<InnerResult | undefined> = new Array(calls.length);
  const pending: Array<{ index: number; slug: string; args: Record<string, unknown>; effect: KnownEffect }> = [];
  calls.forEach((call, index) => {
    const slug = String(call?.tool_slug ?? '').toUpperCase();
    const callArgs = call?.arguments ?? {};
    const pre = gateway.preflight(slug, callArgs, inner, started);
    if ('answer' in pre) {
      results[index] = pre.refused
        ? { tool_slug: slug, index, response: null, error: pre.answer.error }
        : { tool_slug: slug, index, response: { ...pre.answer }, error: null };
      return;
    }
    pending.push({ index, slug, args: callArgs, effect: pre.effect });
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
      if (ok) await gateway.journalWrite(p.slug, p.args, p.effect, { data: response.data, error: null, successful: true }, context.step);
      gateway.record(
        { tool: p.slug, effect: p.effect, args: p.args, status: ok ? 'ok' : 'error', result: response?.data, error: ok ? undefined : (error ?? 'failed') },
        inner,
        started,
      );
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
