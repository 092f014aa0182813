/**
 * The local run store: run records and their write journal in one SQLite file (WAL), shared safely by several CLI
 * processes. The file may also hold other tables (chat sessions); `PRAGMA user_version` is this store's schema version.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { UserError } from '../shared/errors.ts';
import { type DatabaseNames, openSqliteFile } from '../shared/sqlite-file.ts';
import type { JournalEntry, RunFilter, RunRecord, RunStore } from './types.ts';

/** The schema version this code writes (`PRAGMA user_version`). */
export const RUNS_SCHEMA_VERSION = 2;

/** Shortest id prefix {@link RunStore.get} accepts. */
export const MIN_ID_PREFIX = 6;

/** Default number of runs {@link RunStore.list} answers. */
export const DEFAULT_LIST_LIMIT = 20;

/**
 * A filter's `since` or `until` in the one form creation times are compared in: `toISOString()`'s, what the runner
 * writes. A RangeError names the field when `value` is no time.
 */
export function filterTime(field: 'since' | 'until', value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${field} must be an ISO 8601 time, not '${value}'`);
  return new Date(ms).toISOString();
}

/** A filter's `order` as a sort direction; a RangeError for anything but `newest`, `oldest` or unset. */
export function filterOrder(order: string | undefined): 'newest' | 'oldest' {
  if (order === undefined || order === 'newest' || order === 'oldest') return order ?? 'newest';
  throw new RangeError(`order must be newest or oldest, not '${order}'`);
}

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
  // The trigger gets a column (and an index) for the trigger filter, workflow and status together an index; created_at
  // is rewritten in the one form the store compares as text (see storedTime).
  `ALTER TABLE runs ADD COLUMN trigger_type TEXT;
   UPDATE runs SET
     trigger_type = CASE WHEN json_valid(record) THEN json_extract(record, '$.trigger.type') END,
     created_at = runner_stored_time(created_at);
   CREATE INDEX IF NOT EXISTS runs_trigger ON runs (trigger_type, created_at);
   CREATE INDEX IF NOT EXISTS runs_workflow_status ON runs (workflow, status, created_at);`,
];

/**
 * created_at as the store keeps it: `toISOString()`'s form, whatever ISO form the record carries (the record keeps
 * its own), so text order is time order and `since`/`until` compare as text; a value that is no time stays as it is.
 */
function storedTime(createdAt: string): string {
  const ms = Date.parse(createdAt);
  return Number.isNaN(ms) ? createdAt : new Date(ms).toISOString();
}

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
    db.function('runner_stored_time', { deterministic: true }, (text) => (typeof text === 'string' ? storedTime(text) : text));
    for (let v = version; v < RUNS_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.exec(`PRAGMA user_version = ${RUNS_SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** The condition each field of a {@link RunFilter} adds to a list query, in the order they are composed. */
const FILTER_SQL = {
  workflow: 'workflow = ?',
  status: 'status = ?',
  trigger: 'trigger_type = ?',
  since: 'created_at >= ?',
  until: 'created_at < ?',
} as const;

type FilterField = keyof typeof FILTER_SQL;
const FILTER_FIELDS = Object.keys(FILTER_SQL) as FilterField[];

/** The SQL of a list query with these fields set, in this order; its parameters are the fields' values, then the limit. */
function listSql(fields: readonly FilterField[], order: 'newest' | 'oldest'): string {
  const where = fields.length ? `WHERE ${fields.map((f) => FILTER_SQL[f]).join(' AND ')}` : '';
  const direction = order === 'oldest' ? 'ASC' : 'DESC';
  // rowid orders runs created at the same time by first save (an upsert keeps its rowid).
  return `SELECT record FROM runs ${where} ORDER BY created_at ${direction}, rowid ${direction} LIMIT ?`;
}

/** {@link RunStore} on one synchronous SQLite connection; every statement is prepared once (list's once per shape). */
class SqliteRunStore implements RunStore {
  readonly #db: DatabaseSync;
  readonly #save: StatementSync;
  readonly #byId: StatementSync;
  readonly #byPrefix: StatementSync;
  /** List statements by shape: the filter fields set, and the order. */
  readonly #lists = new Map<string, StatementSync>();
  readonly #journal: StatementSync;
  readonly #addJournal: StatementSync;
  #closed = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#save = db.prepare(
      `INSERT INTO runs (id, workflow, status, created_at, trigger_type, record) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET workflow = excluded.workflow, status = excluded.status,
         created_at = excluded.created_at, trigger_type = excluded.trigger_type, record = excluded.record`,
    );
    this.#byId = db.prepare('SELECT record FROM runs WHERE id = ?');
    // A range on the primary key finds prefixes through the index; substr() keeps the match exact. Messages name
    // the creation time as the record has it.
    this.#byPrefix = db.prepare(
      `SELECT id, workflow, json_extract(record, '$.createdAt') AS createdAt FROM runs
       WHERE id >= ?1 AND id < ?2 AND substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT ${PREFIX_MATCH_LIMIT}`,
    );
    this.#journal = db.prepare('SELECT entry FROM journal WHERE run_id = ? ORDER BY rowid');
    // REPLACE (delete, then insert) moves a rewritten entry to the end: the journal reads in order of last write.
    this.#addJournal = db.prepare('REPLACE INTO journal (run_id, key, entry) VALUES (?, ?, ?)');
  }

  async save(run: RunRecord): Promise<void> {
    this.#open();
    this.#write(run);
  }

  #write(run: RunRecord): void {
    this.#save.run(run.id, run.workflow, run.status, storedTime(run.createdAt), run.trigger?.type ?? null, JSON.stringify(run));
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
      if (next) this.#write(next);
      this.#db.exec('COMMIT');
      return next ?? current;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async list(filter: RunFilter = {}): Promise<RunRecord[]> {
    this.#open();
    const order = filterOrder(filter.order);
    const values: Record<FilterField, string | undefined> = {
      workflow: filter.workflow,
      status: filter.status,
      trigger: filter.trigger,
      since: filter.since === undefined ? undefined : filterTime('since', filter.since),
      until: filter.until === undefined ? undefined : filterTime('until', filter.until),
    };
    const fields = FILTER_FIELDS.filter((f) => values[f] !== undefined);
    const shape = `${fields.join(',')}/${order}`;
    let statement = this.#lists.get(shape);
    if (!statement) {
      statement = this.#db.prepare(listSql(fields, order));
      this.#lists.set(shape, statement);
    }
    // SQLite reads a negative LIMIT as no limit.
    const rows = statement.all(...fields.map((f) => values[f]!), filter.limit ?? DEFAULT_LIST_LIMIT) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as RunRecord);
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
