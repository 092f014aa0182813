import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SETTINGS } from '../../../src/config/settings.ts';

test("the README's configuration table lists every setting with its default", () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  for (const s of SETTINGS) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${s.env}\` |`));
    assert.ok(row, `README lacks a row for ${s.env}`);
    const cell = row.split('|')[2]!.trim();
    assert.equal(cell, s.default === undefined ? '' : `\`${s.default}\``, `README default of ${s.env}`);
  }
});
