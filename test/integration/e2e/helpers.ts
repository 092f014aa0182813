/**
 * Plumbing of the end-to-end tests: `runner run` as a child process against the scripted model server and a
 * sandbox, each child with its own temp folder and environment, and readers for what the run left behind.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext } from 'node:test';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, StepRecord, ToolCallRecord } from '../../../src/runs/types.ts';
import { startSandboxWithMcp, type SandboxWithMcp, type SandboxWithMcpOptions } from '../../../src/sandbox/with-mcp.ts';
import {
  startScriptedModelServer,
  type Script,
  type ScriptedModelServer,
  type ScriptedModelServerOptions,
} from '../../../src/testing/scripted-model-server.ts';
import { ROOT, runCli, type CliResult } from '../cli/cli-process.ts';

export { ROOT, looksClean, runCli } from '../cli/cli-process.ts';

/** The example workflows and the e2e fixtures, as absolute paths. */
export const WORKFLOWS = {
  weeklySummary: join(ROOT, 'workflows/weekly-summary.yaml'),
  labelQ3: join(ROOT, 'workflows/label-q3-planning.yaml'),
} as const;

/** An e2e fixture workflow by file name. */
export function fixture(name: string): string {
  return join(ROOT, 'test/fixtures/e2e-workflows', name);
}

/** A schedule slot in ISO week 2026-W48, so titles that carry the week are known in advance. */
export const AT = '2026-11-27T16:00:00+01:00';
/** The ISO week of {@link AT}. */
export const AT_WEEK = '2026-W48';

/** A temp folder per test and the environment its child runs with. */
export interface Workspace {
  dir: string;
  /** RUNNER_DB of the child. */
  dbPath: string;
  /** The child's environment: temp stores, and every setting a developer's shell or `.env` could set blanked out. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Runs `runner ...args` in the repo root with {@link env}(extra). */
  cli(args: readonly string[], extra?: Record<string, string>): Promise<CliResult>;
  /** The run with this id from RUNNER_DB (undefined when absent). */
  run(id: string): Promise<RunRecord | undefined>;
  /** Every run in RUNNER_DB (none when the file does not exist). */
  runs(): Promise<RunRecord[]>;
  /** Removes the folder. */
  remove(): void;
}

