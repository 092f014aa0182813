import { randomBytes } from 'node:crypto';
import type { SessionConfig } from './session-config.ts';

/** One open tool-router session. */
export interface ToolRouterSession {
  /** `trs_`-prefixed id. */
  readonly id: string;
  /** ISO-8601 creation time. */
  readonly createdAt: string;
  /** What the session allows and shows. */
  readonly config: SessionConfig;
}

/** Where sessions live: in memory, for as long as the server runs. */
export interface SessionStore {
  /** Opens a session with this configuration. */
  create(config: SessionConfig): ToolRouterSession;
  /** The session with this id, if open. */
  get(id: string): ToolRouterSession | undefined;
  /** Closes a session; false when it was not open. */
  delete(id: string): boolean;
}

/** An in-memory session store (sessions are meant to end with the server). */
export function createSessionStore(now: () => Date = () => new Date()): SessionStore {
  const sessions = new Map<string, ToolRouterSession>();
  return {
    create(config) {
      const session = { id: `trs_${randomBytes(9).toString('base64url')}`, createdAt: now().toISOString(), config };
      sessions.set(session.id, session);
      return session;
    },
    get: (id) => sessions.get(id),
    delete: (id) => sessions.delete(id),
  };
}
