/**
 * The local run store: run records and their write journal in one SQLite file (WAL), shared safely by several CLI
 * processes. The file may also hold other tables (chat sessions); `PRAGMA user_version` is this store's schema version.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { UserError } from '../shared/errors.ts';
import { type DatabaseNames, openSqliteFile } from '../shared/sqlite-file.ts';
import type { JournalEntry, RunFilter, RunRecord, RunStore } from './types.ts';

/** The schema version this code writes (`PRAGMA user_version`). */
export const RUNS_SCHEMA_VERSION = 1;

/** Shortest id prefix {@link RunStore.get} accepts. */
export const MIN_ID_PREFIX = 6;

/** Default number of runs {@link RunStore.list} answers. */
export const DEFAULT_LIST_LIMIT = 20;

/** Most runs an id prefix lookup names before it stops looking. */
export const PREFIX_MATCH_LIMIT = 10;

/** A run an id prefix matched, as {@link ambiguousRunId} names it. */
export interface PrefixMatch {
  id: string;
  workflow: string;
  createdAt: string;
}

/** The user error for an id prefix that matches several runs; `more`: the lookup stopped at its limit. */
export function ambiguousRunId(id: string, matches: readonly PrefixMatch[], more: boolean): UserError {
  const listed = matches.map((m) => `${m.id} (${m.workflow}, ${m.createdAt})`).join(', ');
  return new UserError(`run id '${id}' is ambiguous; it matches ${listed}${more ? ' and maybe more' : ''}; give more characters`);
}

/** Migrations by index: entry `i` takes the schema from version `i` to `i + 1`. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS runs (
     id TEXT PRIMARY KEY, workflow TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, record TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at);
   CREATE INDEX IF NOT EXISTS runs_workflow ON runs (workflow, created_at);
   CREATE INDEX IF NOT EXISTS runs_status ON runs (status, created_at);
   CREATE TABLE IF NOT EXISTS journal (
     run_id TEXT NOT NULL, key TEXT NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (run_id, key));`,
];

/** How messages name the run records file. */
export const RUNS_DB: DatabaseNames = { what: 'run records file', setting: 'RUNNER_DB', example: '.runner/runs.db' };

/**
 * Opens a SQLite connection tuned for several processes writing one file: WAL, a busy timeout, NORMAL sync. A path
 * that is a folder, a device or no SQLite database is a one-line UserError naming `names` (default {@link RUNS_DB}).
 */
export function openWalDatabase(path: string, names: DatabaseNames = RUNS_DB): DatabaseSync {
  return openSqliteFile(path, names, (db) => {
    // busy_timeout first: switching to WAL itself needs a lock another process may hold.
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA journal_mode = WAL');
    // In WAL mode NORMAL stays consistent after a crash and only risks the last commits on power loss.
    db.exec('PRAGMA synchronous = NORMAL');
  });
}

