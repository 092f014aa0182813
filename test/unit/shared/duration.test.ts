import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { durationHint, formatDuration, parseDuration } from '../../../src/shared/duration.ts';

describe('parseDuration', () => {
  const good: Array<[string, number]> = [
    ['250ms', 250],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2d', 172_800_000],
    ['1m30s500ms', 90_500],
    [' 5m ', 300_000],
  ];
  for (const [text, ms] of good) test(`${JSON.stringify(text)} is ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  for (const text of ['', '10', 'm', '10 minutes', '5x', '1h 30m', '-5s', 'soon', '10M']) {
    test(`${JSON.stringify(text)} is not a duration`, () => assert.equal(parseDuration(text), undefined));
  }
});

test('formatDuration writes the largest units first', () => {
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(3_600_000), '1h');
  assert.equal(formatDuration(93_784_000), '1d2h3m4s');
});

test('durationHint suggests the fix when units are spelled out, and always says what is allowed', () => {
  const rule = '(use numbers with units ms, s, m, h or d, like 90s, 10m or 1h30m)';
  assert.equal(durationHint('10 minutes'), `unparseable duration '10 minutes'; did you mean '10m'? ${rule}`);
  assert.equal(durationHint('1 hour 30 minutes'), `unparseable duration '1 hour 30 minutes'; did you mean '1h30m'? ${rule}`);
  assert.equal(durationHint('soon'), `unparseable duration 'soon' ${rule}`);
});
