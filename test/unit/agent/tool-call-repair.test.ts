import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readArguments, replayableName, resolveToolName } from '../../../src/agent/tool-call-repair.ts';

const OFFERED = ['CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_SPACE'];

describe('resolveToolName', () => {
  test('an offered name is itself', () => {
    assert.equal(resolveToolName('CONFLUENCE_GET_SPACES', OFFERED), 'CONFLUENCE_GET_SPACES');
  });

  test('decorations open models add are taken off when one offered tool fits', () => {
    const cases: Array<[string, string]> = [
      ['functions.CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_SEARCH_CONTENT'],
      ['confluence.CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_SPACES'],
      ['default_api:CONFLUENCE_GET_SPACE', 'CONFLUENCE_GET_SPACE'],
      ['CONFLUENCE_GET_SPACES ', 'CONFLUENCE_GET_SPACES'],
      ['\tfunctions.CONFLUENCE_GET_SPACES\n', 'CONFLUENCE_GET_SPACES'],
      ['CONFLUENCE_SEARCH_CONTENT<|channel|>commentary', 'CONFLUENCE_SEARCH_CONTENT'],
      ['functions.confluence_search_content', 'CONFLUENCE_SEARCH_CONTENT'],
    ];
    for (const [asked, meant] of cases) {
      assert.equal(resolveToolName(asked, OFFERED), meant, asked);
    }
  });

  test('names no offered tool fits, or several do, stay unresolved (the gateway refuses them)', () => {
    assert.equal(resolveToolName('functions.CONFLUENCE_DELETE_PAGE', OFFERED), undefined);
    assert.equal(resolveToolName('functions.', OFFERED), undefined);
    assert.equal(resolveToolName('search', OFFERED), undefined, 'no guessing beyond decorations and case');
    assert.equal(resolveToolName('functions.get_page', ['GET_PAGE', 'get_PAGE']), undefined, 'two tools differ only in case');
    assert.equal(resolveToolName('x', []), undefined);
  });
});

describe('replayableName', () => {
  test('a name of letters, digits, _ and - stays as it is', () => {
    assert.equal(replayableName('CONFLUENCE_DELETE_PAGE', OFFERED), 'CONFLUENCE_DELETE_PAGE');
    assert.equal(replayableName('get-page_2', OFFERED), 'get-page_2');
  });

  test('other characters become _, and the result is never an offered tool', () => {
    assert.equal(replayableName('functions.CONFLUENCE_DELETE_PAGE', OFFERED), 'functions_CONFLUENCE_DELETE_PAGE');
    assert.equal(replayableName('EVIL\x1b[2J', OFFERED), 'EVIL__2J');
    assert.equal(replayableName('', OFFERED), 'unnamed');
    assert.equal(replayableName('CONFLUENCE GET SPACES', OFFERED), 'CONFLUENCE_GET_SPACES_', 'no call runs a tool by accident');
  });
});

describe('readArguments', () => {
  test('a JSON object is read; empty text means no arguments', () => {
    assert.deepEqual(readArguments('{"cql":"type=page","limit":5}'), { ok: true, value: { cql: 'type=page', limit: 5 } });
    assert.deepEqual(readArguments(''), { ok: true, value: {} });
    assert.deepEqual(readArguments('  \n'), { ok: true, value: {} });
  });

  test('text that is not JSON names the parser problem', () => {
    const read = readArguments('{"cql": "type=page');
    assert.equal(read.ok, false);
    assert.match((read as { problem: string }).problem, /^the arguments are not valid JSON \(.+\)$/);
  });

  test('JSON that is not one object says what it is', () => {
    assert.deepEqual(readArguments('[1, 2]'), { ok: false, problem: 'the arguments must be one JSON object, not an array' });
    assert.deepEqual(readArguments('"type=page"'), { ok: false, problem: 'the arguments must be one JSON object, not a string' });
    assert.deepEqual(readArguments('null'), { ok: false, problem: 'the arguments must be one JSON object, not null' });
    assert.deepEqual(readArguments('42'), { ok: false, problem: 'the arguments must be one JSON object, not a number' });
  });
});
