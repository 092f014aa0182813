import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/config.ts';
import { createBackendPool } from '../../../src/backends/pool.ts';
import type { ToolBackend } from '../../../src/backends/types.ts';

const config = loadConfig({ env: {}, cwd: '/nonexistent' });

/** Backends that count their calls and closes; `fail` makes the next call a transport failure. */
function opener() {
  const made: Array<{ backend: ToolBackend; closed: number; fail: boolean }> = [];
  const open = async () => {
    const entry = { closed: 0, fail: false, backend: undefined as unknown as ToolBackend };
    let failures = 0;
    entry.backend = {
      name: 'sandbox',
      router: false,
      tools: [],
      get healthy() {
        return failures === 0 && entry.closed === 0;
      },
      async call(name) {
        if (entry.fail) {
          failures += 1;
          return { data: null, error: `${name} failed in the sandbox backend: socket hang up`, successful: false };
        }
        return { data: { n: made.indexOf(entry) }, error: null, successful: true };
      },
      async close() {
        entry.closed += 1;
      },
    };
    made.push(entry);
    return entry.backend;
  };
  return { open, made };
}

test('a returned backend is leased again; concurrent leases get their own', async () => {
  const { open, made } = opener();
  const pool = createBackendPool({ open });
  const a = await pool.open(config, { name: 'sandbox', allowed: ['X', 'Y'] });
  const b = await pool.open(config, { name: 'sandbox', allowed: ['Y', 'X'] });
  assert.equal(made.length, 2, 'two runs at once: two backends');
  await a.close();
  await a.close();
  const c = await pool.open(config, { name: 'sandbox', allowed: ['X', 'Y'] });
  assert.equal(made.length, 2, 'the returned one is reused (allowlist order does not matter)');
  assert.deepEqual((await c.call('T', {})).data, { n: 0 });
  const other = await pool.open(config, { name: 'sandbox', allowed: ['X'] });
  assert.equal(made.length, 3, 'other settings: another backend');
  for (const lease of [b, c, other]) await lease.close();
  assert.equal(pool.size(), 3);
  await pool.close();
  assert.deepEqual(
    made.map((m) => m.closed),
    [1, 1, 1],
    'closing the pool closes every idle backend once',
  );
});

test('a backend that saw a transport failure is closed, not reused; idle ones beyond maxIdle are closed', async () => {
  const { open, made } = opener();
  const pool = createBackendPool({ open, maxIdle: 1 });
  const a = await pool.open(config, { name: 'sandbox', allowed: [] });
  made[0]!.fail = true;
  assert.equal((await a.call('T', {})).successful, false);
  assert.equal(a.healthy, false);
  await a.close();
  assert.equal(made[0]!.closed, 1);
  const b = await pool.open(config, { name: 'sandbox', allowed: [] });
  const c = await pool.open(config, { name: 'sandbox', allowed: [] });
  assert.equal(made.length, 3);
  await b.close();
  await c.close();
  assert.deepEqual(
    made.map((m) => m.closed),
    [1, 0, 1],
    'only one idle backend is kept',
  );
  await pool.close();
  assert.deepEqual(
    made.map((m) => m.closed),
    [1, 1, 1],
  );
});
