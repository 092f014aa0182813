import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CallContext, type GatewayJournal, type GatewayOptions, ToolGateway } from '../../../../src/agent/gateway/index.ts';
import { journalKey } from '../../../../src/agent/journal-key.ts';
import { writeIdentity } from '../../../../src/toolkit/writes.ts';
import { SIMULATED_NOTE } from '../../../../src/agent/simulate.ts';
import type { ToolBackend } from '../../../../src/backends/types.ts';
import { RunEvents, type RunEvent, type RunEventMap } from '../../../../src/runs/events.ts';
import { guardStore } from '../../../../src/runs/guarded-store.ts';
import { openSqliteRunStore } from '../../../../src/runs/sqlite-store.ts';
import type { JournalEntry, RunStore, ToolCallRecord } from '../../../../src/runs/types.ts';
import { createRedactor } from '../../../../src/shared/redact.ts';
import { SecretRegistry } from '../../../../src/shared/secrets.ts';
import { createToolAccess } from '../../../../src/toolkit/access.ts';
import { confluenceCatalogue } from '../../../../src/toolkit/catalogue.ts';
import type { BackendTool, ToolEnvelope } from '../../../../src/toolkit/types.ts';

const catalogue = confluenceCatalogue();
const SECRET = 'sk-secret-0123456789';
const ALLOW = ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_PAGE_BY_ID', 'CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_CREATE_BLOGPOST', 'CONFLUENCE_DELETE_PAGE'];
const REFUSED = { kind: 'validation', retryable: false } as const;

type Handler = (tool: string, args: Record<string, unknown>, signal?: AbortSignal) => Promise<ToolEnvelope>;

/** A backend offering catalogue tools, answering with `handler` and remembering every call it got. */
function backendOf(
  handler: Handler,
  slugs: readonly string[] = ALLOW,
): ToolBackend & { calls: Array<{ tool: string; args: Record<string, unknown>; signal?: AbortSignal }> } {
  const calls: Array<{ tool: string; args: Record<string, unknown>; signal?: AbortSignal }> = [];
  const tools: BackendTool[] = slugs.map((slug) => ({ name: slug, description: catalogue.get(slug)!.description, inputSchema: catalogue.get(slug)!.input }));
  return {
    name: 'test',
    router: false,
    tools,
    calls,
    async call(tool, args, options) {
      calls.push({ tool, args, signal: options?.signal });
      return handler(tool, args, options?.signal);
    },
    async close() {},
  };
}

const ok = (data: unknown): ToolEnvelope => ({ data, error: null, successful: true });
const echo: Handler = async (tool, args) => ok({ tool, id: '4242', title: args.title ?? null, _links: { webui: '/x' } });

