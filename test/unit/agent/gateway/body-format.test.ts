import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ToolGateway } from '../../../../src/agent/gateway/index.ts';
import type { ToolBackend } from '../../../../src/backends/types.ts';
import { RunEvents } from '../../../../src/runs/events.ts';
import type { ToolCallRecord } from '../../../../src/runs/types.ts';
import { createToolAccess } from '../../../../src/toolkit/access.ts';
import { confluenceCatalogue } from '../../../../src/toolkit/catalogue.ts';
import type { BackendTool } from '../../../../src/toolkit/types.ts';

const catalogue = confluenceCatalogue();
const ALLOW = ['CONFLUENCE_GET_PAGE_BY_ID', 'CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_UPDATE_BLOGPOST'];

/** A gateway over a backend that answers every call and remembers its arguments. */
function gatewayOf(bodyFormat?: 'markdown' | 'storage') {
  const sent: Array<{ tool: string; args: Record<string, unknown> }> = [];
  const tools: BackendTool[] = ALLOW.map((slug) => ({ name: slug, description: '', inputSchema: catalogue.get(slug)!.input }));
  const backend: ToolBackend = {
    name: 'test',
    router: false,
    tools,
    async call(tool, args) {
      sent.push({ tool, args });
      return { data: { id: '1' }, error: null, successful: true };
    },
    async close() {},
  };
  const records: ToolCallRecord[] = [];
  const events = new RunEvents();
  events.on('tool_end', ({ call }) => records.push(call));
  const gateway = new ToolGateway({
    backend,
    access: createToolAccess({ allow: ALLOW, catalogue }),
    catalogue,
    timeoutMs: 5_000,
    recordResultChars: 4_000,
    events,
    bodyFormat,
  });
  return { gateway, sent, records };
}

const model = { step: 's', turn: 1 };

test('markdown: a model-written body is converted, in every body shape; the record keeps the Markdown and a note', async () => {
  const { gateway, sent, records } = gatewayOf('markdown');
  await gateway.call('CONFLUENCE_CREATE_PAGE', { spaceId: '1', title: 't', body: { storage: { value: '*hi*' } } }, model);
  await gateway.call(
    'CONFLUENCE_UPDATE_BLOGPOST',
    { id: '2', spaceId: '1', title: 't', body: { representation: 'storage', value: '# h' }, version: { number: 2 } },
    model,
  );
  assert.deepEqual(sent[0]!.args.body, { storage: { value: '<p><em>hi</em></p>' } });
  assert.deepEqual(sent[1]!.args.body, { representation: 'storage', value: '<h1>h</h1>' });
  assert.deepEqual(
    records.map((r) => [r.markdown, (r.args as { body: unknown }).body, r.note]),
    [
      ['*hi*', { storage: { value: '<p><em>hi</em></p>' } }, 'the body was written in Markdown; the runner sent it converted to storage format'],
      ['# h', { representation: 'storage', value: '<h1>h</h1>' }, 'the body was written in Markdown; the runner sent it converted to storage format'],
    ],
  );
});

test('markdown: a tool step body (no model turn) is storage, and a read is untouched', async () => {
  const { gateway, sent, records } = gatewayOf('markdown');
  await gateway.call('CONFLUENCE_CREATE_PAGE', { spaceId: '1', title: 't', body: { storage: { value: '<p>x</p>' } } }, { step: 'tool' });
  await gateway.call('CONFLUENCE_CREATE_PAGE', { spaceId: '1', title: 't', body: { storage: { value: '*not markdown here*' } } }, { step: 'tool' });
  await gateway.call('CONFLUENCE_GET_PAGE_BY_ID', { id: '5' }, model);
  assert.deepEqual(
    sent.map((s) => s.args),
    [
      { spaceId: '1', title: 't', body: { storage: { value: '<p>x</p>' } } },
      { spaceId: '1', title: 't', body: { storage: { value: '*not markdown here*' } } },
      { id: '5' },
    ],
  );
  assert.deepEqual(
    records.map((r) => [r.markdown, r.note]),
    [
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
    ],
  );
});

test('storage (the default): a malformed body is repaired before it is sent, and the record says what was done', async () => {
  const { gateway, sent, records } = gatewayOf();
  await gateway.call('CONFLUENCE_CREATE_PAGE', { spaceId: '1', title: 't', body: { storage: { value: '<p>R&D<br></p>' } } }, model);
  await gateway.call('CONFLUENCE_CREATE_PAGE', { spaceId: '1', title: 't', body: { storage: { value: '# stays' } } }, model);
  assert.deepEqual(sent[0]!.args.body, { storage: { value: '<p>R&amp;D<br /></p>' } });
  assert.deepEqual(sent[1]!.args.body, { storage: { value: '# stays' } });
  assert.equal(records[0]!.note, 'the storage body was not well-formed XML; the runner escaped a stray &, self-closed <br>');
  assert.equal(records[0]!.markdown, undefined);
  assert.equal(records[1]!.note, undefined);
});
