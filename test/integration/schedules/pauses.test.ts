/** Both pause stores behave the same, on a real SQLite file and a real Redis; two connections see each other. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { openRedisPauseStore, openSqlitePauseStore, type PauseStore } from '../../../src/schedules/pauses.ts';

const dir = mkdtempSync(join(tmpdir(), 'pauses-'));
const connections: Redis[] = [];
const prefixes: string[] = [];
after(async () => {
  for (const prefix of prefixes) await connections[0]?.del(`${prefix}:schedule-pauses`);
  for (const redis of connections) await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

const kinds: Array<[string, () => () => PauseStore]> = [
  [
    'sqlite',
    () => {
      const path = join(dir, `${randomUUID()}.db`);
      return () => openSqlitePauseStore(path);
    },
  ],
  [
    'redis',
    () => {
      const prefix = `test-${randomUUID()}`;
      prefixes.push(prefix);
      return () => {
        const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
        connections.push(redis);
        return openRedisPauseStore(redis, prefix);
      };
    },
  ],
];

for (const [kind, storage] of kinds) {
  describe(`${kind} pause store`, () => {
    test('pause once, seen from another connection, listed, resumed once', async () => {
      const open = storage();
      const a = open();
      const b = open();
      const info = { by: 'ana', at: '2026-11-30T10:00:00.000Z', reason: 'holidays' };
      assert.equal(await a.pause('weekly-summary', info), true);
      assert.equal(await b.pause('weekly-summary', { by: 'bo', at: '2026-11-30T11:00:00.000Z' }), false, 'the first pause stands');
      assert.deepEqual(await b.paused('weekly-summary'), info);
      assert.equal(await b.paused('other'), undefined);
      assert.deepEqual([...(await a.all())], [['weekly-summary', info]]);
      const resumed = await Promise.all([a.resume('weekly-summary'), b.resume('weekly-summary')]);
      assert.deepEqual(resumed.filter(Boolean), [info], 'exactly one resume ends the pause');
      assert.equal(await a.paused('weekly-summary'), undefined);
      assert.deepEqual([...(await b.all())], []);
      await a.close();
      await b.close();
    });
  });
}
