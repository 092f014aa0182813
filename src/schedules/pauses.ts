/**
 * Paused schedules (`runner schedule pause|resume`): a paused workflow's slots are recorded as `skipped`, not run
 * and not missed. Kept beside the runs: in the SQLite file of `RUNNER_DB` (what `runner serve` reads) or in Redis
 * (what workers read, with `RUNNER_STORE=redis`).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Redis } from 'ioredis';

/** Who paused a schedule, when, and why. */
export interface PauseInfo {
  by: string;
  at: string;
  reason?: string;
}

/** Why a paused workflow's slot was skipped, as both modes record it: who paused it, when and why. */
export function pausedNote(pause: PauseInfo): string {
  return `the schedule was paused by ${pause.by} at ${pause.at}${pause.reason ? `: ${pause.reason}` : ''}`;
}

/** Where pauses are kept. */
export interface PauseStore {
  /** Pauses `workflow`; false (and nothing changed) when it was paused already. */
  pause(workflow: string, info: PauseInfo): Promise<boolean>;
  /** Resumes `workflow`; returns the pause it ended, or undefined when it was not paused. */
  resume(workflow: string): Promise<PauseInfo | undefined>;
  /** The pause of `workflow`, when it is paused. */
  paused(workflow: string): Promise<PauseInfo | undefined>;
  /** Every paused workflow. */
  all(): Promise<Map<string, PauseInfo>>;
  /** Releases what the store opened (not a connection it was given). */
  close(): Promise<void>;
}

/** Pauses in a table of the SQLite file at `path` (the runs database). */
export function openSqlitePauseStore(path: string): PauseStore {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schedule_pauses (workflow TEXT PRIMARY KEY, info TEXT NOT NULL)');
  const insert = db.prepare('INSERT OR IGNORE INTO schedule_pauses (workflow, info) VALUES (?, ?)');
  const select = db.prepare('SELECT info FROM schedule_pauses WHERE workflow = ?');
  const remove = db.prepare('DELETE FROM schedule_pauses WHERE workflow = ? RETURNING info');
  const every = db.prepare('SELECT workflow, info FROM schedule_pauses ORDER BY workflow');
  let closed = false;
  const open = () => {
    if (closed) throw new Error('the pause store is closed');
  };
  return {
    pause: async (workflow, info) => {
      open();
      return Number(insert.run(workflow, JSON.stringify(info)).changes) === 1;
    },
    resume: async (workflow) => {
      open();
      const row = remove.get(workflow) as { info: string } | undefined;
      return row ? (JSON.parse(row.info) as PauseInfo) : undefined;
    },
    paused: async (workflow) => {
      open();
      const row = select.get(workflow) as { info: string } | undefined;
      return row ? (JSON.parse(row.info) as PauseInfo) : undefined;
    },
    all: async () => {
      open();
      return new Map((every.all() as Array<{ workflow: string; info: string }>).map((r) => [r.workflow, JSON.parse(r.info) as PauseInfo]));
    },
    close: async () => {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** Pauses in one Redis hash, `<prefix>:schedule-pauses` (workflow → JSON), on the caller's connection. */
export function openRedisPauseStore(redis: Redis, prefix: string): PauseStore {
  const key = `${prefix}:schedule-pauses`;
  return {
    pause: async (workflow, info) => (await redis.hsetnx(key, workflow, JSON.stringify(info))) === 1,
    resume: async (workflow) => {
      // One round trip that reads and deletes, so two resumes cannot both report the same pause.
      const [[, text]] = (await redis.multi().hget(key, workflow).hdel(key, workflow).exec()) as [[Error | null, string | null], unknown];
      return text ? (JSON.parse(text) as PauseInfo) : undefined;
    },
    paused: async (workflow) => {
      const text = await redis.hget(key, workflow);
      return text ? (JSON.parse(text) as PauseInfo) : undefined;
    },
    all: async () => new Map(Object.entries(await redis.hgetall(key)).map(([name, text]) => [name, JSON.parse(text) as PauseInfo])),
    close: async () => {},
  };
}