let dir: string;
let raw: RunStore;
/** The store as the engine writes to it: guarded, so journal entries are redacted on their way in. */
let store: RunStore;
let runCounter = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gateway-'));
  raw = openSqliteRunStore(join(dir, 'runs.db'));
  store = guardStore(raw, new SecretRegistry([SECRET]));
});
after(async () => {
  await raw.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The run's journal as the engine builds it: a map read once, written through to the guarded SQLite store. */
async function journalFor(runId: string): Promise<GatewayJournal> {
  const byKey = new Map((await store.journal(runId)).map((e) => [e.key, e]));
  return {
    find: (key) => byKey.get(key),
    add: async (entry) => {
      byKey.set(entry.key, entry);
      await store.addJournal(runId, entry);
    },
  };
}

/**
 * A gateway over `backend` wired like the engine's (events and gateway redacting with the same secrets), collecting
 * the records of `tool_end` events and every event in order.
 */
function gatewayOf(backend: ToolBackend, options: Partial<GatewayOptions> = {}) {
  const events = options.events ?? new RunEvents({ redact: createRedactor([SECRET]) });
  const records: ToolCallRecord[] = [];
  const ends: Array<RunEventMap['tool_end']> = [];
  const seen: RunEvent[] = [];
  events.on('tool_end', (event) => {
    records.push(event.call);
    ends.push(event);
  });
  events.onAny((event) => seen.push(event));
  const gateway = new ToolGateway({
    backend,
    access: createToolAccess({ allow: ALLOW, allowDestructive: false, catalogue }),
    catalogue,
    preview: false,
    timeoutMs: 5_000,
    recordResultChars: 4_000,
    redact: createRedactor([SECRET]),
    ...options,
    events,
  });
  return { gateway, records, ends, seen };
}

const at: CallContext = { step: 'work', turn: 2 };
const PAGE = { spaceId: '98307', title: 'Minutes', body: { storage: { value: '<p>hello</p>' } } };

describe('refusals', () => {
  test('a tool outside tools.allow never reaches the backend, and the refusal lists the allowed tools', async () => {
    const backend = backendOf(echo, [...ALLOW, 'CONFLUENCE_GET_PAGES']);
    const { gateway, records, ends } = gatewayOf(backend);
    const envelope = await gateway.call('CONFLUENCE_GET_PAGES', { limit: 1 }, at);
    const reason =
      "CONFLUENCE_GET_PAGES is not in this workflow's tools.allow; allowed tools: CONFLUENCE_GET_SPACES, CONFLUENCE_GET_PAGE_BY_ID, CONFLUENCE_CREATE_PAGE, CONFLUENCE_CREATE_BLOGPOST";
    assert.deepEqual(envelope, { data: null, error: `Refused by the runner: ${reason}. The call was not executed.`, successful: false, failure: REFUSED });
    assert.equal(backend.calls.length, 0);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.status, 'refused');
    assert.equal(records[0]!.effect, 'read');
    assert.equal(records[0]!.error, envelope.error);
    assert.equal(records[0]!.result, undefined);
    assert.deepEqual(ends[0]!.links, []);
    assert.equal(ends[0]!.step, 'work');
  });

  test('a destructive tool in tools.allow is refused without allow_destructive', async () => {
    const backend = backendOf(echo);
    const { gateway, records } = gatewayOf(backend);
    const envelope = await gateway.call('CONFLUENCE_DELETE_PAGE', { id: '1' }, at);
    assert.match(
      envelope.error!,
      /^Refused by the runner: CONFLUENCE_DELETE_PAGE is destructive and this workflow does not set tools\.allow_destructive; allowed tools: /,
    );
    assert.deepEqual(envelope.failure, REFUSED, 'a refusal is not worth retrying');
    assert.equal(backend.calls.length, 0);
    assert.deepEqual(
      records.map((r) => [r.status, r.effect]),
      [['refused', 'destructive']],
    );
  });

  test('invalid arguments are refused with every ajv problem, naming paths and unexpected keys', async () => {
    const backend = backendOf(echo);
    const { gateway, records } = gatewayOf(backend);
    const envelope = await gateway.call('CONFLUENCE_GET_PAGE_BY_ID', { id: 5, draft: 'yes', colour: 'red' }, at);
    assert.equal(
      envelope.error,
      'Refused by the runner: invalid arguments for CONFLUENCE_GET_PAGE_BY_ID: ' +
        "(arguments) must NOT have additional properties 'colour'; /draft must be boolean,null; /id must be string. The call was not executed.",
    );
    assert.deepEqual(envelope.failure, REFUSED);
    const missing = await gateway.call('CONFLUENCE_CREATE_PAGE', { spaceId: '1' }, at);
    assert.equal(
      missing.error,
      'Refused by the runner: invalid arguments for CONFLUENCE_CREATE_PAGE: ' +
        "(arguments) must have required property 'body'; (arguments) must have required property 'title'. The call was not executed.",
    );
    assert.deepEqual(missing.failure, REFUSED);
    assert.equal(backend.calls.length, 0);
    assert.deepEqual(
      records.map((r) => [r.tool, r.status, r.effect]),
      [
        ['CONFLUENCE_GET_PAGE_BY_ID', 'refused', 'read'],
        ['CONFLUENCE_CREATE_PAGE', 'refused', 'write'],
      ],
    );
    assert.deepEqual(records[0]!.args, { id: 5, draft: 'yes', colour: 'red' }, 'what the model sent is recorded');
  });

  test("the catalogue's schema validates tools the backend lists without one", async () => {
    const backend = backendOf(echo);
    (backend.tools as BackendTool[]).splice(0, backend.tools.length);
    const { gateway } = gatewayOf(backend);
    const envelope = await gateway.call('CONFLUENCE_GET_PAGE_BY_ID', {}, at);
    assert.match(envelope.error!, /invalid arguments for CONFLUENCE_GET_PAGE_BY_ID: \(arguments\) must have required property 'id'/);
    assert.equal(backend.calls.length, 0);
  });

  test('access is bound to the backend: unavailableReason explains a tool the model was not offered', () => {
    const { gateway } = gatewayOf(backendOf(echo));
    assert.deepEqual(
      gateway.access.offered().map((t) => t.name),
      ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_PAGE_BY_ID', 'CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_CREATE_BLOGPOST'],
    );
    assert.equal(
      gateway.access.unavailableReason('CONFLUENCE_GET_PAGES'),
      "CONFLUENCE_GET_PAGES is not in this workflow's tools.allow; allowed tools: CONFLUENCE_GET_SPACES, CONFLUENCE_GET_PAGE_BY_ID, CONFLUENCE_CREATE_PAGE, CONFLUENCE_CREATE_BLOGPOST",
    );
    const bare = gatewayOf(backendOf(echo, ['CONFLUENCE_GET_SPACES'])).gateway;
    assert.equal(
      bare.access.unavailableReason('CONFLUENCE_CREATE_PAGE'),
      'CONFLUENCE_CREATE_PAGE is not offered by the test backend; allowed tools: CONFLUENCE_GET_SPACES',
    );
  });

  test('refuseUnavailable records a refusal of a tool the model was never offered, without the backend', () => {
    const backend = backendOf(echo, ['CONFLUENCE_GET_SPACES']);
    const { gateway, records, ends } = gatewayOf(backend, { now: () => new Date('2025-03-07T15:00:00Z') });
    const envelope = gateway.refuseUnavailable('CONFLUENCE_CREATE_PAGE', { title: `t ${SECRET}` }, { step: 'draft', turn: 3 });
    const error =
      'Refused by the runner: CONFLUENCE_CREATE_PAGE is not offered by the test backend; allowed tools: CONFLUENCE_GET_SPACES. The call was not executed.';
    assert.deepEqual(envelope, { data: null, error, successful: false, failure: REFUSED });
    assert.equal(backend.calls.length, 0);
    assert.deepEqual(records, [
      {
        tool: 'CONFLUENCE_CREATE_PAGE',
        effect: 'write',
        args: { title: 't [redacted]' },
        status: 'refused',
        error,
        failure: REFUSED,
        turn: 3,
        startedAt: '2025-03-07T15:00:00.000Z',
        durationMs: 0,
      },
    ]);
    assert.equal(ends[0]!.step, 'draft');
    const denied = gateway.refuseUnavailable('CONFLUENCE_DELETE_PAGE', {}, { step: 'draft' });
    assert.equal(
      denied.error,
      'Refused by the runner: CONFLUENCE_DELETE_PAGE is destructive and this workflow does not set tools.allow_destructive; ' +
        'allowed tools: CONFLUENCE_GET_SPACES. The call was not executed.',
      'a denied tool gives the denial, not the backend',
    );
    assert.deepEqual(denied.failure, REFUSED);
  });
});

describe('the write journal', () => {
  test('a second identical write returns the journaled envelope without reaching the backend, whatever the key order', async () => {
    const runId = `run-${++runCounter}`;
    const backend = backendOf(echo);
    const { gateway, records } = gatewayOf(backend, { journal: await journalFor(runId), attempt: 2 });
    const first = await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, { step: 'publish', turn: 1 });
    assert.equal(first.successful, true);
    assert.equal(backend.calls.length, 1);

    const reordered = { body: { storage: { value: '<p>hello</p>' } }, title: 'Minutes', spaceId: '98307' };
    const second = await gateway.call('CONFLUENCE_CREATE_PAGE', reordered, { step: 'publish', turn: 3 });
    assert.deepEqual(second, first);
    assert.equal(backend.calls.length, 1, 'the journal answered');
    assert.deepEqual(
      records.map((r) => r.status),
      ['ok', 'journaled'],
    );
    assert.equal(records[1]!.note, 'already done in attempt 2');
    assert.deepEqual(records[1]!.result, first.data);

    const stored = await store.journal(runId);
    assert.equal(stored.length, 1);
    const entry = stored[0] as JournalEntry;
    assert.equal(entry.key, journalKey('CONFLUENCE_CREATE_PAGE', writeIdentity('CONFLUENCE_CREATE_PAGE', PAGE)));
    assert.equal(entry.state, 'done');
    assert.deepEqual([entry.tool, entry.attempt, entry.step], ['CONFLUENCE_CREATE_PAGE', 2, 'publish']);
    assert.deepEqual(entry.result, first);
  });

  test('a later attempt with a fresh gateway finds the write in the stored journal', async () => {
    const runId = `run-${++runCounter}`;
    const one = backendOf(echo);
    await gatewayOf(one, { journal: await journalFor(runId), attempt: 1 }).gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    const two = backendOf(echo);
    const { gateway, records } = gatewayOf(two, { journal: await journalFor(runId), attempt: 2 });
    const envelope = await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    assert.equal(envelope.successful, true);
    assert.equal(two.calls.length, 0);
    assert.equal(records[0]!.note, 'already done in attempt 1');
  });

  test('reads, writes the site refused and different writes are not answered from the journal', async () => {
    const runId = `run-${++runCounter}`;
    let fail = true;
    const backend = backendOf(async (tool, args) =>
      tool === 'CONFLUENCE_CREATE_PAGE' && fail
        ? { data: null, error: 'HTTP 400', successful: false, failure: { kind: 'tool', retryable: false, status: 400 } }
        : echo(tool, args),
    );
    const { gateway, records } = gatewayOf(backend, { journal: await journalFor(runId) });
    await gateway.call('CONFLUENCE_GET_SPACES', { limit: 1 }, at);
    await gateway.call('CONFLUENCE_GET_SPACES', { limit: 1 }, at);
    await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    fail = false;
    await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    await gateway.call('CONFLUENCE_CREATE_PAGE', { ...PAGE, title: 'Other' }, at);
    assert.equal(backend.calls.length, 5);
    assert.deepEqual(
      records.map((r) => r.status),
      ['ok', 'ok', 'error', 'ok', 'ok'],
    );
    assert.deepEqual(
      (await store.journal(runId)).map((e) => e.state),
      ['done', 'done'],
      'the refused write was journaled failed, then done when it succeeded; the other title is its own entry',
    );
  });

  test('the stored journal keeps arguments redacted, and a later attempt still recognises the write', async () => {
    const runId = `run-${++runCounter}`;
    const args = { ...PAGE, title: `token ${SECRET}` };
    await gatewayOf(backendOf(echo), { journal: await journalFor(runId) }).gateway.call('CONFLUENCE_CREATE_PAGE', args, at);
    const [entry] = await raw.journal(runId);
    assert.equal((entry!.args as { title: string }).title, 'token [redacted]');
    assert.equal(JSON.stringify(entry).includes(SECRET), false, 'nor does the stored result hold it');
    const again = backendOf(echo);
    const { gateway, records } = gatewayOf(again, { journal: await journalFor(runId), attempt: 2 });
    await gateway.call('CONFLUENCE_CREATE_PAGE', args, at);
    assert.equal(again.calls.length, 0, 'the key is of the real arguments');
    assert.equal(records[0]!.status, 'journaled');
  });
});

