import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printable } from '../../../src/cli/output.ts';

test('printable shows every control a terminal would act on as a \\x escape, and keeps newlines and tabs', () => {
  assert.equal(printable('a\x1b[2Jb'), 'a\\x1b[2Jb');
  assert.equal(printable('title\x1b]0;pwned\x07'), 'title\\x1b]0;pwned\\x07');
  assert.equal(printable('over\rwrite'), 'over\\x0dwrite');
  assert.equal(printable('nul\x00 del\x7f csi\x9b31m nel\x85'), 'nul\\x00 del\\x7f csi\\x9b31m nel\\x85');
  assert.equal(printable('two\nlines\tand a tab'), 'two\nlines\tand a tab');
  assert.equal(printable('plain, ünïcödé, emoji 🙂, nbsp\u00a0'), 'plain, ünïcödé, emoji 🙂, nbsp\u00a0');
});
