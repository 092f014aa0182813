/**
 * A conversation history for the Agents SDK (`run(agent, input, { session })`) kept in a SQLite file, so a chat can
 * be resumed by a later process. Its tables (`chat_sessions`, `chat_items`) can live in the run records file.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AgentInputItem, Session } from '@openai/agents';
import { openWalDatabase } from '../runs/sqlite-store.ts';

/** Options of {@link SqliteSession}. */
export interface SqliteSessionOptions {
  /** SQLite file, created with its folder if missing. Default `.runner/runs.db` (the default run records file). */
  path?: string;
  /** The conversation to read and extend. Default: a new random UUID (a fresh conversation). */
  sessionId?: string;
}

/** One stored conversation, as `runner chat --list` shows it. */
export interface ChatSessionSummary {
  id: string;
  /** Items in its history. */
  items: number;
  /** ISO time of its first item. */
  createdAt: string;
  /** ISO time of its last change. */
  updatedAt: string;
}

const DEFAULT_PATH = '.runner/runs.db';

// Created idempotently rather than versioned: PRAGMA user_version belongs to the run store sharing the file.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS chat_sessions (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chat_items (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, item TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chat_items_session ON chat_items (session_id, seq);`;

/** Opens the file with the chat tables in place. */
function openChatDatabase(path: string): DatabaseSync {
  const db = openWalDatabase(path, { what: 'chat sessions file', setting: 'RUNNER_DB', example: '.runner/runs.db' });
  try {
    db.exec(SCHEMA);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Stored conversations, most recently changed first; an absent file has none (and is not created). */
export function listChatSessions(path: string = DEFAULT_PATH): ChatSessionSummary[] {
  if (!existsSync(path)) return [];
  const db = openChatDatabase(path);
  try {
    const rows = db
      .prepare(
        `SELECT s.id, s.created_at, s.updated_at, (SELECT count(*) FROM chat_items i WHERE i.session_id = s.id) AS items
       FROM chat_sessions s ORDER BY s.updated_at DESC, s.rowid DESC`,
      )
      .all() as Array<{ id: string; created_at: string; updated_at: string; items: number }>;
    return rows.map((r) => ({ id: r.id, items: Number(r.items), createdAt: r.created_at, updatedAt: r.updated_at }));
  } finally {
    db.close();
  }
}

/**
 * {@link Session} on SQLite. Items are stored as JSON in insertion order; the session row is created by the first
 * {@link addItems}, so merely opening a conversation leaves nothing behind. Safe for several processes (WAL, busy timeout).
 */
export class SqliteSession implements Session {
  readonly #id: string;
  readonly #db: DatabaseSync;
  readonly #touch: StatementSync;
  readonly #insert: StatementSync;
  readonly #all: StatementSync;
  readonly #latest: StatementSync;
  readonly #pop: StatementSync;
  readonly #clearItems: StatementSync;
  readonly #clearSession: StatementSync;
  #closed = false;

  constructor(options: SqliteSessionOptions = {}) {
    this.#id = options.sessionId ?? randomUUID();
    const db = (this.#db = openChatDatabase(options.path ?? DEFAULT_PATH));
    this.#touch = db.prepare(
      `INSERT INTO chat_sessions (id, created_at, updated_at) VALUES (?1, ?2, ?2)
       ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at`,
    );
    this.#insert = db.prepare('INSERT INTO chat_items (session_id, item) VALUES (?, ?)');
    this.#all = db.prepare('SELECT item FROM chat_items WHERE session_id = ? ORDER BY seq');
    this.#latest = db.prepare('SELECT item FROM (SELECT seq, item FROM chat_items WHERE session_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq');
    this.#pop = db.prepare('DELETE FROM chat_items WHERE seq = (SELECT max(seq) FROM chat_items WHERE session_id = ?) RETURNING item');
    this.#clearItems = db.prepare('DELETE FROM chat_items WHERE session_id = ?');
    this.#clearSession = db.prepare('DELETE FROM chat_sessions WHERE id = ?');
  }

  /** The conversation's id. */
  async getSessionId(): Promise<string> {
    return this.#id;
  }

  /** The whole history, or its most recent `limit` items, oldest first. */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    this.#open();
    if (limit !== undefined && limit <= 0) return [];
    const rows = limit === undefined ? this.#all.all(this.#id) : this.#latest.all(this.#id, limit);
    return (rows as Array<{ item: string }>).map((r) => JSON.parse(r.item) as AgentInputItem);
  }

  /** Appends items, all or none. */
  async addItems(items: AgentInputItem[]): Promise<void> {
    this.#open();
    if (items.length === 0) return;
    this.#transaction(() => {
      this.#touch.run(this.#id, new Date().toISOString());
      for (const item of items) this.#insert.run(this.#id, JSON.stringify(item));
    });
  }

  /** Removes and returns the most recent item, if any. */
  async popItem(): Promise<AgentInputItem | undefined> {
    this.#open();
    return this.#transaction(() => {
      const row = this.#pop.get(this.#id) as { item: string } | undefined;
      if (!row) return undefined;
      this.#touch.run(this.#id, new Date().toISOString());
      return JSON.parse(row.item) as AgentInputItem;
    });
  }

  /** Forgets the conversation: its items and its row. */
  async clearSession(): Promise<void> {
    this.#open();
    this.#transaction(() => {
      this.#clearItems.run(this.#id);
      this.#clearSession.run(this.#id);
    });
  }

  /** Closes the connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /** Runs `fn` under the write lock, so another process cannot interleave its own changes. */
  #transaction<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  #open(): void {
    if (this.#closed) throw new Error('the chat session is closed');
  }
}