describe('preview', () => {
  test('writes are simulated without calling the backend; reads still run', async () => {
    const backend = backendOf(echo);
    const runId = `run-${++runCounter}`;
    const { gateway, records } = gatewayOf(backend, { preview: true, journal: await journalFor(runId), now: () => new Date('2025-03-07T15:00:00Z') });
    const read = await gateway.call('CONFLUENCE_GET_SPACES', { limit: 1 }, at);
    assert.equal(read.successful, true);
    const write = await gateway.call(
      'CONFLUENCE_CREATE_BLOGPOST',
      { spaceId: '1', title: 'Post', status: 'current', body: { representation: 'storage', value: '<p/>' } },
      at,
    );
    const again = await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    // No write reaches the backend; the preview checks read each create's space (precheck.ts).
    assert.deepEqual(
      backend.calls.map((c) => c.tool),
      ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_SPACE_BY_ID', 'CONFLUENCE_GET_SPACE_BY_ID'],
    );
    assert.equal(write.successful, true);
    assert.equal((write as ToolEnvelope & { simulated?: boolean }).simulated, true);
    assert.equal((write as ToolEnvelope & { note?: string }).note, `${SIMULATED_NOTE} (CONFLUENCE_CREATE_BLOGPOST)`);
    const post = write.data as Record<string, unknown>;
    assert.deepEqual([post.id, post.title, post.createdAt], ['preview-1', 'Post', '2025-03-07T15:00:00.000Z']);
    assert.equal((again.data as Record<string, unknown>).id, 'preview-2', 'simulated ids count up');
    assert.deepEqual(
      records.map((r) => [r.tool, r.status]),
      [
        ['CONFLUENCE_GET_SPACES', 'ok'],
        ['CONFLUENCE_CREATE_BLOGPOST', 'simulated'],
        ['CONFLUENCE_CREATE_PAGE', 'simulated'],
      ],
    );
    assert.deepEqual(records[1]!.result, post);
    assert.deepEqual(await store.journal(runId), [], 'simulated writes are not journaled');
  });

  test('a write already journaled is answered from the journal, not simulated', async () => {
    const runId = `run-${++runCounter}`;
    await gatewayOf(backendOf(echo), { journal: await journalFor(runId) }).gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    const { gateway, records } = gatewayOf(backendOf(echo), { preview: true, journal: await journalFor(runId), attempt: 2 });
    const envelope = await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    assert.equal((envelope.data as { id: string }).id, '4242');
    assert.equal(records[0]!.status, 'journaled');
  });
});

