import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestSandbox } from './helpers.ts';
import { startTestSandbox } from './helpers.ts';
import { parseFaults } from '../../../src/sandbox/faults.ts';

describe('faults and extra handlers', () => {
  let sb: TestSandbox;
  before(async () => {
    sb = await startTestSandbox({
      faults: parseFaults('429=1,retry-after=3'),
      handlers: [
        async (_req, res, url) => {
          if (url.pathname !== '/extra') return false;
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"extra":true}');
          return true;
        },
      ],
    });
  });
  after(async () => {
    await sb.cleanup();
  });

  it('answers REST calls with 429 and Retry-After, and leaves extra handlers alone', async () => {
    const limited = await sb.call('GET', '/wiki/api/v2/spaces');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal(limited.json.errors[0].code, 'TOO_MANY_REQUESTS');
    const extra = await sb.call('GET', '/extra');
    assert.deepEqual(extra.json, { extra: true });
  });

  it('close() can be called twice', async () => {
    const other = await startTestSandbox();
    await other.handle.close();
    await other.cleanup();
    assert.equal((await fetch(other.handle.url).catch(() => undefined))?.status, undefined);
  });
});
