import type { ToolEnvelope } from '../../toolkit/types.ts';
import { connectionOf, sessionInfo, type MetaContext } from './meta-context.ts';
import { allowsToolkit, toolkitOf } from './session-config.ts';

/**
 * COMPOSIO_MANAGE_CONNECTIONS and COMPOSIO_WAIT_FOR_CONNECTIONS over the session user's connected accounts
 * (`context.connections`): an active account is reported as it is; a user without one gets an auth link whose page
 * activates it. Without `context.connections` every toolkit counts as connected with the sandbox's own account.
 */

/** The account a toolkit runs with, as the meta tools report it (connected by default). */
function accountOf(toolkit: string, context: MetaContext) {
  if (context.connections) return context.connections.account(toolkit);
  const ids = connectionOf(context.session, toolkit);
  return { id: ids.connectedAccountId, status: 'ACTIVE', authConfigId: ids.authConfigId, createdAt: context.session.createdAt };
}

function toolkitProblem(toolkit: string, context: MetaContext): string | null {
  if (!context.app.list().some((t) => toolkitOf(t.slug) === toolkit)) return `Unknown toolkit ${toolkit}.`;
  if (!allowsToolkit(context.session.config, toolkit)) return `Toolkit ${toolkit} is not enabled in session ${context.session.id}.`;
  return null;
}

/** COMPOSIO_MANAGE_CONNECTIONS: reports each named toolkit as active, or failed when unknown or not in the session. */
export async function manageConnections(args: Record<string, unknown>, context: MetaContext): Promise<ToolEnvelope> {
  const toolkits = (args.toolkits as string[]).map((t) => t.toLowerCase());
  const results: Record<string, Record<string, unknown>> = {};
  for (const toolkit of toolkits) {
    const problem = toolkitProblem(toolkit, context);
    if (problem) {
      results[toolkit] = { toolkit, status: 'failed', has_active_connection: false, redirect_url: null, instruction: null, error_message: problem };
      continue;
    }
    const current = accountOf(toolkit, context);
    const active = current?.status === 'ACTIVE' && args.reinitiate_all !== true;
    const linked = active || !context.connections ? undefined : context.connections.link(toolkit);
    const account = linked ?? current;
    results[toolkit] = {
      toolkit,
      status: active ? 'active' : 'initiated',
      has_active_connection: active,
      redirect_url: linked?.redirectUrl ?? null,
      instruction: linked ? `Ask the user to open ${linked.redirectUrl} and allow access, then call the tool again.` : null,
      connected_account_id: account?.id ?? null,
      auth_config_id: account?.authConfigId ?? null,
      created_at: account?.createdAt ?? null,
      current_user_info: null,
      error_message: null,
      was_reinitiated: linked !== undefined && current?.status === 'ACTIVE',
      account_type: 'PRIVATE',
    };
  }
  const all = Object.values(results);
  const active = all.filter((r) => r.status === 'active').length;
  const initiated = all.filter((r) => r.status === 'initiated').length;
  const failed = all.length - active - initiated;
  const data = {
    message:
      failed > 0
        ? `${failed} of ${all.length} toolkit(s) could not be connected; see error_message.`
        : initiated > 0
          ? `${initiated} toolkit(s) need the user to open an auth link (redirect_url).`
          : `All ${active} toolkit(s) have an active connection.`,
    results,
    summary: { total_toolkits: all.length, active_connections: active, initiated_connections: initiated, failed_connections: failed },
    session: sessionInfo(context.session),
  };
  return { data, error: failed === 0 ? null : data.message, successful: failed === 0 };
}

/** COMPOSIO_WAIT_FOR_CONNECTIONS: nothing to wait for; reports ACTIVE or NOT_FOUND at once. */
export async function waitForConnections(args: Record<string, unknown>, context: MetaContext): Promise<ToolEnvelope> {
  const results: Record<string, Record<string, unknown>> = {};
  for (const toolkit of (args.toolkits as string[]).map((t) => t.toLowerCase())) {
    const problem = toolkitProblem(toolkit, context);
    const account = problem ? undefined : accountOf(toolkit, context);
    results[toolkit] = !account
      ? { toolkit, status: 'NOT_FOUND', has_active_connection: false, error_message: problem ?? `No connected account for ${toolkit}.` }
      : {
          toolkit,
          status: account.status === 'EXPIRED' ? 'FAILED' : account.status,
          has_active_connection: account.status === 'ACTIVE',
          connected_account_id: account.id,
          auth_config_id: account.authConfigId,
          created_at: account.createdAt,
        };
  }
  return {
    data: { message: 'Connection states are final.', results, session: sessionInfo(context.session) },
    error: null,
    successful: true,
  };
}