describe('timeouts and cancellation', () => {
  const never: Handler = () => new Promise<ToolEnvelope>(() => {});

  test('a backend call that never answers ends with a retryable timeout envelope naming the limit', async () => {
    const backend = backendOf(never);
    const { gateway, records } = gatewayOf(backend, { timeoutMs: 5 });
    const envelope = await gateway.call('CONFLUENCE_GET_SPACES', {}, at);
    assert.deepEqual(envelope, {
      data: null,
      error: 'CONFLUENCE_GET_SPACES timed out after 5ms',
      successful: false,
      failure: { kind: 'tool', retryable: true },
    });
    assert.deepEqual(
      records.map((r) => [r.status, r.error]),
      [['error', 'CONFLUENCE_GET_SPACES timed out after 5ms']],
    );
    assert.equal(backend.calls[0]!.signal?.aborted, true, 'the backend is told to give up');
  });

  test("aborting the run's signal ends a pending write as cancelled, and says it will be checked, not repeated", async () => {
    const backend = backendOf(never);
    const { gateway, records } = gatewayOf(backend);
    const controller = new AbortController();
    const pending = gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, { step: 'publish', signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(backend.calls.length, 1);
    controller.abort();
    const cancelled = 'CONFLUENCE_CREATE_PAGE was cancelled; whether it landed is checked before anything is repeated';
    assert.deepEqual(await pending, { data: null, error: cancelled, successful: false, failure: { kind: 'cancelled', retryable: false } });
    assert.equal(backend.calls[0]!.signal?.aborted, true);
    assert.deepEqual(
      records.map((r) => [r.status, r.error]),
      [['error', cancelled]],
    );
  });

  test('a call made after the run was cancelled does not reach the backend', async () => {
    const backend = backendOf(echo);
    const { gateway } = gatewayOf(backend);
    const envelope = await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, { step: 'publish', signal: AbortSignal.abort() });
    assert.deepEqual(envelope, {
      data: null,
      error: 'CONFLUENCE_CREATE_PAGE was cancelled',
      successful: false,
      failure: { kind: 'cancelled', retryable: false },
    });
    assert.equal(backend.calls.length, 0);
  });

  test("a backend's own failure envelope passes through unchanged, and is recorded as an error", async () => {
    const failed: ToolEnvelope = { data: null, error: 'page 9 not found (404)', successful: false, failure: { kind: 'tool', retryable: false, status: 404 } };
    const { gateway, records } = gatewayOf(backendOf(async () => failed));
    assert.deepEqual(await gateway.call('CONFLUENCE_GET_PAGE_BY_ID', { id: '9' }, at), failed);
    assert.deepEqual(
      records.map((r) => [r.status, r.error]),
      [['error', 'page 9 not found (404)']],
    );
  });
});

