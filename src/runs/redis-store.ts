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
 * - `run-index:status:<status>`: the creation-time index of the runs that have this status now
 * - `run-status`: hash of run id → current status, which says which status index to take a run out of when it moves
 * - `run-index:status-built`: marker, never expiring: every run saved before the status index existed is in it (see
 *   {@link RedisRunStore.list}); the only key without an expiry. Runs that a runner older than the status index saves
 *   after the marker was set are missing from it, so upgrade every process that writes runs before relying on it.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { DEFAULT_LIST_LIMIT, MIN_ID_PREFIX, PREFIX_MATCH_LIMIT, ambiguousRunId, filterOrder, filterTime } from './sqlite-store.ts';
import { ADD_JOURNAL_LUA, INDEX_STATUS_LUA, SAVE_LUA } from './redis-scripts.ts';
import type { JournalEntry, RunFilter, RunRecord, RunStatus, RunStore } from './types.ts';

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

const SAVE_COMMAND = 'runnerSaveRun';
const ADD_JOURNAL_COMMAND = 'runnerAddJournal';
const INDEX_STATUS_COMMAND = 'runnerIndexStatus';

/** Tries of one {@link RedisRunStore.update} before it gives up (each lost only to another writer's save). */
const UPDATE_ROUNDS = 50;

/** Index entries read per round trip when listing. */
const LIST_BATCH = 100;

/** Runs read (whole records) and added per round trip while building the status index. */
const BUILD_BATCH = 200;

/** How long (ms, on the store's clock) lists scan after a failed build of the status index before one is tried again. */
const BUILD_RETRY_MS = 60_000;

/** The scripts this store defines on the connection. */
interface StoreCommands {
  [SAVE_COMMAND](...args: Array<string | number>): Promise<unknown>;
  [ADD_JOURNAL_COMMAND](...args: Array<string | number>): Promise<unknown>;
  /** Takes the number of keys first: their count varies with the batch. */
  [INDEX_STATUS_COMMAND](...args: Array<string | number>): Promise<unknown>;
}

/** Opens the Redis run store on the caller's connection (defines three Lua commands on it). */
export function openRedisRunStore(options: RedisRunStoreOptions): RunStore {
  if (!(options.retentionMs > 0)) throw new RangeError(`retentionMs must be positive, not ${options.retentionMs}`);
  options.redis.defineCommand(SAVE_COMMAND, { numberOfKeys: 7, lua: SAVE_LUA });
  options.redis.defineCommand(ADD_JOURNAL_COMMAND, { numberOfKeys: 2, lua: ADD_JOURNAL_LUA });
  options.redis.defineCommand(INDEX_STATUS_COMMAND, { lua: INDEX_STATUS_LUA });
  return new RedisRunStore(options);
}

/** {@link RunStore} over Redis keys; see the file comment for the layout. */
class RedisRunStore implements RunStore {
  readonly #redis: Redis & StoreCommands;
  readonly #prefix: string;
  readonly #retentionMs: number;
  readonly #now: () => number;
  #closed = false;
  /** Whether the status index is known to hold every run (its marker was there, or this store built it). */
  #statusIndexed = false;
  /** The look for the marker, shared by concurrent lists: resolves true when the status index may be read. */
  #statusCheck?: Promise<boolean>;
  /** The build of the status index this store started, if any; it never rejects. */
  #statusBuild?: Promise<void>;
  /** Before this time (store clock, ms) a failed build is not tried again. */
  #statusRetryAt = -Infinity;

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
      // Another writer saved in between: back off a little (growing, jittered) so busy writers spread out.
      await sleep(Math.random() * Math.min(round + 1, 10) * 2);
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
      this.#key('run-index', 'status', run.status),
      this.#key('run-status'),
      run.id,
      JSON.stringify(run),
      created,
      this.#cutoff(),
      this.#retentionMs,
      run.status,
      this.#key('run-index', 'status', ''),
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

