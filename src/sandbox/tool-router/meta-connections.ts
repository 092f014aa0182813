import type { ToolEnvelope } from '../../toolkit/types.ts';
import { connectionOf, sessionInfo, type MetaContext } from './meta-context.ts';
import { allowsToolkit, toolkitOf } from './session-config.ts';

/**
 * COMPOSIO_MANAGE_CONNECTIONS and COMPOSIO_WAIT_FOR_CONNECTIONS. The sandbox's toolkits are always connected
 * (the router runs them with the sandbox's own credentials), so there is never an auth link to hand out.
 */

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
    const ids = connectionOf(context.session, toolkit);
    results[toolkit] = problem
      ? { toolkit, status: 'failed', has_active_connection: false, redirect_url: null, instruction: null, error_message: problem }
      : {
          toolkit,
          status: 'active',
          has_active_connection: true,
          redirect_url: null,
          instruction: null,
          connected_account_id: ids.connectedAccountId,
          auth_config_id: ids.authConfigId,
          created_at: context.session.createdAt,
          current_user_info: null,
          error_message: null,
          was_reinitiated: false,
          account_type: 'PRIVATE',
        };
  }
  const all = Object.values(results);
  const active = all.filter((r) => r.status === 'active').length;
  const failed = all.length - active;
  const data = {
    message:
      failed === 0 ? `All ${active} toolkit(s) have an active connection.` : `${failed} of ${all.length} toolkit(s) could not be connected; see error_message.`,
    results,
    summary: { total_toolkits: all.length, active_connections: active, initiated_connections: 0, failed_connections: failed },
    session: sessionInfo(context.session),
  };
  return { data, error: failed === 0 ? null : data.message, successful: failed === 0 };
}

/** COMPOSIO_WAIT_FOR_CONNECTIONS: nothing to wait for; reports ACTIVE or NOT_FOUND at once. */
export async function waitForConnections(args: Record<string, unknown>, context: MetaContext): Promise<ToolEnvelope> {
  const results: Record<string, Record<string, unknown>> = {};
  for (const toolkit of (args.toolkits as string[]).map((t) => t.toLowerCase())) {
    const problem = toolkitProblem(toolkit, context);
    results[toolkit] = problem
      ? { toolkit, status: 'NOT_FOUND', has_active_connection: false, error_message: problem }
      : { toolkit, status: 'ACTIVE', has_active_connection: true, ...renameIds(connectionOf(context.session, toolkit)) };
  }
  return {
    data: { message: 'Connection states are final.', results, session: sessionInfo(context.session) },
    error: null,
    successful: true,
  };
}

function renameIds(ids: { connectedAccountId: string; authConfigId: string }): Record<string, string> {
  return { connected_account_id: ids.connectedAccountId, auth_config_id: ids.authConfigId };
}
