import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRedactor, truncateForRecord } from '../../../src/shared/redact.ts';

const MASK = '[redacted]';

describe('createRedactor', () => {
  test('masks secret values as whole strings and inside longer strings, at any depth', () => {
    const redact = createRedactor(['sk-live-0123456789']);
    assert.equal(redact('sk-live-0123456789'), MASK);
    assert.equal(redact('Bearer sk-live-0123456789 was refused; sk-live-0123456789 again'), `Bearer ${MASK} was refused; ${MASK} again`);
    assert.deepEqual(redact({ note: 'key=sk-live-0123456789', list: ['a', 'x sk-live-0123456789 y'], n: 5, flag: true, none: null }), {
      note: `key=${MASK}`,
      list: ['a', `x ${MASK} y`],
      n: 5,
      flag: true,
      none: null,
    });
  });

  test('masks the longest secret first, so a secret containing another is masked whole', () => {
    const redact = createRedactor(['abcd', 'abcdef12']);
    assert.equal(redact('xabcdef12y and abcd'), `x${MASK}y and ${MASK}`);
  });

  test('ignores secrets shorter than 4 characters and duplicates', () => {
    const redact = createRedactor(['abc', '', 'abc', 'wxyz', 'wxyz']);
    assert.equal(redact('abc wxyz'), `abc ${MASK}`);
  });

  test('masks any non-empty value under a secret-looking key, whatever its type', () => {
    const redact = createRedactor([]);
    const keys = [
      'authorization',
      'Authorization',
      'x-api-key',
      'X-API-KEY',
      'apiKey',
      'api_key',
      'api-key',
      'api_token',
      'apiToken',
      'token',
      'password',
      'secret',
      'access_token',
      'accessToken',
    ];
    for (const key of keys) assert.deepEqual(redact({ [key]: 'plain value' }), { [key]: MASK }, key);
    assert.deepEqual(redact({ headers: { Authorization: { scheme: 'Basic', value: 'x' }, token: 12345 } }), { headers: { Authorization: MASK, token: MASK } });
    assert.deepEqual(redact({ token: '', password: null, secret: undefined }), { token: '', password: null, secret: undefined }, 'nothing there to hide');
  });

  test('leaves keys that merely contain a secret word alone', () => {
    const redact = createRedactor([]);
    const value = { tokens: 10, inputTokens: 5, secretary: 'Ann', password_hint: 'pet', title: 'token rotation' };
    assert.deepEqual(redact(value), value);
  });

  test('does not change its input', () => {
    const redact = createRedactor(['hunter22']);
    const value = { password: 'hunter22', nested: { text: 'hunter22!' } };
    const copy = structuredClone(value);
    redact(value);
    assert.deepEqual(value, copy);
  });

  test('passes non-string scalars through', () => {
    const redact = createRedactor(['1234']);
    assert.equal(redact(1234), 1234);
    assert.equal(redact(undefined), undefined);
    assert.equal(redact(null), null);
  });
});

describe('truncateForRecord', () => {
  const same = <T>(value: T): T => value;

  test('redacts before cutting, so a secret the cut would split is still masked', () => {
    const secret = 'tok-SENTINEL-0123456789';
    const value = { text: `${'x'.repeat(10)}${secret}${'y'.repeat(50)}` };
    // A cut at 25 characters falls inside the secret; cutting first would leave 'tok-SENTIN' behind.
    const result = truncateForRecord(value, 25, createRedactor([secret]));
    assert.equal(result.truncated, true);
    assert.doesNotMatch(String(result.value), /SENTIN|tok-/);
  });

  test('keeps a value whose JSON fits, including exactly at the limit', () => {
    const value = { a: 'x' };
    const json = JSON.stringify(value);
    assert.deepEqual(truncateForRecord(value, json.length, same), { value, truncated: false });
    assert.equal(truncateForRecord(value, json.length, same).value, value, 'the very same object');
  });

  test("cuts a longer value to its JSON's first characters and says so", () => {
    const value = { text: 'y'.repeat(100) };
    const result = truncateForRecord(value, 20, same);
    assert.equal(result.truncated, true);
    assert.equal(result.value, `${JSON.stringify(value).slice(0, 20)}…`);
  });

  test('leaves undefined alone', () => {
    assert.deepEqual(truncateForRecord(undefined, 0, same), { value: undefined, truncated: false });
  });
});
