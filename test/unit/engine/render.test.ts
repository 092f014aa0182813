import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coerce, renderText, renderValue } from '../../../src/engine/render.ts';
import { UserError } from '../../../src/shared/errors.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { createTemplateEngine } from '../../../src/workflow/templates.ts';

const engine = createTemplateEngine('Europe/Berlin');
const scope = {
  inputs: { space: 'TEAM', n: 5, draft: false, label: 'weekly' },
  run: { scheduled_at: '2025-03-07T15:00:00.000Z' },
  steps: { find: { output: { data: { results: [{ id: '98307' }] } } } },
};

describe('renderText', () => {
  test('renders templates and returns plain text untouched', () => {
    assert.equal(renderText(engine, 'Space {{ inputs.space }} in {{ run.scheduled_at | iso_week }}', scope, 'p'), 'Space TEAM in 2025-W10');
    assert.equal(renderText(engine, 'no templates { here }', scope, 'p'), 'no templates { here }');
  });

  test('a render failure is a validation UserError naming what was rendered', () => {
    assert.throws(
      () => renderText(engine, 'Hi {{ inputs.nope }}', scope, 'gather.prompt'),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.equal(error.kind, 'validation');
        assert.match(error.message, /^cannot render gather\.prompt: .*nope/);
        assert.equal(error.message.includes('\n'), false, 'one line');
        return true;
      },
    );
  });
});

describe('renderValue', () => {
  test('renders every string in nested arrays and objects, leaving other values alone', () => {
    const value = {
      id: '{{ steps.find.output.data.results[0].id }}',
      labels: [{ prefix: 'global', name: '{{ inputs.label }}-{{ inputs.n }}' }],
      limit: 3,
      flag: true,
      none: null,
    };
    assert.deepEqual(renderValue(engine, value, scope, 'label.with'), {
      id: '98307',
      labels: [{ prefix: 'global', name: 'weekly-5' }],
      limit: 3,
      flag: true,
      none: null,
    });
  });

  test('converts rendered text to the types the schema asks for', () => {
    const schema = {
      type: 'object',
      properties: {
        limit: { type: 'integer' },
        ratio: { type: 'number' },
        draft: { type: 'boolean' },
        parentId: { type: ['string', 'null'] },
        cursor: { type: ['null', 'integer'] },
        title: { type: 'string' },
        ids: { type: 'array', items: { type: 'integer' } },
        nested: { type: 'object', properties: { on: { type: 'boolean' } } },
      },
    };
    const value = {
      limit: '{{ inputs.n }}',
      ratio: '0.5',
      draft: '{{ inputs.draft }}',
      parentId: '',
      cursor: '',
      title: '{{ inputs.n }}',
      ids: ['1', '{{ inputs.n }}'],
      nested: { on: 'true', other: '7' },
      extra: '8',
    };
    assert.deepEqual(renderValue(engine, value, scope, 'step.with', schema), {
      limit: 5,
      ratio: 0.5,
      draft: false,
      parentId: '',
      cursor: null,
      title: '5',
      ids: [1, 5],
      nested: { on: true, other: '7' },
      extra: '8',
    });
  });

  test('a render error names the field inside the value', () => {
    assert.throws(
      () => renderValue(engine, { labels: [{ name: '{{ inputs.missing }}' }] }, scope, 'label.with'),
      (error: unknown) => error instanceof UserError && error.kind === 'validation' && /^cannot render label\.with\.labels\.0\.name: /.test(error.message),
    );
  });

  test("with a catalogue tool's input schema, the numbers of a templated call come out as numbers", () => {
    const schema = confluenceCatalogue().get('CONFLUENCE_SEARCH_CONTENT')!.input;
    assert.deepEqual(renderValue(engine, { query: '{{ inputs.space }}', limit: '{{ inputs.n }}', start: '0' }, scope, 's.with', schema), {
      query: 'TEAM',
      limit: 5,
      start: 0,
    });
  });
});

describe('coerce', () => {
  test('only converts text that reads as the wanted type', () => {
    assert.equal(coerce('12', { type: 'integer' }), 12);
    assert.equal(coerce(' -3 ', { type: 'integer' }), -3);
    assert.equal(coerce('1.5', { type: 'integer' }), '1.5', 'not an integer');
    assert.equal(coerce('1.5', { type: 'number' }), 1.5);
    assert.equal(coerce('1e3', { type: 'number' }), 1000);
    assert.equal(coerce('', { type: 'number' }), '', 'empty text is not zero');
    assert.equal(coerce('abc', { type: 'number' }), 'abc');
    assert.equal(coerce('Infinity', { type: 'number' }), 'Infinity');
    assert.equal(coerce('true', { type: 'boolean' }), true);
    assert.equal(coerce('false', { type: 'boolean' }), false);
    assert.equal(coerce('yes', { type: 'boolean' }), 'yes');
    assert.equal(coerce('', { type: 'null' }), null);
    assert.equal(coerce('x', { type: 'null' }), 'x');
  });

  test('leaves text alone where the schema also accepts a string, or says nothing', () => {
    assert.equal(coerce('5', { type: ['string', 'integer'] }), '5');
    assert.equal(coerce('5', {}), '5');
    assert.equal(coerce('true', { description: 'no type' }), 'true');
  });

  test('leaves non-text values alone', () => {
    assert.equal(coerce(5, { type: 'string' }), 5);
    assert.equal(coerce(true, { type: 'integer' }), true);
    assert.deepEqual(coerce(['1'], { type: 'array' }), ['1'], 'no items schema');
  });

  test('wraps a single value in a list where the schema wants an array', () => {
    assert.deepEqual(coerce('TEAM', { type: ['array', 'null'], items: { type: 'string' } }), ['TEAM']);
    assert.deepEqual(coerce('5', { type: 'array', items: { type: 'integer' } }), [5]);
    assert.equal(coerce(null, { type: ['array', 'null'] }), null, 'null stays null');
    assert.equal(coerce('x', { type: ['array', 'string'] }), 'x', 'a string is fine where a string is allowed');
  });
});
