/**
 * Opening the SQLite files a person names (RUNNER_DB, RUNNER_SANDBOX_DB, `--db`). A folder, a device, a FIFO, a
 * socket, a path under a file, or a file that is no SQLite database is their mistake: one line (UserError, exit 2),
 * never a crash with a stack trace. Decisions read file types, errno codes and SQLite result codes.
 */
import { mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { UserError } from './errors.ts';

/** How messages name a database file. */
export interface DatabaseNames {
  /** What the file holds, e.g. `run records file`. */
  what: string;
  /** Where the person set it, e.g. `RUNNER_DB`. */
  setting: string;
  /** Its usual path, e.g. `.runner/runs.db`. */
  example: string;
}

/** SQLite primary result codes that mean the named file is the problem (sqlite.org/rescode.html). */
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

/**
 * Opens (creating it and its folder when absent) the SQLite file at `path` and runs `setup` on it (pragmas, the
 * schema); what the person got wrong becomes a {@link UserError}. `:memory:` opens an in-memory database.
 */
export function openSqliteFile(path: string, names: DatabaseNames, setup: (db: DatabaseSync) => void = () => {}): DatabaseSync {
  if (path !== ':memory:') prepareFile(path, names);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (error) {
    throw sqliteMistake(error, path, names) ?? error;
  }
  try {
    setup(db);
  } catch (error) {
    db.close();
    throw sqliteMistake(error, path, names) ?? error;
  }
  return db;
}

/**
 * Refuses a path that exists but is no regular file (a folder, a device, a FIFO, which would block whoever opens
 * it, a socket), before anything opens it; answers whether the file exists.
 */
export function refuseSpecialFile(path: string, names: DatabaseNames): boolean {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') throw mistake(path, names, 'is under a file, not a folder');
    throw mistake(path, names, `cannot be read (${code})`);
  }
  if (!stats.isFile()) throw mistake(path, names, `is ${kindOf(stats)}, not a SQLite file`);
  return true;
}

/** Refuses a path that exists but is no regular file, and creates the folder of one that does not exist yet. */
function prepareFile(path: string, names: DatabaseNames): void {
  if (refuseSpecialFile(path, names)) return;
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw mistake(path, names, `cannot be created: its folder ${code === 'EEXIST' || code === 'ENOTDIR' ? 'is a file' : `cannot be made (${code})`}`);
  }
}

/** The UserError a SQLite error means when the named file is at fault, else undefined (not the person's mistake). */
function sqliteMistake(error: unknown, path: string, names: DatabaseNames): UserError | undefined {
  const e = error as { code?: unknown; errcode?: unknown };
  if (e.code !== 'ERR_SQLITE_ERROR' || typeof e.errcode !== 'number') return undefined;
  const primary = e.errcode & 0xff;
  if (primary === SQLITE_NOTADB) return mistake(path, names, 'is not a SQLite database', error);
  if (primary === SQLITE_CANTOPEN) return mistake(path, names, 'cannot be opened (check that its folder exists and is writable)', error);
  return undefined;
}

function mistake(path: string, names: DatabaseNames, problem: string, cause?: unknown): UserError {
  return new UserError(`the ${names.what} '${path}' ${problem}; set ${names.setting} to a SQLite file, e.g. ${names.example}`, { cause });
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'a special file';
}
