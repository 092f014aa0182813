/** RUNNER_STORE: `auto` (the default) reads the shared Redis store when REDIS_URL is set (environment or `.env`). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { SETTINGS } from '../../../src/config/settings.ts';
import { UserError } from '../../../src/shared/errors.ts';

const folders: string[] = [];
after(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** A folder with this `.env` text (none when undefined), for `cwd`. */
function folder(dotEnv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runner-store-setting-'));
  folders.push(dir);
  if (dotEnv !== undefined) writeFileSync(join(dir, '.env'), dotEnv);
  return dir;
}

/** `store` and `storeSource` of the configuration read from exactly this environment and `.env`. */
function resolved(env: Record<string, string>, dotEnv?: string) {
  const config = loadConfig({ env, cwd: folder(dotEnv) });
  return { store: config.store, storeSource: config.storeSource };
}

test('the default is auto', () => {
  assert.equal(SETTINGS.find((s) => s.env === 'RUNNER_STORE')?.default, 'auto');
});

test('auto without REDIS_URL (or with it empty) is sqlite: the built-in Redis address alone says nothing', () => {
  assert.deepEqual(resolved({}), { store: 'sqlite', storeSource: 'auto' });
  assert.deepEqual(resolved({ REDIS_URL: '' }), { store: 'sqlite', storeSource: 'auto' });
  assert.deepEqual(resolved({ RUNNER_STORE: '' }), { store: 'sqlite', storeSource: 'auto' });
  assert.deepEqual(resolved({ RUNNER_STORE: 'auto' }, 'RUNNER_MODEL=gpt-5\n'), { store: 'sqlite', storeSource: 'auto' });
});

test('auto with REDIS_URL set in the environment is redis, even when it names the default address', () => {
  assert.deepEqual(resolved({ REDIS_URL: 'redis://127.0.0.1:6379' }), { store: 'redis', storeSource: 'auto' });
  assert.deepEqual(resolved({ REDIS_URL: 'redis://queue.internal:6380', RUNNER_STORE: 'auto' }), { store: 'redis', storeSource: 'auto' });
});

test('auto with REDIS_URL set in .env is redis; an empty REDIS_URL in the environment overrides it', () => {
  assert.deepEqual(resolved({}, 'REDIS_URL=redis://queue.internal:6379\n'), { store: 'redis', storeSource: 'auto' });
  assert.deepEqual(resolved({ REDIS_URL: '' }, 'REDIS_URL=redis://queue.internal:6379\n'), { store: 'sqlite', storeSource: 'auto' });
});

test('sqlite and redis are taken as asked, whatever REDIS_URL says; from the environment or .env', () => {
  assert.deepEqual(resolved({ RUNNER_STORE: 'sqlite', REDIS_URL: 'redis://queue.internal:6379' }), { store: 'sqlite', storeSource: 'sqlite' });
  assert.deepEqual(resolved({ RUNNER_STORE: 'redis' }), { store: 'redis', storeSource: 'redis' });
  assert.deepEqual(resolved({}, 'REDIS_URL=redis://queue.internal:6379\nRUNNER_STORE=sqlite\n'), { store: 'sqlite', storeSource: 'sqlite' });
  assert.deepEqual(resolved({ RUNNER_STORE: 'redis' }, 'RUNNER_STORE=sqlite\n'), { store: 'redis', storeSource: 'redis' }, 'the environment wins');
});

test('any other value is a user error naming sqlite, redis and auto', () => {
  for (const value of ['SQLite', 'postgres', 'none']) {
    assert.throws(
      () => resolved({ RUNNER_STORE: value }),
      (e: unknown) => e instanceof UserError && e.message === `RUNNER_STORE must be sqlite, redis or auto, not '${value}'`,
    );
  }
});
