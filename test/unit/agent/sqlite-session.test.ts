import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { Agent, Usage, run, setTracingDisabled, type AgentInputItem, type Model, type ModelRequest, type ModelResponse } from '@openai/agents';
import { SqliteSession, listChatSessions } from '../../../src/agent/sqlite-session.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import { sampleRun } from '../../fixtures/run-record.ts';

let dir: string;
let path: string;
const opened: SqliteSession[] = [];

/** A session on this test's file, closed after the test. */
function session(sessionId: string): SqliteSession {
  const s = new SqliteSession({ path, sessionId });
  opened.push(s);
  return s;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-chat-'));
  path = join(dir, 'db', 'runs.db');
});

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One exchange with a tool call, as the SDK stores it (the SDK calls a function_call_output `function_call_result`). */
const EXCHANGE: AgentInputItem[] = [
  { type: 'message', role: 'user', content: 'Which pages changed in ENG this week?' },
  {
    type: 'function_call',
    callId: 'call_1',
    name: 'CONFLUENCE_SEARCH_CONTENT',
    arguments: JSON.stringify({ cql: 'space = ENG AND lastmodified > now("-7d")' }),
    status: 'completed',
  },
  {
    type: 'function_call_result',
    callId: 'call_1',
    name: 'CONFLUENCE_SEARCH_CONTENT',
    status: 'completed',
    output: { type: 'text', text: '{"results":[{"id":"98310","title":"Release notes"}]}' },
  },
  {
    type: 'message',
    role: 'assistant',
    status: 'completed',
    id: 'msg_1',
    content: [{ type: 'output_text', text: 'One page changed: Release notes.' }],
  },
];

test('items round-trip in order and unchanged', async () => {
  const s = session('chat-1');
  await s.addItems(EXCHANGE.slice(0, 2));
  await s.addItems(EXCHANGE.slice(2));
  await s.addItems([]);
  assert.equal(await s.getSessionId(), 'chat-1');
  assert.deepEqual(await s.getItems(), EXCHANGE);
});

test('limit gives the most recent items, oldest first', async () => {
  const s = session('chat-1');
  await s.addItems(EXCHANGE);
  assert.deepEqual(await s.getItems(2), EXCHANGE.slice(2));
  assert.deepEqual(await s.getItems(10), EXCHANGE);
  assert.deepEqual(await s.getItems(0), []);
});

test('popItem removes and returns the latest item; an empty session pops nothing', async () => {
  const s = session('chat-1');
  await s.addItems(EXCHANGE.slice(0, 2));
  assert.deepEqual(await s.popItem(), EXCHANGE[1]);
  assert.deepEqual(await s.getItems(), EXCHANGE.slice(0, 1));
  assert.deepEqual(await s.popItem(), EXCHANGE[0]);
  assert.equal(await s.popItem(), undefined);
});

test('clearSession forgets the items and the session', async () => {
  const s = session('chat-1');
  await s.addItems(EXCHANGE);
  await s.clearSession();
  assert.deepEqual(await s.getItems(), []);
  assert.deepEqual(listChatSessions(path), []);
});

test('a new instance on the same file sees the history', async () => {
  const first = session('chat-1');
  await first.addItems(EXCHANGE);
  await first.close();
  await first.close();
  assert.deepEqual(await session('chat-1').getItems(), EXCHANGE);
});

test('sessions are isolated from one another', async () => {
  const a = session('a');
  const b = session('b');
  await a.addItems(EXCHANGE.slice(0, 1));
  await b.addItems(EXCHANGE.slice(3));
  await a.addItems(EXCHANGE.slice(1, 2));
  assert.deepEqual(await a.getItems(), EXCHANGE.slice(0, 2));
  assert.deepEqual(await b.getItems(), EXCHANGE.slice(3));
  assert.deepEqual(await b.popItem(), EXCHANGE[3]);
  assert.deepEqual(await a.getItems(), EXCHANGE.slice(0, 2));
  await b.clearSession();
  assert.equal((await a.getItems()).length, 2);
});

test('listChatSessions: id, item count and times, most recently changed first; no file means none', async () => {
  assert.deepEqual(listChatSessions(join(dir, 'absent.db')), []);
  await session('old').addItems(EXCHANGE.slice(0, 1));
  await session('new').addItems(EXCHANGE);
  session('opened-only');
  const listed = listChatSessions(path);
  assert.deepEqual(
    listed.map((s) => [s.id, s.items]),
    [
      ['new', 4],
      ['old', 1],
    ],
  );
  assert.ok(listed.every((s) => !Number.isNaN(Date.parse(s.updatedAt)) && s.createdAt <= s.updatedAt));
});

test('shares a file with the run store', async () => {
  const store = openSqliteRunStore(path);
  try {
    await session('chat').addItems(EXCHANGE);
    await store.save(sampleRun());
    assert.equal((await store.list()).length, 1);
    assert.deepEqual(await session('chat').getItems(), EXCHANGE);
  } finally {
    await store.close();
  }
});

/** A model that always answers with one fixed assistant message and records what it was asked. */
class FixedReplyModel implements Model {
  readonly requests: ModelRequest[] = [];
  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    return {
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          id: `msg_${this.requests.length}`,
          content: [{ type: 'output_text', text: 'Hello from SQLite.' }],
        },
      ],
      usage: new Usage(),
      responseId: `resp_${this.requests.length}`,
    };
  }
  getStreamedResponse(): AsyncIterable<never> {
    throw new Error('not used: the test runs without streaming');
  }
}

test('the SDK replays the stored history on the next run', async () => {
  setTracingDisabled(true);
  const model = new FixedReplyModel();
  const agent = new Agent({ name: 'assistant', instructions: 'Be brief.', model });
  const first = await run(agent, 'hi', { session: session('sdk') });
  assert.equal(first.finalOutput, 'Hello from SQLite.');
  // A second process would open its own session on the file: do the same.
  const second = await run(agent, 'hi again', { session: session('sdk') });
  assert.equal(second.finalOutput, 'Hello from SQLite.');

  const input = model.requests[1]!.input as AgentInputItem[];
  const texts = input.map((item) => {
    if (!('role' in item)) return item.type;
    const content = item.content;
    return `${item.role}: ${typeof content === 'string' ? content : content.map((c) => ('text' in c ? c.text : c.type)).join('')}`;
  });
  assert.deepEqual(texts, ['user: hi', 'assistant: Hello from SQLite.', 'user: hi again']);
  assert.equal((await session('sdk').getItems()).length, 4);
});
