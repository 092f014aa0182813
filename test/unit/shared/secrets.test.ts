import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRedactor, MASK } from '../../../src/shared/redact.ts';
import { MIN_SECRET_LENGTH, SecretRegistry } from '../../../src/shared/secrets.ts';

describe('SecretRegistry', () => {
  test('ignores undefined values, values shorter than the minimum, and duplicates', () => {
    const registry = new SecretRegistry([undefined, '', 'abc', 'abcd', 'abcd']);
    assert.equal(MIN_SECRET_LENGTH, 4);
    assert.deepEqual(registry.values(), ['abcd']);
    registry.add(undefined);
    registry.add('xyz');
    registry.add('abcd');
    assert.deepEqual(registry.values(), ['abcd']);
    assert.equal(registry.has('abcd'), true);
    assert.equal(registry.has('abc'), false, 'too short to be kept');
    assert.equal(registry.has('ab'), false);
  });

  test('lists values longest first, whatever order they were added in', () => {
    const registry = new SecretRegistry(['wxyz']);
    registry.add('secret-value-long');
    registry.add('mid-size');
    assert.deepEqual(registry.values(), ['secret-value-long', 'mid-size', 'wxyz']);
  });

  test('a redactor made before add() masks values added after', () => {
    const registry = new SecretRegistry();
    const redact = createRedactor(registry);
    const late = 'tok-learned-late-42';
    assert.equal(redact(`header ${late}`), `header ${late}`, 'not known yet');
    registry.add(late);
    assert.equal(redact(`header ${late}`), `header ${MASK}`);
    assert.deepEqual(redact({ list: [late], nested: { text: `x${late}y` } }), { list: [MASK], nested: { text: `x${MASK}y` } });
  });

  test('a secret containing another is masked whole, because the longest is tried first', () => {
    const registry = new SecretRegistry(['abcd']);
    const redact = createRedactor(registry);
    registry.add('abcdef12');
    assert.equal(redact('xabcdef12y and abcd'), `x${MASK}y and ${MASK}`);
  });
});