/** Opens (creating the folder, file and schema if needed) the run store at `path`. */
export function openSqliteRunStore(path: string): RunStore {
  const db = openWalDatabase(path);
  try {
    migrate(db, path);
    return new SqliteRunStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

function userVersion(db: DatabaseSync): number {
  return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
}

/** Brings the schema to {@link RUNS_SCHEMA_VERSION}; another process may be doing the same, hence the write lock. */
function migrate(db: DatabaseSync, path: string): void {
  if (userVersion(db) === RUNS_SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const version = userVersion(db);
    if (version > RUNS_SCHEMA_VERSION) {
      throw new UserError(
        `${path} holds run records of a newer confluence-runner (schema ${version}, this one reads ${RUNS_SCHEMA_VERSION}); upgrade the runner`,
      );
    }
    for (let v = version; v < RUNS_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.exec(`PRAGMA user_version = ${RUNS_SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

type ListKey = 'all' | 'workflow' | 'status' | 'both';

/** {@link RunStore} on one synchronous SQLite connection; every statement is prepared once. */
class SqliteRunStore implements RunStore {
  readonly #db: DatabaseSync;
  readonly #save: StatementSync;
  readonly #byId: StatementSync;
  readonly #byPrefix: StatementSync;
  readonly #list: Record<ListKey, StatementSync>;
  readonly #journal: StatementSync;
  readonly #addJournal: StatementSync;
  #closed = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#save = db.prepare(
      `INSERT INTO runs (id, workflow, status, created_at, record) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET workflow = excluded.workflow, status = excluded.status,
         created_at = excluded.created_at, record = excluded.record`,
    );
    this.#byId = db.prepare('SELECT record FROM runs WHERE id = ?');
    // A range on the primary key finds prefixes through the index; substr() keeps the match exact.
    this.#byPrefix = db.prepare(
      `SELECT id, workflow, created_at AS createdAt FROM runs WHERE id >= ?1 AND id < ?2 AND substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT ${PREFIX_MATCH_LIMIT}`,
    );
    const list = (where: string) => db.prepare(`SELECT record FROM runs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`);
    this.#list = {
      all: list(''),
      workflow: list('WHERE workflow = ?'),
      status: list('WHERE status = ?'),
      both: list('WHERE workflow = ? AND status = ?'),
    };
    this.#journal = db.prepare('SELECT entry FROM journal WHERE run_id = ? ORDER BY rowid');
    // REPLACE (delete, then insert) moves a rewritten entry to the end: the journal reads in order of last write.
    this.#addJournal = db.prepare('REPLACE INTO journal (run_id, key, entry) VALUES (?, ?, ?)');
  }

  async save(run: RunRecord): Promise<void> {
    this.#open();
    this.#save.run(run.id, run.workflow, run.status, run.createdAt, JSON.stringify(run));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    this.#open();
    const exact = this.#byId.get(id) as { record: string } | undefined;
    if (exact) return JSON.parse(exact.record) as RunRecord;
    if (id.length < MIN_ID_PREFIX) return undefined;
    const matches = this.#byPrefix.all(id, `${id}\u{10FFFF}`) as unknown as PrefixMatch[];
    if (matches.length > 1) throw ambiguousRunId(id, matches, matches.length === PREFIX_MATCH_LIMIT);
    return matches[0] ? this.get(matches[0].id) : undefined;
  }

  async update(id: string, change: (current: RunRecord) => RunRecord | undefined): Promise<RunRecord | undefined> {
    this.#open();
    // IMMEDIATE takes the write lock before the read, so no other process saves between the read and the write.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const row = this.#byId.get(id) as { record: string } | undefined;
      const current = row ? (JSON.parse(row.record) as RunRecord) : undefined;
      const next = current && change(current);
      if (next) this.#save.run(next.id, next.workflow, next.status, next.createdAt, JSON.stringify(next));
      this.#db.exec('COMMIT');
      return next ?? current;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async list(filter: RunFilter = {}): Promise<RunRecord[]> {
    this.#open();
    const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
    const { workflow, status } = filter;
    let rows: unknown[];
    if (workflow !== undefined && status !== undefined) rows = this.#list.both.all(workflow, status, limit);
    else if (workflow !== undefined) rows = this.#list.workflow.all(workflow, limit);
    else if (status !== undefined) rows = this.#list.status.all(status, limit);
    else rows = this.#list.all.all(limit);
    return (rows as Array<{ record: string }>).map((r) => JSON.parse(r.record) as RunRecord);
  }

  async journal(runId: string): Promise<JournalEntry[]> {
    this.#open();
    return (this.#journal.all(runId) as Array<{ entry: string }>).map((r) => JSON.parse(r.entry) as JournalEntry);
  }

  async addJournal(runId: string, entry: JournalEntry): Promise<void> {
    this.#open();
    this.#addJournal.run(runId, entry.key, JSON.stringify(entry));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new Error('the run store is closed');
  }
}
