import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest, didYouMean, editDistance } from '../../../src/shared/suggest.ts';

test('editDistance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('promt', 'prompt'), 1);
  assert.equal(editDistance('abc', ''), 3);
});

test('closest finds typos, case-insensitively, and prefers prefixes', () => {
  assert.equal(closest('timzone', ['timezone', 'cron']), 'timezone');
  assert.equal(closest('SANDBX', ['sandbox', 'composio', 'mcp']), 'sandbox');
  assert.equal(closest('max_turn', ['max_turns', 'max_tokens', 'timeout']), 'max_turns');
  assert.equal(closest('Berlin', ['Europe/Berlin', 'Berlingen']), 'Berlingen');
});

test('closest gives nothing when no candidate is close enough', () => {
  assert.equal(closest('owner', ['version', 'name', 'steps']), undefined);
  assert.equal(closest('x', []), undefined);
});

test('didYouMean phrases the hint or stays empty', () => {
  assert.equal(didYouMean('valdate', ['validate', 'list', 'run']), "; did you mean 'validate'?");
  assert.equal(didYouMean('zzzzzz', ['validate', 'list', 'run']), '');
});
