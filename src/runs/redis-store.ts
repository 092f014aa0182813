/**
 * The shared run store of queue mode: run records and their write journal in Redis, under keys the runner owns, so
 * every worker machine and every CLI reads the same runs. Records expire after the configured retention.
 *
 * Keys, all under `<prefix>:`:
 * - `run:<id>`: the record as JSON
 * - `journal:<id>`: hash of the run's journaled writes (`e:<key>` entry JSON, `o:<key>` write order, `#` counter)
 * - `run-index:created`: sorted set of run ids by creation time (ties: order of first save)
 * - `run-index:ids`: sorted set of run ids, all scored 0, for id-prefix lookups by lexical range
 * - `run-index:workflow:<name>`: the creation-time index of one workflow's runs
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEFAULT_LIST_LIMIT, MIN_ID_PREFIX, PREFIX_MATCH_LIMIT, ambiguousRunId } from './sqlite-store.ts';
import type { JournalEntry, RunFilter, RunRecord, RunStore } from './types.ts';

/** Options of {@link openRedisRunStore}. */
export interface RedisRunStoreOptions {
  /** The connection to use; the caller owns it (the store never quits it). */
  redis: Redis;
  /** Prefix of every key (RUNNER_QUEUE_PREFIX, e.g. `runner`). */
  prefix: string;
  /** How long a run is kept after its last write, and how old (by creation) a listed run may be, in ms. */
  retentionMs: number;
  /** The clock that decides which index entries are past retention (default Date.now). */
  now?: () => number;
}

/**
 * Saves a record and indexes it, in one atomic step.
 * KEYS: run, journal, created index, ids index, workflow index.
 * ARGV: id, record JSON, creation time (ms), retention cutoff (ms), retention (ms), and optionally the SHA-1 of the
 * record JSON the caller read: then nothing is saved (and 0 returned) unless the stored record is still that one.
 * The index score is the creation time plus a fraction (k/1024) that orders runs created in the same millisecond by
 * their first save, as SQLite's rowid does; a run saved again keeps its score and so its place.
 */
const SAVE_LUA = `
local id, created, cutoff = ARGV[1], tonumber(ARGV[3]), ARGV[4]
local score = redis.call('ZSCORE', KEYS[3], id)
if not score or math.floor(tonumber(score)) ~= created then
  local top = redis.call('ZREVRANGEBYSCORE', KEYS[3], string.format('(%.17g', created + 1), string.format('%.17g', created), 'WITHSCORES', 'LIMIT', 0, 1)
  local slot = 0
  if top[2] then slot = math.min(math.floor((tonumber(top[2]) - created) * 1024 + 0.5) + 1, 1023) end
  score = string.format('%.17g', created + slot / 1024)
end
if ARGV[6] then
  local stored = redis.call('GET', KEYS[1])
  if not stored or redis.sha1hex(stored) ~= ARGV[6] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[5])
redis.call('ZADD', KEYS[3], score, id)
redis.call('ZADD', KEYS[4], 0, id)
redis.call('ZADD', KEYS[5], score, id)
local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. cutoff, 'LIMIT', 0, 500)
if #old > 0 then
  redis.call('ZREM', KEYS[3], unpack(old))
  redis.call('ZREM', KEYS[4], unpack(old))
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. cutoff)
for i = 2, 5 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
return 1
`;

/**
 * Adds or replaces a journal entry; a replaced entry moves to the end, as SQLite's REPLACE does.
 * KEYS: journal, run. ARGV: entry key, entry JSON, retention (ms).
 */
const ADD_JOURNAL_LUA = `
local n = redis.call('HINCRBY', KEYS[1], '#', 1)
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], ARGV[2], 'o:' .. ARGV[1], n)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return n
`;

const SAVE_COMMAND = 'runnerSaveRun';
const ADD_JOURNAL_COMMAND = 'runnerAddJournal';

/** Tries of one {@link RedisRunStore.update} before it gives up (each lost only to another writer's save). */
const UPDATE_ROUNDS = 20;

/** Index entries read per round trip when listing. */
const LIST_BATCH = 100;

/** The scripts this store defines on the connection. */
interface StoreCommands {
  [SAVE_COMMAND](...args: Array<string | number>): Promise<unknown>;
  [ADD_JOURNAL_COMMAND](...args: Array<string | number>): Promise<unknown>;
}

/** Opens the Redis run store on the caller's connection (defines two Lua commands on it). */
export function openRedisRunStore(options: RedisRunStoreOptions): RunStore {
  if (!(options.retentionMs > 0)) throw new RangeError(`retentionMs must be positive, not ${options.retentionMs}`);
  options.redis.defineCommand(SAVE_COMMAND, { numberOfKeys: 5, lua: SAVE_LUA });
  options.redis.defineCommand(ADD_JOURNAL_COMMAND, { numberOfKeys: 2, lua: ADD_JOURNAL_LUA });
  return new RedisRunStore(options);
}

/** {@link RunStore} over Redis keys; see the file comment for the layout. */
class RedisRunStore implements RunStore {
  readonly #redis: Redis & StoreCommands;
  readonly #prefix: string;
  readonly #retentionMs: number;
  readonly #now: () => number;
  #closed = false;

