import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector, parseFaults } from '../../../src/sandbox/faults.ts';

describe('parseFaults', () => {
  it('parses rates, latency, retry-after and seed', () => {
    assert.deepEqual(parseFaults('429=0.1,503=0.05,latency=50ms'), { rates: { 429: 0.1, 503: 0.05 }, latencyMs: 50, retryAfterSeconds: 1, seed: 1 });
    assert.deepEqual(parseFaults(' 500=0.2 , latency=1s, retry-after=3, seed=42'), { rates: { 500: 0.2 }, latencyMs: 1000, retryAfterSeconds: 3, seed: 42 });
    assert.deepEqual(parseFaults(''), { rates: {}, latencyMs: 0, retryAfterSeconds: 1, seed: 1 });
  });

  for (const [spec, message] of [
    ['418=0.1', "Unknown fault '418'"],
    ['429=2', 'between 0 and 1'],
    ['429', 'expected key=value'],
    ['latency=fast', 'latency must look like 50ms'],
    ['retry-after=-1', 'retry-after must be a whole number'],
    ['429=0.7,503=0.6', 'add up to 1.3'],
  ] as const) {
    it(`rejects ${spec}`, () =>
      assert.throws(
        () => parseFaults(spec),
        (err: Error) => err.message.includes(message),
      ));
  }
});

describe('FaultInjector', () => {
  it('is deterministic for a seed and honours the rates roughly', () => {
    const spec = parseFaults('429=0.3,503=0.1,seed=7,retry-after=2');
    const a = new FaultInjector(spec);
    const b = new FaultInjector(spec);
    const runA = Array.from({ length: 1000 }, () => a.next().status ?? 200);
    const runB = Array.from({ length: 1000 }, () => b.next().status ?? 200);
    assert.deepEqual(runA, runB);
    const n429 = runA.filter((s) => s === 429).length;
    assert.ok(n429 > 230 && n429 < 370, `429s: ${n429}`);
    assert.ok(runA.includes(503));
    const withHeader = new FaultInjector(parseFaults('429=1,retry-after=2')).next();
    assert.deepEqual(withHeader, { status: 429, headers: { 'Retry-After': '2' }, delayMs: 0 });
  });
});