  /**
   * Reads the smallest index that holds every match: the status index for a status filter (or, with a workflow too,
   * whichever of it and the workflow index is smaller), else the workflow or the created index; the loop checks every
   * field on the record itself. Stores written before the status index existed are indexed on first use, see
   * {@link RedisRunStore.#statusIndexReady}.
   */
  async list(filter: RunFilter = {}): Promise<RunRecord[]> {
    this.#open();
    const { workflow, status, trigger } = filter;
    const newest = filterOrder(filter.order) === 'newest';
    const requested = filter.limit ?? DEFAULT_LIST_LIMIT;
    // As in SQLite, a negative limit means no limit.
    const limit = requested < 0 ? Infinity : requested;
    // Scores are creation times in ms (plus a fraction below 1 ms), so since and until bound them directly; runs
    // past retention stay out whatever `since` says.
    const since = filter.since === undefined ? -Infinity : Date.parse(filterTime('since', filter.since));
    const low = String(Math.max(this.#cutoff(), since));
    const high = filter.until === undefined ? '+inf' : `(${Date.parse(filterTime('until', filter.until))}`;
    const found: RunRecord[] = [];
    if (limit === 0) return found;
    const seen = new Set<string>();
    for await (const ids of this.#pages(await this.#listIndex(workflow, status), newest, low, high, LIST_BATCH)) {
      for (const run of await this.#records(ids)) {
        // Skip expired records, runs seen twice (an index that moved under us) and filter misses. An index entry can
        // lag its record (a save landed between the two reads), so the record decides.
        if (!run || seen.has(run.id)) continue;
        seen.add(run.id);
        if (matches(run, workflow, status, trigger)) found.push(run);
        if (found.length >= limit) return found;
      }
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
    // The connection belongs to the caller; closing only stops this store from using it. A build of the status index
    // stops at its next batch (another store finishes it later) and is waited for, so nothing writes once this returns.
    this.#closed = true;
    await this.#statusBuild;
  }

  /** The index a list with these filters reads (see {@link RedisRunStore.list}). */
  async #listIndex(workflow: string | undefined, status: RunStatus | undefined): Promise<string> {
    const byWorkflow = workflow === undefined ? undefined : this.#key('run-index', 'workflow', workflow);
    if (status === undefined || !(await this.#statusIndexReady())) return byWorkflow ?? this.#key('run-index', 'created');
    const byStatus = this.#key('run-index', 'status', status);
    if (byWorkflow === undefined) return byStatus;
    // Both are sent at once, so this costs one round trip; the counts include runs outside since/until, which is close
    // enough to choose by.
    const [statusRuns, workflowRuns] = await Promise.all([this.#redis.zcard(byStatus), this.#redis.zcard(byWorkflow)]);
    return statusRuns <= workflowRuns ? byStatus : byWorkflow;
  }

  /**
   * Whether a status filter may read the status index. Runs saved before it existed are missing from it until the
   * marker says a build added them: without the marker, the first call starts that build (once per store; concurrent
   * callers share the look for the marker) and lists scan the creation-time indexes, as before, until it has finished.
   * A failed build leaves lists scanning (correct, only slower) and is tried again after BUILD_RETRY_MS.
   */
  async #statusIndexReady(): Promise<boolean> {
    if (this.#statusIndexed) return true;
    if (this.#statusCheck === undefined) {
      if (this.#now() < this.#statusRetryAt) return false;
      this.#statusCheck = this.#checkStatusIndex().catch((error: unknown) => {
        // Redis did not answer: this list fails as a scan would, and the next one looks again.
        this.#statusCheck = undefined;
        throw error;
      });
    }
    return this.#statusCheck;
  }

  /** Looks for the marker; without it, starts the build in the background and answers false. */
  async #checkStatusIndex(): Promise<boolean> {
    const [marked, runs] = await Promise.all([this.#redis.exists(this.#statusMarker()), this.#redis.zcard(this.#key('run-index', 'created'))]);
    // No run at all (a new prefix, or everything expired): none can be missing, and a look writes nothing.
    if (marked === 1 || runs === 0) return (this.#statusIndexed = true);
    if (this.#closed) return false;
    this.#statusBuild = this.#buildStatusIndex().then(
      (finished) => {
        if (finished) this.#statusIndexed = true;
        else this.#statusCheck = undefined;
      },
      () => {
        this.#statusRetryAt = this.#now() + BUILD_RETRY_MS;
        this.#statusCheck = undefined;
      },
    );
    return false;
  }

  /**
   * Adds every run of the created index (within retention) to the status index, a batch at a time, then sets the
   * marker; false when the store closed first. Runs saved meanwhile index themselves, and the script never overrides
   * them (see INDEX_STATUS_LUA).
   */
  async #buildStatusIndex(): Promise<boolean> {
    const created = this.#key('run-index', 'created');
    for await (const ids of this.#pages(created, false, String(this.#cutoff()), '+inf', BUILD_BATCH)) {
      if (this.#closed) return false;
      const runs = (await this.#records(ids)).flatMap((run, i) => (run ? [{ id: ids[i]!, status: run.status }] : []));
      if (runs.length === 0) continue;
      await this.#redis[INDEX_STATUS_COMMAND](
        2 + runs.length,
        this.#key('run-status'),
        created,
        ...runs.map((r) => this.#key('run-index', 'status', r.status)),
        this.#retentionMs,
        ...runs.flatMap((r) => [r.id, r.status]),
      );
    }
    // Kept for good: every save from now on indexes its run, so the index stays complete.
    await this.#redis.set(this.#statusMarker(), new Date(this.#now()).toISOString());
    return true;
  }

  /**
   * The ids of a sorted set with scores from `low` to `high` (Redis range syntax), `batch` at a time, highest score
   * first when `newest`. Keyset paging: each batch starts at the last score read (inclusive), skipping the entries of
   * that score already read, so a long walk costs the same per batch however deep it goes, and entries trimmed below it
   * meanwhile shift nothing.
   */
  async *#pages(index: string, newest: boolean, low: string, high: string, batch: number): AsyncGenerator<string[]> {
    let bound = newest ? high : low;
    let skip = 0;
    for (;;) {
      const reply = newest
        ? await this.#redis.zrevrangebyscore(index, bound, low, 'WITHSCORES', 'LIMIT', skip, batch)
        : await this.#redis.zrangebyscore(index, bound, high, 'WITHSCORES', 'LIMIT', skip, batch);
      const ids = reply.filter((_, i) => i % 2 === 0);
      if (ids.length > 0) yield ids;
      if (ids.length < batch) return;
      const last = reply[reply.length - 1]!;
      let tail = 0;
      while (tail < ids.length && Number(reply[reply.length - 1 - 2 * tail]) === Number(last)) tail++;
      // A whole batch of one score (only ever the bound's) skips further; else the next batch starts at `last`.
      skip = Number(last) === Number(bound) ? skip + tail : tail;
      bound = last;
    }
  }

  /** The key whose presence says the status index holds every run. */
  #statusMarker(): string {
    return this.#key('run-index', 'status-built');
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

/**
 * Whether `run` passes every field of the filter (unset: anything passes), the one its index applied included: an index
 * entry can lag its record, and the record is what a list answers with.
 */
function matches(run: RunRecord, workflow?: string, status?: RunFilter['status'], trigger?: RunFilter['trigger']): boolean {
  return (
    (workflow === undefined || run.workflow === workflow) &&
    (status === undefined || run.status === status) &&
    (trigger === undefined || run.trigger?.type === trigger)
  );
}
