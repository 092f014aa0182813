import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { HostAllowlist, isLoopbackHost, isWildcardHost, localAddress } from '../../../src/mcp/http-guard.ts';

/** A request carrying only these headers (all the allowlist reads). */
const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

test('loopback and wildcard addresses are told apart', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'sandbox', '128.0.0.1', 'localhost.evil.example']) assert.equal(isLoopbackHost(host), false, host);
  assert.deepEqual(['0.0.0.0', '::', '127.0.0.1'].map(isWildcardHost), [true, true, false]);
  assert.deepEqual(['0.0.0.0', '::', '10.0.0.2'].map(localAddress), ['127.0.0.1', '::1', '10.0.0.2']);
});

test('a loopback bind accepts its address and the loopback names with its port, and nothing else', () => {
  const hosts = new HostAllowlist();
  assert.match(hosts.refusal(req({ host: '127.0.0.1:8788' })) ?? '', /not allowed/, 'refused until bound');
  hosts.bind('127.0.0.1', 8788);
  for (const host of ['127.0.0.1:8788', 'localhost:8788', 'LocalHost:8788', '[::1]:8788']) assert.equal(hosts.refusal(req({ host })), undefined, host);
  for (const host of ['127.0.0.1:8789', 'evil.example:8788', '127.0.0.1', '']) assert.match(hosts.refusal(req({ host })) ?? '', /Host .* is not allowed/, host);
  assert.equal(hosts.refusal(req({ host: 'localhost:8788', origin: 'http://localhost:8788' })), undefined);
  for (const origin of ['http://evil.example', 'null', 'https://localhost:8788', 'http://localhost:8789']) {
    assert.match(hosts.refusal(req({ host: 'localhost:8788', origin })) ?? '', /Origin .* is not allowed/, origin);
  }
});

test('a wildcard bind also accepts this machine’s interface addresses; --allow-host names are added', () => {
  const hosts = new HostAllowlist(['sandbox', 'proxy.internal:443', '::1']);
  hosts.bind('0.0.0.0', 8787);
  assert.equal(hosts.refusal(req({ host: '0.0.0.0:8787' })), undefined);
  const ipv4 = Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .find((i) => i.family === 'IPv4' && !i.internal);
  if (ipv4) assert.equal(hosts.refusal(req({ host: `${ipv4.address}:8787` })), undefined, ipv4.address);
  assert.equal(hosts.refusal(req({ host: 'sandbox:8787', origin: 'http://sandbox:8787' })), undefined);
  assert.equal(hosts.refusal(req({ host: 'proxy.internal:443' })), undefined, 'name:port is taken as given');
  assert.match(hosts.refusal(req({ host: 'proxy.internal:8787' })) ?? '', /not allowed/);
  assert.match(hosts.refusal(req({ host: 'sandbox:9999' })) ?? '', /not allowed/);
  assert.match(hosts.refusal(req({ host: 'attacker.example:8787' })) ?? '', /not allowed/);
});

test('port 80 also accepts a Host without a port', () => {
  const hosts = new HostAllowlist();
  hosts.bind('127.0.0.1', 80);
  assert.equal(hosts.refusal(req({ host: 'localhost', origin: 'http://localhost' })), undefined);
});