  constructor(options: RedisRunStoreOptions) {
    this.#redis = options.redis as Redis & StoreCommands;
    this.#prefix = options.prefix;
    this.#retentionMs = Math.ceil(options.retentionMs);
    this.#now = options.now ?? Date.now;
  }

  async save(run: RunRecord): Promise<void> {
    await this.#save(run);
  }

  async update(id: string, change: (current: RunRecord) => RunRecord | undefined): Promise<RunRecord | undefined> {
    this.#open();
    // Optimistic: read, change, save only if the record is still what was read; else read again.
    for (let round = 0; round < UPDATE_ROUNDS; round++) {
      const stored = await this.#redis.get(this.#key('run', id));
      if (stored === null) return undefined;
      const next = change(JSON.parse(stored) as RunRecord);
      if (!next) return JSON.parse(stored) as RunRecord;
      if (await this.#save(next, createHash('sha1').update(stored).digest('hex'))) return next;
    }
    throw new Error(`run ${id} kept changing under ${UPDATE_ROUNDS} attempts to update it`);
  }

  /** Saves (only while the stored record's SHA-1 is `expected`, when given); false when that check failed. */
  async #save(run: RunRecord, expected?: string): Promise<boolean> {
    this.#open();
    const created = Date.parse(run.createdAt);
    if (!Number.isFinite(created)) throw new Error(`run ${run.id}: createdAt '${run.createdAt}' is not a time`);
    const saved = await this.#redis[SAVE_COMMAND](
      this.#key('run', run.id),
      this.#key('journal', run.id),
      this.#key('run-index', 'created'),
      this.#key('run-index', 'ids'),
      this.#key('run-index', 'workflow', run.workflow),
      run.id,
      JSON.stringify(run),
      created,
      this.#cutoff(),
      this.#retentionMs,
      ...(expected ? [expected] : []),
    );
    return saved === 1;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    this.#open();
    const exact = await this.#redis.get(this.#key('run', id));
    if (exact !== null) return JSON.parse(exact) as RunRecord;
    if (id.length < MIN_ID_PREFIX) return undefined;
    // Ids are ASCII, so every id starting with `id` sorts below `id` followed by the byte 0xff.
    const upper = Buffer.concat([Buffer.from(`(${id}`), Buffer.from([0xff])]);
    const ids = await this.#redis.zrangebylex(this.#key('run-index', 'ids'), `[${id}`, upper, 'LIMIT', 0, PREFIX_MATCH_LIMIT);
    // Index entries can outlive their record (expired); those are not matches.
    const matches = (await this.#records(ids)).filter((r) => r !== undefined);
    if (matches.length > 1) throw ambiguousRunId(id, matches, ids.length === PREFIX_MATCH_LIMIT);
    return matches[0];
  }

  async list(filter: RunFilter = {}): Promise<RunRecord[]> {
    this.#open();
    const { workflow, status } = filter;
    const requested = filter.limit ?? DEFAULT_LIST_LIMIT;
    // As in SQLite, a negative limit means no limit.
    const limit = requested < 0 ? Infinity : requested;
    const index = workflow === undefined ? this.#key('run-index', 'created') : this.#key('run-index', 'workflow', workflow);
    const min = String(this.#cutoff());
    const found: RunRecord[] = [];
    const seen = new Set<string>();
    for (let offset = 0; found.length < limit; offset += LIST_BATCH) {
      const ids = await this.#redis.zrevrangebyscore(index, '+inf', min, 'LIMIT', offset, LIST_BATCH);
      for (const run of await this.#records(ids)) {
        // Skip expired records, runs seen twice (an index that moved under us) and filter misses.
        if (!run || seen.has(run.id) || found.length >= limit) continue;
        seen.add(run.id);
        if ((workflow === undefined || run.workflow === workflow) && (status === undefined || run.status === status)) found.push(run);
      }
      if (ids.length < LIST_BATCH) break;
    }
    return found;
  }

  async journal(runId: string): Promise<JournalEntry[]> {
    this.#open();
    const fields = await this.#redis.hgetall(this.#key('journal', runId));
    const entries: Array<{ order: number; entry: JournalEntry }> = [];
    for (const [field, value] of Object.entries(fields)) {
      if (field.startsWith('e:')) entries.push({ order: Number(fields[`o:${field.slice(2)}`]), entry: JSON.parse(value) as JournalEntry });
    }
    return entries.sort((a, b) => a.order - b.order).map((e) => e.entry);
  }

  async addJournal(runId: string, entry: JournalEntry): Promise<void> {
    this.#open();
    await this.#redis[ADD_JOURNAL_COMMAND](this.#key('journal', runId), this.#key('run', runId), entry.key, JSON.stringify(entry), this.#retentionMs);
  }

  async close(): Promise<void> {
    // The connection belongs to the caller; closing only stops this store from using it.
    this.#closed = true;
  }

  /** The records of these ids, in order; `undefined` for those that expired. */
  async #records(ids: string[]): Promise<Array<RunRecord | undefined>> {
    if (ids.length === 0) return [];
    const values = await this.#redis.mget(ids.map((id) => this.#key('run', id)));
    return values.map((v) => (v === null ? undefined : (JSON.parse(v) as RunRecord)));
  }

  /** Creation time (ms) before which runs are past retention. */
  #cutoff(): number {
    return Math.floor(this.#now()) - this.#retentionMs;
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  #open(): void {
    if (this.#closed) throw new Error('the run store is closed');
  }
}