describe('records', () => {
  test('secrets are redacted from arguments, results and errors in records; the caller gets the full result', async () => {
    const backend = backendOf(async (tool, args) =>
      tool === 'CONFLUENCE_GET_SPACES'
        ? ok({ token: 'server-token-value', note: `echo ${String(args.label ?? '')}` })
        : { data: null, error: `401 for key ${SECRET}`, successful: false },
    );
    const { gateway, records, seen } = gatewayOf(backend);
    const answered = await gateway.call('CONFLUENCE_GET_SPACES', { label: [`k=${SECRET}`] }, at);
    await gateway.call('CONFLUENCE_GET_PAGE_BY_ID', { id: SECRET }, at);
    assert.deepEqual(records[0]!.args, { label: ['k=[redacted]'] });
    assert.deepEqual(records[0]!.result, { token: '[redacted]', note: 'echo k=[redacted]' });
    assert.deepEqual(answered.data, { token: 'server-token-value', note: `echo k=${SECRET}` }, 'the unredacted data for the engine');
    assert.deepEqual(records[1]!.args, { id: '[redacted]' });
    assert.equal(records[1]!.error, '401 for key [redacted]');
    assert.equal(JSON.stringify(seen).includes(SECRET), false, 'no event, start or end, carries the secret');
    assert.equal(backend.calls[1]!.args.id, SECRET, 'the backend gets the real arguments');
  });

  test('a secret inside a long result is masked even where the record cuts it in the middle', async () => {
    const head = 'a'.repeat(50);
    const big = { text: `${head}${SECRET}${'b'.repeat(200)}` };
    // `{"text":"` is 9 characters: cut 5 characters into the secret.
    const limit = 9 + head.length + 5;
    // Listeners without a redactor of their own: only the gateway's redaction stands between the secret and the record.
    const plain = gatewayOf(
      backendOf(async () => ok(big)),
      { recordResultChars: limit, events: new RunEvents() },
    );
    const envelope = await plain.gateway.call('CONFLUENCE_GET_SPACES', {}, at);
    assert.deepEqual(envelope.data, big, 'the caller gets everything');
    const record = plain.records[0]!;
    assert.equal(record.truncated, true);
    assert.equal(record.result, `{"text":"${head}[reda…`);
    assert.equal(String(record.result).includes(SECRET.slice(0, 5)), false, 'not even the start of the secret');

    // The control: cutting first (no gateway redaction) leaves a prefix no later redactor can recognise.
    const late = gatewayOf(
      backendOf(async () => ok(big)),
      { recordResultChars: limit, redact: createRedactor([]), events: new RunEvents({ redact: createRedactor([SECRET]) }) },
    );
    await late.gateway.call('CONFLUENCE_GET_SPACES', {}, at);
    assert.equal(late.records[0]!.result, `{"text":"${head}${SECRET.slice(0, 5)}…`);
  });

  test('results longer than recordResultChars are truncated and flagged', async () => {
    const big = { text: 'z'.repeat(500) };
    const { gateway, records } = gatewayOf(
      backendOf(async () => ok(big)),
      { recordResultChars: 40 },
    );
    const envelope = await gateway.call('CONFLUENCE_GET_SPACES', {}, at);
    assert.deepEqual(envelope.data, big, 'the caller gets everything');
    assert.equal(records[0]!.truncated, true);
    assert.equal(records[0]!.result, `${JSON.stringify(big).slice(0, 40)}…`);
    const small = gatewayOf(
      backendOf(async () => ok({ a: 1 })),
      { recordResultChars: 40 },
    );
    await small.gateway.call('CONFLUENCE_GET_SPACES', {}, at);
    assert.equal(small.records[0]!.truncated, undefined);
    assert.deepEqual(small.records[0]!.result, { a: 1 });
  });

  test('start time, duration, turn and via come from the clock and the call context', async () => {
    let tick = 0;
    const clock = () => new Date(Date.UTC(2025, 0, 1, 12, 0, 0, tick++ * 7));
    const { gateway, records } = gatewayOf(backendOf(echo), { now: clock });
    await gateway.call('CONFLUENCE_GET_SPACES', {}, { step: 's', turn: 4, via: 'COMPOSIO_MULTI_EXECUTE_TOOL' });
    await gateway.call('CONFLUENCE_GET_SPACES', {}, { step: 's' });
    assert.deepEqual(
      records.map((r) => ({ startedAt: r.startedAt, durationMs: r.durationMs, turn: r.turn, via: r.via })),
      [
        { startedAt: '2025-01-01T12:00:00.000Z', durationMs: 7, turn: 4, via: 'COMPOSIO_MULTI_EXECUTE_TOOL' },
        { startedAt: '2025-01-01T12:00:00.014Z', durationMs: 7, turn: undefined, via: undefined },
      ],
    );
    assert.equal('turn' in records[1]!, false, 'absent, not undefined, for tool steps');
    assert.equal('via' in records[1]!, false);
  });

  test('tool_start comes before the backend call and tool_end after it, once per call', async () => {
    const order: string[] = [];
    const backend = backendOf(async (tool, args) => {
      order.push(`backend ${tool}`);
      return echo(tool, args);
    });
    const events = new RunEvents();
    events.on('tool_start', ({ tool, args, step, turn }) => order.push(`start ${tool} ${JSON.stringify(args)} ${step} ${turn}`));
    events.on('tool_end', ({ call, step }) => order.push(`end ${call.tool} ${call.status} ${step}`));
    const { gateway, seen } = gatewayOf(backend, { events });
    await gateway.call('CONFLUENCE_GET_SPACES', { limit: 1 }, at);
    await gateway.call('CONFLUENCE_GET_PAGES', {}, at);
    assert.deepEqual(order, [
      'start CONFLUENCE_GET_SPACES {"limit":1} work 2',
      'backend CONFLUENCE_GET_SPACES',
      'end CONFLUENCE_GET_SPACES ok work',
      'start CONFLUENCE_GET_PAGES {} work 2',
      'end CONFLUENCE_GET_PAGES refused work',
    ]);
    assert.deepEqual(seen[0], { type: 'tool_start', step: 'work', tool: 'CONFLUENCE_GET_SPACES', args: { limit: 1 }, turn: 2, via: undefined });
  });

  test('the record shows the arguments the backend got and the data it answered', async () => {
    const backend = backendOf(echo);
    const { gateway, records } = gatewayOf(backend);
    const envelope = await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    assert.deepEqual(backend.calls[0]!.args, PAGE);
    assert.deepEqual(records[0]!.args, PAGE);
    assert.deepEqual(records[0]!.result, envelope.data);
    assert.equal(records[0]!.effect, 'write');
    assert.equal(records[0]!.turn, 2);
    assert.equal(records[0]!.error, undefined);
  });

  test('tool_end carries web links found in the data of successful writes only', async () => {
    const answers: Record<string, unknown> = {
      CONFLUENCE_CREATE_PAGE: { id: '1', webUrl: 'https://site/wiki/spaces/TEAM/pages/1' },
      CONFLUENCE_CREATE_BLOGPOST: [
        { id: 'b1', _links: { base: 'https://site/wiki', webui: '/spaces/TEAM/blog/b1' } },
        { id: 'b2', _links: { webui: '/spaces/TEAM/blog/b2' } },
        'not an object',
      ],
      CONFLUENCE_GET_PAGE_BY_ID: { id: '2', webUrl: 'https://site/read-only' },
    };
    let fail = false;
    const backend = backendOf(async (tool) => (fail ? { data: { webUrl: 'https://site/failed' }, error: 'HTTP 500', successful: false } : ok(answers[tool])));
    const { gateway, ends } = gatewayOf(backend);
    await gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    await gateway.call('CONFLUENCE_CREATE_BLOGPOST', { spaceId: '1', title: 'P', status: 'current', body: { representation: 'storage', value: '<p/>' } }, at);
    await gateway.call('CONFLUENCE_GET_PAGE_BY_ID', { id: '2' }, at);
    fail = true;
    await gateway.call('CONFLUENCE_CREATE_PAGE', { ...PAGE, title: 'Failed' }, at);
    assert.deepEqual(
      ends.map((e) => e.links),
      [['https://site/wiki/spaces/TEAM/pages/1'], ['https://site/wiki/spaces/TEAM/blog/b1', '/spaces/TEAM/blog/b2'], [], []],
    );
    const preview = gatewayOf(backendOf(echo), { preview: true });
    await preview.gateway.call('CONFLUENCE_CREATE_PAGE', PAGE, at);
    assert.deepEqual(preview.ends[0]!.links, [], 'a simulated write changed nothing');
  });
});

