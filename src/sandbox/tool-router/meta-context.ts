import { randomBytes } from 'node:crypto';
import type { ToolDefinition, ToolEnvelope, ToolExecutor } from '../../toolkit/types.ts';
import type { ToolRouterSession } from './sessions.ts';

/** A connected account as the meta tools report it. */
export interface SessionAccount {
  id: string;
  /** INITIATED, ACTIVE, FAILED or EXPIRED. */
  status: string;
  authConfigId: string;
  createdAt: string;
}

/** The session user's connections, for the connection meta tools (default: every toolkit connected). */
export interface SessionConnections {
  /** The account the user runs the toolkit with: the active one, else the newest, else none. */
  account(toolkit: string): SessionAccount | undefined;
  /** Starts an auth link for the toolkit: the new account and the page that confirms it. */
  link(toolkit: string): SessionAccount & { redirectUrl: string };
}

/** What every meta-tool implementation gets: the session, the app tools behind it, and the caller's signal. */
export interface MetaContext {
  /** The session the call runs in. */
  readonly session: ToolRouterSession;
  /** The executor running app tools (the Confluence toolkit). */
  readonly app: ToolExecutor;
  /** App tools the session allows, in catalogue order. */
  readonly allowed: readonly ToolDefinition[];
  /** Aborts the call. */
  readonly signal?: AbortSignal;
  /** The user's connections (default: every toolkit connected with the sandbox's own account). */
  readonly connections?: SessionConnections;
}

/** A meta tool's implementation: arguments already checked against its input schema. */
export type MetaHandler = (args: Record<string, unknown>, context: MetaContext) => Promise<ToolEnvelope>;

/** The `session` block meta tools answer with. */
export function sessionInfo(session: ToolRouterSession): { id: string; instructions: string } {
  return {
    id: session.id,
    instructions: `You are in tool-router session ${session.id}; pass it as session_id to later COMPOSIO_* calls.`,
  };
}

/** A fresh execution log id (`log_` prefix, as the contract's id prefixes say). */
export function newLogId(): string {
  return `log_${randomBytes(9).toString('base64url')}`;
}

/** Connection facts of the sandbox's one toolkit, which is always connected. */
export function connectionOf(session: ToolRouterSession, toolkit: string): { connectedAccountId: string; authConfigId: string } {
  return {
    connectedAccountId: session.config.connectedAccounts[toolkit] ?? `ca_sandbox_${toolkit}`,
    authConfigId: session.config.authConfigs[toolkit] ?? `ac_sandbox_${toolkit}`,
  };
}
