/**
 * Runs the cases of workflow test files, each in isolation: a temp folder, its own seeded sandbox (temp SQLite)
 * with the case's pages, its own run store, a scripted model server, and the real engine (`runWorkflow`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type RunnerConfig } from '../../config/config.ts';
import { runWorkflow } from '../../engine/run-workflow.ts';
import { openSqliteRunStore } from '../../runs/sqlite-store.ts';
import { type SandboxWithMcp, startSandboxWithMcp } from '../../sandbox/with-mcp.ts';
import { markdownToStorage } from '../../toolkit/markdown.ts';
import type { TestCase, TestPage, WorkflowTestFile } from '../../workflow/test-file.ts';
import { startScriptedModelServer } from '../scripted-model-server.ts';
import { type FoundContent, failedExpectations } from './expectations.ts';
import { caseScript } from './turn-script.ts';

/** The outcome of one case. */
export interface CaseResult {
  /** The test file. */
  file: string;
  /** The case's name. */
  name: string;
  passed: boolean;
  /** Every failed expectation, as `expected X, got Y` (or why the case could not run). */
  failures: string[];
  /** The run's id, when the run started. */
  runId?: string;
  durationMs: number;
  /** Model tokens the run spent (input + output), when the run started. */
  tokens?: number;
  /** The same, split: input and output tokens. */
  usage?: { inputTokens: number; outputTokens: number };
}

/** A real model to run a case against instead of its scripted turns (eval mode). */
export interface LiveModel {
  /** Model name; overrides the workflow's `agent.model`. */
  model: string;
  /** How to reach it: the configured OpenAI settings. */
  openai: RunnerConfig['openai'];
}

/** Options of {@link runWorkflowTests}. */
export interface RunTestsOptions {
  /** Cases run at once (default 2). */
  jobs?: number;
  /** Hears each result as it ends (default: none). */
  onResult?: (result: CaseResult) => void;
}

/** Runs every case of every file, at most `jobs` at once; results in file and case order. */
export async function runWorkflowTests(tests: readonly WorkflowTestFile[], options: RunTestsOptions = {}): Promise<CaseResult[]> {
  const work = tests.flatMap((test) => test.cases.map((testCase) => ({ test, testCase })));
  const results: CaseResult[] = new Array(work.length);
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const i = next++;
      const { test, testCase } = work[i]!;
      results[i] = await runCase(test, testCase);
      options.onResult?.(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs ?? 2, work.length)) }, worker));
  return results;
}

/**
 * Runs one case in its own temp folder, sandbox, run store and model server (or against `live`, the case's scripted
 * turns ignored); everything is closed afterwards.
 */
export async function runCase(test: WorkflowTestFile, testCase: TestCase, live?: LiveModel): Promise<CaseResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'runner-test-'));
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  const result = (failures: string[], runId?: string, tokens?: number, usage?: CaseResult['usage']): CaseResult => ({
    file: test.file,
    name: testCase.name,
    passed: failures.length === 0,
    failures,
    ...(runId && { runId }),
    durationMs: Date.now() - started,
    ...(tokens !== undefined && { tokens }),
    ...(usage && { usage }),
  });
  try {
    const site = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
    cleanups.push(() => site.close());
    for (const page of testCase.sandbox?.pages ?? []) await createPage(site, page);
    const env: Record<string, string> = { RUNNER_SANDBOX_URL: site.url, RUNNER_MODEL_RETRIES: '0', RUNNER_DB: join(dir, 'runs.db') };
    if (!live) {
      const model = await startScriptedModelServer({ script: caseScript(test.workflow, testCase.model ?? {}) });
      cleanups.push(() => model.close());
      env.OPENAI_BASE_URL = model.url;
    }
    const loaded = loadConfig({ env, cwd: dir });
    const config = live ? { ...loaded, model: live.model, openai: live.openai } : loaded;
    const workflow = live ? { ...test.workflow, agent: { ...test.workflow.agent, model: live.model } } : test.workflow;
    const store = openSqliteRunStore(config.dbPath);
    cleanups.push(() => store.close());
    const run = await runWorkflow(
      workflow,
      { inputs: testCase.inputs ?? {}, backend: 'sandbox', ...(testCase.at && { scheduledAt: new Date(testCase.at) }) },
      { config, store },
    );
    const tokens = run.usage.inputTokens + run.usage.outputTokens;
    const usage = { inputTokens: run.usage.inputTokens, outputTokens: run.usage.outputTokens };
    return result(await failedExpectations(run, testCase.expect ?? {}, (cql) => search(site, cql)), run.id, tokens, usage);
  } catch (error) {
    return result([`the case could not run: ${(error as Error).message}`]);
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

function auth(site: SandboxWithMcp): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${site.email}:${site.apiToken}`).toString('base64')}`, 'content-type': 'application/json' };
}

/** Creates a page through the sandbox's REST API (v2), Markdown converted to storage. */
async function createPage(site: SandboxWithMcp, page: TestPage): Promise<void> {
  const spaces = await fetch(`${site.url}/wiki/api/v2/spaces?keys=${encodeURIComponent(page.space)}`, { headers: auth(site) });
  const spaceId = ((await spaces.json()) as { results?: Array<{ id: string }> }).results?.[0]?.id;
  if (!spaceId) throw new Error(`sandbox.pages: no space '${page.space}' in the sandbox`);
  const value = page.body ?? markdownToStorage(page.body_markdown ?? '');
  const res = await fetch(`${site.url}/wiki/api/v2/pages`, {
    method: 'POST',
    headers: auth(site),
    body: JSON.stringify({ spaceId, status: 'current', title: page.title, body: { representation: 'storage', value } }),
  });
  if (!res.ok) throw new Error(`sandbox.pages: creating '${page.title}' in ${page.space} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

/** Runs CQL on the sandbox: every hit with its storage body. */
async function search(site: SandboxWithMcp, cql: string): Promise<FoundContent[]> {
  const url = `${site.url}/wiki/rest/api/content/search?cql=${encodeURIComponent(cql)}&expand=body.storage&limit=250`;
  const res = await fetch(url, { headers: auth(site) });
  if (!res.ok) throw new Error(`CQL search answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return ((await res.json()) as { results: FoundContent[] }).results;
}
