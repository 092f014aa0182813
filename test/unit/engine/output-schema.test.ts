import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStrictCompatible, outputContract } from '../../../src/engine/output-schema.ts';

const GATHER = {
  type: 'object',
  required: ['pages', 'summary'],
  additionalProperties: false,
  properties: {
    pages: {
      type: 'array',
      items: { type: 'object', required: ['id', 'title'], additionalProperties: false, properties: { id: { type: 'string' }, title: { type: 'string' } } },
    },
    summary: { type: 'string' },
  },
};

describe('outputContract', () => {
  test('an object schema is sent as it is, strict when it can be, under a name made from the step id', () => {
    const contract = outputContract('gather', GATHER);
    assert.deepEqual(contract.definition, { type: 'json_schema', name: 'gather_output', strict: true, schema: GATHER });
    const loose = outputContract('my step.v2', { type: 'object', properties: { id: { type: 'string' } } });
    assert.equal(loose.definition.name, 'my_step_v2_output');
    assert.equal(loose.definition.strict, false);
  });

  test('a non-object schema is wrapped in {value}, and the answer unwrapped', () => {
    const contract = outputContract('count', { type: 'integer', minimum: 0 });
    assert.deepEqual(contract.definition.schema, {
      type: 'object',
      properties: { value: { type: 'integer', minimum: 0 } },
      required: ['value'],
      additionalProperties: false,
    });
    assert.equal(contract.definition.strict, true);
    assert.deepEqual(contract.read('{"value": 7}'), { ok: true, value: 7 });
    assert.deepEqual(contract.read({ value: 3 }), { ok: true, value: 3 });
    assert.deepEqual(contract.read('{"value": -1}'), { ok: false, problems: ['(answer) must be >= 0'] });
    assert.deepEqual(contract.read('{}'), { ok: false, problems: ['(answer) must be integer'] });
    const list = outputContract('ids', { type: 'array', items: { type: 'string' } });
    assert.deepEqual(list.read('{"value":["a","b"]}'), { ok: true, value: ['a', 'b'] });
  });

  test('read parses JSON text or takes an already parsed value', () => {
    const contract = outputContract('gather', GATHER);
    const answer = { pages: [{ id: '1', title: 'Notes' }], summary: '<p/>' };
    assert.deepEqual(contract.read(JSON.stringify(answer)), { ok: true, value: answer });
    assert.deepEqual(contract.read(answer), { ok: true, value: answer });
  });

  test('read says when the answer is not JSON, quoting its start', () => {
    const contract = outputContract('gather', GATHER);
    assert.deepEqual(contract.read('Here is the summary you asked for'), {
      ok: false,
      problems: ['the final answer is not JSON: Here is the summary you asked for'],
    });
    const long = `Sure! ${'x'.repeat(300)}`;
    assert.deepEqual(contract.read(long), { ok: false, problems: [`the final answer is not JSON: ${long.slice(0, 120)}`] });
  });

  test('read lists every schema violation with its path', () => {
    const contract = outputContract('gather', GATHER);
    const result = contract.read(JSON.stringify({ pages: [{ id: 1 }, { id: '2', title: 'T', extra: true }] }));
    assert.deepEqual(result, {
      ok: false,
      problems: [
        "(answer) must have required property 'summary'",
        "/pages/0 must have required property 'title'",
        '/pages/0/id must be string',
        '/pages/1 must NOT have additional properties',
      ],
    });
    assert.deepEqual(contract.read('null'), { ok: false, problems: ['(answer) must be object'] });
  });
});

describe('isStrictCompatible', () => {
  test('needs every object closed and every property required, at any depth', () => {
    assert.equal(isStrictCompatible(GATHER), true);
    assert.equal(isStrictCompatible({ type: 'string' }), true);
    assert.equal(isStrictCompatible({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }), false, 'not closed');
    assert.equal(
      isStrictCompatible({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a'], additionalProperties: false }),
      false,
      'b optional',
    );
    const openItem = structuredClone(GATHER);
    delete (openItem.properties.pages.items as Record<string, unknown>).additionalProperties;
    assert.equal(isStrictCompatible(openItem), false, 'an open object inside array items');
    const closed = { type: 'object', properties: {}, required: [], additionalProperties: false };
    const open = { type: 'object', properties: { x: { type: 'string' } } };
    assert.equal(isStrictCompatible({ anyOf: [closed, open] }), false);
    assert.equal(isStrictCompatible({ anyOf: [closed, { type: 'null' }] }), true);
    assert.equal(isStrictCompatible({ ...closed, $defs: { thing: open } }), false);
    assert.equal(isStrictCompatible({ type: 'object', properties: { nested: open }, required: ['nested'], additionalProperties: false }), false);
  });
});
