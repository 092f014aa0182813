/** The Lua scripts of the Redis run store (`redis-store.ts`): each one atomic step on the keys that file's comment lists. */

/**
 * Saves a record and indexes it, in one atomic step.
 * KEYS: run, journal, created index, ids index, workflow index, status index of the record's status, status hash.
 * ARGV: id, record JSON, creation time (ms), retention cutoff (ms), retention (ms), status, the key prefix of the status
 * indexes (`<prefix>:run-index:status:`), and optionally the SHA-1 of the record JSON the caller read: then nothing is
 * saved (and 0 returned) unless the stored record is still that one.
 * The index score is the creation time plus a fraction (k/1024) that orders runs created in the same millisecond by
 * their first save, as SQLite's rowid does; a run saved again keeps its score and so its place.
 * A run whose status changed leaves the index of its old status, named by the status hash: that key is only known
 * once the hash is read, so it is built here from the prefix (as BullMQ's scripts do; the runner uses one Redis, not a
 * cluster). Runs trimmed past retention leave every index, the status ones and the status hash included.
 */
export const SAVE_LUA = `
local id, created, cutoff, status, statuses = ARGV[1], tonumber(ARGV[3]), ARGV[4], ARGV[6], ARGV[7]
local score = redis.call('ZSCORE', KEYS[3], id)
if not score or math.floor(tonumber(score)) ~= created then
  local top = redis.call('ZREVRANGEBYSCORE', KEYS[3], string.format('(%.17g', created + 1), string.format('%.17g', created), 'WITHSCORES', 'LIMIT', 0, 1)
  local slot = 0
  if top[2] then slot = math.min(math.floor((tonumber(top[2]) - created) * 1024 + 0.5) + 1, 1023) end
  score = string.format('%.17g', created + slot / 1024)
end
if ARGV[8] then
  local stored = redis.call('GET', KEYS[1])
  if not stored or redis.sha1hex(stored) ~= ARGV[8] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[5])
redis.call('ZADD', KEYS[3], score, id)
redis.call('ZADD', KEYS[4], 0, id)
redis.call('ZADD', KEYS[5], score, id)
local was = redis.call('HGET', KEYS[7], id)
if was and was ~= status then redis.call('ZREM', statuses .. was, id) end
redis.call('HSET', KEYS[7], id, status)
redis.call('ZADD', KEYS[6], score, id)
local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. cutoff, 'LIMIT', 0, 500)
if #old > 0 then
  redis.call('ZREM', KEYS[3], unpack(old))
  redis.call('ZREM', KEYS[4], unpack(old))
  local had = redis.call('HMGET', KEYS[7], unpack(old))
  for i = 1, #old do
    if had[i] then redis.call('ZREM', statuses .. had[i], old[i]) end
  end
  redis.call('HDEL', KEYS[7], unpack(old))
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. cutoff)
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. cutoff)
for i = 2, 7 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
return 1
`;

/**
 * Adds runs saved before the status index existed to it. A run gets the status its record had when read only if the
 * status hash has none for it (HSETNX): a save since that read has already indexed the newer status, which a stale
 * read must not undo. That makes the build idempotent, so several processes may run it at once. Runs gone from the
 * created index meanwhile (trimmed past retention) are left out; the others keep their creation-time score.
 * KEYS: status hash, created index, then the status index of each run. ARGV: retention (ms), then the id and status of
 * each run, in the order of their keys. Returns how many runs it added.
 */
export const INDEX_STATUS_LUA = `
local added = 0
for i = 3, #KEYS do
  local id, status = ARGV[2 * i - 4], ARGV[2 * i - 3]
  local score = redis.call('ZSCORE', KEYS[2], id)
  if score and redis.call('HSETNX', KEYS[1], id, status) == 1 then
    redis.call('ZADD', KEYS[i], score, id)
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    added = added + 1
  end
end
if added > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return added
`;

/**
 * Adds or replaces a journal entry; a replaced entry moves to the end, as SQLite's REPLACE does.
 * KEYS: journal, run. ARGV: entry key, entry JSON, retention (ms).
 */
export const ADD_JOURNAL_LUA = `
local n = redis.call('HINCRBY', KEYS[1], '#', 1)
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], ARGV[2], 'o:' .. ARGV[1], n)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return n
`;