describe('hosted calls', () => {
  test('recordHosted records a call the provider ran, with its effect, redacted and cut to size, without the backend', () => {
    const backend = backendOf(echo);
    const { gateway, records, ends } = gatewayOf(backend, { recordResultChars: 40, now: () => new Date('2025-03-07T15:00:00Z') });
    gateway.recordHosted({ name: 'CONFLUENCE_CREATE_PAGE', args: { title: SECRET }, output: { id: '7', webUrl: 'https://site/7' }, turn: 1 }, 'publish');
    gateway.recordHosted({ name: 'confluence_search', args: undefined, output: { text: 'x'.repeat(100) }, error: `denied ${SECRET}`, turn: 2 }, 'publish');
    assert.equal(backend.calls.length, 0);
    assert.deepEqual(records[0], {
      tool: 'CONFLUENCE_CREATE_PAGE',
      effect: 'write',
      args: { title: '[redacted]' },
      status: 'hosted',
      result: { id: '7', webUrl: 'https://site/7' },
      turn: 1,
      startedAt: '2025-03-07T15:00:00.000Z',
      durationMs: 0,
    });
    assert.deepEqual(
      [records[1]!.tool, records[1]!.effect, records[1]!.args, records[1]!.status, records[1]!.error, records[1]!.truncated, records[1]!.turn],
      ['confluence_search', 'unknown', {}, 'hosted', 'denied [redacted]', true, 2],
    );
    assert.deepEqual(
      ends.map((e) => [e.step, e.links]),
      [
        ['publish', []],
        ['publish', []],
      ],
      'a hosted write was not seen to succeed by the runner: no links',
    );
  });
});
