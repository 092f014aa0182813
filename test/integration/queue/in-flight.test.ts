/**
 * The runs in flight per workflow (what `schedule.overlap` asks), on the real Redis: which claims block which, that
 * a released run stops counting, and that a claim nobody renews (its worker was killed) lapses by itself.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { redisInFlight } from '../../../src/queue/in-flight.ts';
import { testbed, until } from './helpers.ts';

const bed = testbed('in-flight');
after(() => bed.close());

test('alone is blocked by any run of the workflow, beside only by its own run id, force by nothing', async () => {
  const runs = redisInFlight(bed.redis, bed.prefix);
  assert.equal(await runs.claim('weekly', 'run-1'), undefined, 'nothing in flight: counted');
  assert.equal(await runs.claim('weekly', 'run-2'), 'run-1', 'alone: told which run goes on');
  assert.equal(await runs.claim('weekly', 'run-1'), 'run-1', 'alone: the same run id in flight blocks too (another job of the slot)');
  assert.equal(await runs.claim('weekly', 'run-2', 'beside'), undefined, 'beside: another run does not block');
  assert.equal(await runs.claim('weekly', 'run-2', 'beside'), 'run-2', 'beside: its own run id does');
  assert.equal(await runs.claim('weekly', 'run-3', 'force'), undefined);
  assert.equal(await runs.claim('other', 'run-9'), undefined, 'workflows do not block each other');
  assert.deepEqual((await runs.list('weekly')).sort(), ['run-1', 'run-2', 'run-3']);

  for (const id of ['run-1', 'run-2', 'run-3']) await runs.release('weekly', id);
  assert.deepEqual(await runs.list('weekly'), []);
  assert.equal(await runs.claim('weekly', 'run-4'), undefined, 'released runs no longer count');
  await runs.release('weekly', 'run-4');
  await runs.release('other', 'run-9');
});

test("a claim nobody renews lapses (a killed worker's run); one renewed stays", { timeout: 20_000 }, async () => {
  const runs = redisInFlight(bed.redis, bed.prefix, { ttlMs: 300 });
  assert.equal(await runs.claim('nightly', 'dead'), undefined);
  assert.equal(await runs.claim('nightly', 'next'), 'dead');
  await until('the unrenewed claim to lapse', async () => (await runs.claim('nightly', 'next')) === undefined);
  assert.deepEqual(await runs.list('nightly'), ['next']);
  await runs.renew('nightly', 'next');
  assert.equal(await runs.claim('nightly', 'later'), 'next');
  await runs.release('nightly', 'next');
  assert.deepEqual(
    (await bed.keys()).filter((k) => k.includes(':in-flight:')),
    [],
    'no key is left once the last claim is gone',
  );
});
