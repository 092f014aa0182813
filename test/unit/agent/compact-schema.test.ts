import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { compactSchema } from '../../../src/agent/compact-schema.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';

test('optional nullable parameters are shown as plain optional ones; required ones keep null', () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: ['string', 'null'] },
      direction: { type: ['string', 'null'], enum: ['asc', 'desc', null], default: null },
      limit: { type: 'number', default: 25 },
      nested: { type: 'object', properties: { x: { type: ['integer', 'null'], default: null } } },
    },
    required: ['id'],
    additionalProperties: false,
  };
  const before = structuredClone(schema);
  assert.deepEqual(compactSchema(schema), {
    type: 'object',
    properties: {
      id: { type: ['string', 'null'] },
      direction: { type: 'string', enum: ['asc', 'desc'] },
      limit: { type: 'number', default: 25 },
      nested: { type: 'object', properties: { x: { type: 'integer' } } },
    },
    required: ['id'],
    additionalProperties: false,
  });
  assert.deepEqual(schema, before, 'the input is not changed');
});

test('every argument object valid for a compacted catalogue schema is valid for the full one', () => {
  // Compaction only narrows what the model is told; the gateway validates against the full schema, which must
  // accept anything the compacted one does. Check with each tool's required-only example.
  const ajv = new Ajv({ strict: false });
  let smaller = 0;
  for (const tool of confluenceCatalogue().tools) {
    const compact = compactSchema(tool.input);
    if (JSON.stringify(compact).length < JSON.stringify(tool.input).length) smaller += 1;
    const full = ajv.compile(tool.input);
    const narrowed = ajv.compile(compact);
    const sample = Object.fromEntries(((tool.input.required as string[]) ?? []).map((k) => [k, exampleFor((tool.input.properties as any)[k])]));
    if (narrowed(sample)) assert.ok(full(sample), `${tool.slug}: ${JSON.stringify(sample)} passes the compact schema but not the full one`);
  }
  assert.ok(smaller >= 20, `compaction shrinks many catalogue schemas (${smaller})`);
});

function exampleFor(schema: any): unknown {
  const type = Array.isArray(schema?.type) ? schema.type.find((t: string) => t !== 'null') : schema?.type;
  if (schema?.enum) return schema.enum.find((v: unknown) => v !== null);
  if (schema?.const !== undefined) return schema.const;
  return { string: 'x', number: 1, integer: 1, boolean: true, array: [], object: {} }[type as string] ?? 'x';
}
