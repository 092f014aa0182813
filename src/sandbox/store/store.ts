/** The sandbox's SQLite store: connection, clock, id sequence and transactions. Entity operations live beside it. */
import { DatabaseSync } from 'node:sqlite';
import { UserError } from '../../shared/errors.ts';
import { type DatabaseNames, openSqliteFile, refuseSpecialFile } from '../../shared/sqlite-file.ts';
import { SCHEMA_SQL, TABLES } from './schema.ts';

/** Options for {@link openStore}. */
export interface StoreOptions {
  /** SQLite file path, or ':memory:'. Default '.runner/sandbox.db'. */
  dbPath?: string;
  /** Clock for timestamps; default `() => new Date()`. */
  clock?: () => Date;
}

/** First id the shared sequence hands out; real Confluence ids are large digit strings. */
const FIRST_ID = 98305;

/** A row as node:sqlite returns it. */
export type Row = Record<string, string | number | null>;

/** The open store: one synchronous SQLite connection, used by one process. */
export class SandboxStore {
  /** The underlying connection (synchronous). */
  readonly db: DatabaseSync;
  /** The clock every timestamp comes from. */
  clock: () => Date;
  #depth = 0;
  #closed = false;

  constructor(db: DatabaseSync, clock: () => Date) {
    this.db = db;
    this.clock = clock;
  }

  /** Now as ISO-8601 UTC with milliseconds. */
  now(): string {
    return this.clock().toISOString();
  }

  /** The next id of the one sequence shared by spaces, content, labels, properties, attachments and comments. */
  nextId(): number {
    const row = this.db
      .prepare(`INSERT INTO meta (key, value) VALUES ('seq', ?) ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`)
      .get(String(FIRST_ID)) as { value: string | number };
    return Number(row.value);
  }

  /**
   * Runs `fn` inside one `BEGIN IMMEDIATE` transaction (nested calls join the outer one). `fn` must be synchronous:
   * the whole read-check-write happens with no await, so concurrent requests cannot interleave inside it.
   */
  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    this.#depth++;
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.#depth--;
    }
  }

  /** All rows of a query. */
  all<T = Row>(sql: string, ...params: Array<string | number | null>): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  /** The first row of a query, if any. */
  get<T = Row>(sql: string, ...params: Array<string | number | null>): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }

  /** Runs a write statement; answers the number of changed rows. */
  run(sql: string, ...params: Array<string | number | null>): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  /** Every table's rows, ordered, as plain data: used to compare two stores. */
  dump(): Record<string, Row[]> {
    const out: Record<string, Row[]> = {};
    for (const table of TABLES) out[table] = this.all(`SELECT * FROM ${table} ORDER BY 1, 2`);
    return out;
  }

  /** Closes the connection; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }
}

/**
 * Tables of an existing SQLite file that are not the sandbox's (e.g. `runs`, `chat_sessions`), read without
 * writing anything; empty when the file does not exist or holds only sandbox tables.
 */
export function foreignTables(dbPath: string): string[] {
  if (dbPath === ':memory:' || !refuseSpecialFile(dbPath, SANDBOX_DB)) return [];
  let db: DatabaseSync;
  let rows: Array<{ name: string }>;
  try {
    db = new DatabaseSync(dbPath, { readOnly: true });
  } catch (error) {
    throw new UserError(`${dbPath} cannot be opened as a SQLite database: ${(error as Error).message}`);
  }
  try {
    rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as Array<{ name: string }>;
  } catch (error) {
    throw new UserError(`${dbPath} cannot be read as a SQLite database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
  const own = new Set<string>(TABLES);
  return rows.map((r) => r.name).filter((name) => !own.has(name));
}

/** How messages name the sandbox's database file. */
export const SANDBOX_DB: DatabaseNames = { what: 'sandbox database', setting: 'RUNNER_SANDBOX_DB (or --db)', example: '.runner/sandbox.db' };

/** Opens (creating if needed) a store in WAL mode with the schema applied; a path that is no SQLite file is a UserError. */
export function openStore(options: StoreOptions = {}): SandboxStore {
  const path = options.dbPath ?? '.runner/sandbox.db';
  const db = openSqliteFile(path, SANDBOX_DB, (opened) => {
    opened.exec('PRAGMA journal_mode = WAL');
    opened.exec('PRAGMA busy_timeout = 5000');
    opened.exec('PRAGMA foreign_keys = OFF');
    opened.exec(SCHEMA_SQL);
  });
  return new SandboxStore(db, options.clock ?? (() => new Date()));
}
