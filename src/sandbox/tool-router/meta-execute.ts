import type { ToolEnvelope } from '../../toolkit/types.ts';
import { newLogId, sessionInfo, type MetaContext } from './meta-context.ts';
import { SEARCH_TOOLS } from './meta-tools.ts';

/** COMPOSIO_MULTI_EXECUTE_TOOL: runs 1–50 app tool calls of the session and reports each in input order. */

/** How many calls run at once: well under the burst limit a real site enforces for API-token traffic. */
const CONCURRENCY = 4;

interface Call {
  tool_slug: string;
  arguments: Record<string, unknown>;
}

interface CallResult {
  tool_slug: string;
  index: number;
  response: (ToolEnvelope & { log_id: string }) | null;
  error: string | null;
}

async function runOne(call: Call, index: number, context: MetaContext): Promise<CallResult> {
  const slug = call.tool_slug.toUpperCase();
  if (!context.allowed.some((t) => t.slug === slug)) {
    const known = context.app.list().some((t) => t.slug === slug);
    return {
      tool_slug: call.tool_slug,
      index,
      response: null,
      error: known
        ? `Tool ${slug} is not enabled in session ${context.session.id}; only the session's allowed tools can run.`
        : `Unknown tool ${call.tool_slug}; use ${SEARCH_TOOLS} to find the right slug.`,
    };
  }
  const envelope = await context.app.execute(slug, call.arguments, { signal: context.signal });
  return { tool_slug: slug, index, response: { ...envelope, log_id: newLogId() }, error: envelope.successful ? null : envelope.error };
}

/** Runs the calls with a small worker pool; results keep the request's order. */
export async function multiExecute(args: Record<string, unknown>, context: MetaContext): Promise<ToolEnvelope> {
  const calls = args.tools as Call[];
  const results: CallResult[] = new Array(calls.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls.length) {
      const index = next++;
      results[index] = await runOne(calls[index] as Call, index, context);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, calls.length) }, worker));
  const errors = results.filter((r) => r.error !== null).length;
  const data = {
    results,
    total_count: results.length,
    success_count: results.length - errors,
    error_count: errors,
    session: sessionInfo(context.session),
    remote_file_info: null,
    next_steps: errors > 0 ? 'Fix the failed calls using their error messages and run only those again.' : null,
  };
  return { data, error: errors > 0 ? `${errors} out of ${results.length} tools failed` : null, successful: errors === 0 };
}
