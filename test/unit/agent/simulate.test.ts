import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { SIMULATED_NOTE, simulateWrite } from '../../../src/agent/simulate.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';

const catalogue = confluenceCatalogue();
const ajv = new Ajv({ allErrors: true, strict: false });
const NOW = '2025-03-07T15:00:00.000Z';

/** Simulates a catalogue tool and checks the data against the tool's output schema. */
function simulateValid(tool: string, args: Record<string, unknown>, n: number) {
  const output = catalogue.get(tool)!.output;
  const envelope = simulateWrite(tool, args, { output, n, now: NOW });
  const validate = ajv.compile(output);
  assert.ok(validate(envelope.data), `${tool} simulated data breaks its output schema: ${ajv.errorsText(validate.errors)}`);
  return envelope;
}

describe('simulateWrite', () => {
  test('CONFLUENCE_CREATE_BLOGPOST: a blog post filled from the arguments, with a preview id and timestamps', () => {
    const args = { spaceId: '98307', title: 'Weekly summary 2025-W10', status: 'current', body: { representation: 'storage', value: '<p>Hi</p>' } };
    const envelope = simulateValid('CONFLUENCE_CREATE_BLOGPOST', args, 3);
    assert.equal(envelope.successful, true);
    assert.equal(envelope.error, null);
    assert.equal(envelope.simulated, true);
    assert.equal(envelope.note, `${SIMULATED_NOTE} (CONFLUENCE_CREATE_BLOGPOST)`);
    assert.deepEqual(envelope.data, {
      body: { representation: 'storage', value: '<p>Hi</p>' },
      createdAt: NOW,
      id: 'preview-3',
      labels: [],
      metadata: {},
      spaceId: '98307',
      status: 'current',
      title: 'Weekly summary 2025-W10',
      updatedAt: NOW,
      version: {},
      webUrl: '',
    });
  });

  test('CONFLUENCE_CREATE_BLOGPOST: null optional arguments and a missing status still give valid data', () => {
    const args = { spaceId: '1', title: 'Draft', body: { representation: 'storage', value: '' }, labels: null, parentId: null };
    const envelope = simulateValid('CONFLUENCE_CREATE_BLOGPOST', args, 1);
    const data = envelope.data as Record<string, unknown>;
    assert.equal(data.status, 'current', 'the first value of the enum');
    assert.deepEqual(data.labels, []);
    assert.equal(data.id, 'preview-1');
  });

  test('CONFLUENCE_ADD_CONTENT_LABEL: one label per label given, each with a preview id', () => {
    const args = {
      id: '98402',
      labels: [
        { prefix: 'global', name: 'weekly-summary' },
        { prefix: 'team', name: 'digest' },
      ],
    };
    const envelope = simulateValid('CONFLUENCE_ADD_CONTENT_LABEL', args, 2);
    assert.deepEqual(envelope.data, [
      { _links: {}, id: 'preview-2', name: 'weekly-summary', prefix: 'global' },
      { _links: {}, id: 'preview-2', name: 'digest', prefix: 'team' },
    ]);
  });

  test('CONFLUENCE_ADD_CONTENT_LABEL: an argument of the wrong type is replaced, not copied', () => {
    const envelope = simulateValid('CONFLUENCE_ADD_CONTENT_LABEL', { id: '1', labels: [{ prefix: 'team', name: 7 }] }, 1);
    assert.deepEqual(envelope.data, [{ _links: {}, id: 'preview-1', name: '', prefix: 'team' }]);
  });

  test('CONFLUENCE_UPDATE_PAGE: a given version object is completed to the shape the output requires', () => {
    const args = { id: '5', spaceId: '1', title: 'P2', version: { number: 2 }, body: { storage: { value: '<p/>' } } };
    const envelope = simulateValid('CONFLUENCE_UPDATE_PAGE', args, 1);
    const data = envelope.data as Record<string, unknown>;
    assert.deepEqual(data.version, { message: '', minorEdit: true, number: 2, when: '' });
    assert.equal(data.id, '5', 'the id given is kept');
    assert.equal(data.title, 'P2');
  });

  test('without an output schema the arguments are echoed with a preview id', () => {
    const envelope = simulateWrite('jira_create_issue', { summary: 'S', id: 'theirs' }, { n: 4, now: NOW });
    assert.deepEqual(envelope.data, { summary: 'S', id: 'preview-4' });
    assert.equal(envelope.simulated, true);
    assert.equal(envelope.note, `${SIMULATED_NOTE} (jira_create_issue)`);
  });

  test('every write and destructive tool of the catalogue simulates to data its output schema accepts', () => {
    const writes = catalogue.tools.filter((t) => t.effect !== 'read');
    assert.ok(writes.length >= 20);
    for (const tool of writes) {
      const args = example(tool.input) as Record<string, unknown>;
      assert.ok(ajv.validate(tool.input, args), `${tool.slug}: the test's example arguments are valid`);
      simulateValid(tool.slug, args, 1);
    }
  });
});

/** The smallest value a schema accepts: required members only, the first enum value, one array item. */
function example(schema: Record<string, any>): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum.find((v: unknown) => v !== null);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  if (type === 'object' || schema.properties) {
    return Object.fromEntries(((schema.required ?? []) as string[]).map((k) => [k, example(schema.properties?.[k] ?? {})]));
  }
  if (type === 'array') return [example(schema.items ?? {})];
  if (type === 'integer' || type === 'number') return 2;
  if (type === 'boolean') return false;
  return 'x';
}