/** Creates a workspace; `remove()` it in an after hook. */
export function workspace(prefix: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `runner-e2e-${prefix}-`));
  const dbPath = join(dir, 'runs.db');
  const env = (extra: Record<string, string> = {}) => ({
    // Empty values count as unset for the runner and override a `.env` in the working folder.
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: '',
    RUNNER_OPENAI_API: '',
    RUNNER_MODEL: '',
    RUNNER_BACKEND: '',
    RUNNER_SANDBOX_URL: '',
    RUNNER_SANDBOX_EMAIL: '',
    RUNNER_SANDBOX_TOKEN: '',
    COMPOSIO_API_KEY: '',
    COMPOSIO_BASE_URL: '',
    COMPOSIO_SESSION_PRESET: '',
    COMPOSIO_USER_ID: '',
    RUNNER_TRACING: '',
    RUNNER_MODEL_TIMEOUT: '',
    RUNNER_TOOL_TIMEOUT: '',
    // A developer's REDIS_URL would make `auto` read runs from Redis; these tests read RUNNER_DB.
    REDIS_URL: '',
    RUNNER_STORE: '',
    // No retries unless a test asks: an unexpected model failure must show, not be retried away.
    RUNNER_MODEL_RETRIES: '0',
    RUNNER_DB: dbPath,
    RUNNER_SANDBOX_DB: join(dir, 'sandbox.db'),
    TZ: 'UTC',
    ...extra,
  });
  return {
    dir,
    dbPath,
    env,
    cli: (args, extra) => runCli(args, { env: env(extra) }),
    run: async (id) => (await readRuns(dbPath, (store) => store.get(id).then((r) => (r ? [r] : []))))[0],
    runs: () => readRuns(dbPath, (store) => store.list({ limit: 1000 })),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function readRuns(dbPath: string, read: (store: ReturnType<typeof openSqliteRunStore>) => Promise<RunRecord[]>): Promise<RunRecord[]> {
  if (!existsSync(dbPath)) return [];
  const store = openSqliteRunStore(dbPath);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

/** The run id the summary on stdout names. */
export function runIdOf(stdout: string): string {
  const id = /run id: ([0-9a-f-]{36})/.exec(stdout)?.[1];
  if (!id) throw new Error(`no run id in the output:\n${stdout}`);
  return id;
}

/** The last attempt's steps. */
export function stepsOf(run: RunRecord): StepRecord[] {
  return run.attempts.at(-1)?.steps ?? [];
}

/** Every tool call of the last attempt, in order. */
export function callsOf(run: RunRecord): ToolCallRecord[] {
  return stepsOf(run).flatMap((s) => s.toolCalls);
}

/** A REST client of a sandbox started in the test (Basic auth with its first user). */
export interface SiteClient {
  /** GET a path; answers status and parsed JSON. */
  get(path: string): Promise<{ status: number; json: any }>;
  /** Sends a JSON body. */
  send(method: string, path: string, body: unknown): Promise<{ status: number; json: any }>;
  /** Id of the space with this key. */
  spaceId(key: string): Promise<string>;
  /** Blog posts of a space (id and title), every status but deleted. */
  blogposts(spaceKey: string): Promise<Array<{ id: string; title: string }>>;
  /** Pages of a space with this title. */
  pagesTitled(spaceKey: string, title: string): Promise<Array<{ id: string; title: string; status: string }>>;
}

/** Builds the REST client. */
export function siteClient(sandbox: Pick<SandboxWithMcp, 'url' | 'email' | 'apiToken'>): SiteClient {
  const auth = `Basic ${Buffer.from(`${sandbox.email}:${sandbox.apiToken}`).toString('base64')}`;
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { Authorization: auth, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const client: SiteClient = {
    get: (path) => send('GET', path),
    send,
    async spaceId(key) {
      const { json } = await send('GET', `/wiki/api/v2/spaces?keys=${key}`);
      const id = json?.results?.[0]?.id;
      if (!id) throw new Error(`no space ${key} in the sandbox`);
      return String(id);
    },
    async blogposts(spaceKey) {
      const { json } = await send('GET', `/wiki/api/v2/spaces/${await client.spaceId(spaceKey)}/blogposts?status=current,draft,archived,trashed&limit=250`);
      return (json.results as Array<{ id: string; title: string }>).map(({ id, title }) => ({ id, title }));
    },
    async pagesTitled(spaceKey, title) {
      const { json } = await send('GET', `/wiki/api/v2/spaces/${await client.spaceId(spaceKey)}/pages?title=${encodeURIComponent(title)}&status=any`);
      return (json.results as Array<{ id: string; title: string; status: string }>).map(({ id, title: t, status }) => ({ id, title: t, status }));
    },
  };
  return client;
}

/** Starts a scripted model server for one test; it is closed when the test ends. */
export async function startModel(t: TestContext, script: Script, options: Omit<ScriptedModelServerOptions, 'script'> = {}): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer({ ...options, script });
  t.after(() => server.close());
  return server;
}

/** Starts a seeded sandbox (REST, /mcp, tool router) over a file in `dir`; close it in an after hook. */
export function startSite(dir: string, options: Partial<SandboxWithMcpOptions> = {}): Promise<SandboxWithMcp> {
  return startSandboxWithMcp({ dbPath: join(dir, 'site.db'), port: 0, seed: true, ...options });
}

/** A test file's workspace and seeded sandbox (see {@link siteBed}). */
export interface SiteBed {
  readonly ws: Workspace;
  /** The sandbox, started before the file's first test. */
  readonly site: SandboxWithMcp;
}

/** A workspace and a seeded sandbox for the tests of one file: the sandbox starts before them, both go after them. */
export function siteBed(prefix: string): SiteBed {
  const bed = { ws: workspace(prefix), site: undefined as unknown as SandboxWithMcp };
  before(async () => {
    bed.site = await startSite(bed.ws.dir);
  });
  after(async () => {
    await bed.site?.close();
    bed.ws.remove();
  });
  return bed;
}
