/**
 * Tool tokens: how many tokens of tool definitions each model request carries for weekly-summary's first step,
 * (a) with its allowlist, (b) with all 57 Confluence tools, (c) through the Composio Tool Router's meta-tools.
 * Each figure is read from a real request the runner sent (captured by the scripted model server), tokenized
 * with o200k_base (gpt-tokenizer). Goal: (a) at most 15% of (b).
 *
 *   node bench/tool-tokens.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { parseDocument } from 'yaml';
import { loadConfig } from '../src/config/config.ts';
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { openSqliteRunStore } from '../src/runs/sqlite-store.ts';
import { startSandboxWithMcp } from '../src/sandbox/with-mcp.ts';
import { startScriptedModelServer } from '../src/testing/scripted-model-server.ts';
import { confluenceCatalogue } from '../src/toolkit/catalogue.ts';
import { loadWorkflow } from '../src/workflow/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-tokens-'));
const sandbox = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
// One answer per request: the request is what is measured, the run may stop there.
const model = await startScriptedModelServer({ script: () => ({ text: JSON.stringify({ pages: [], summary: '' }) }) });
const store = openSqliteRunStore(join(dir, 'runs.db'));
const catalogue = confluenceCatalogue();

const source = readFileSync(new URL('../workflows/weekly-summary.yaml', import.meta.url), 'utf8');
const allTools = parseDocument(source);
allTools.setIn(
  ['tools', 'allow'],
  catalogue.tools.map((t) => t.slug),
);
allTools.setIn(['tools', 'allow_destructive'], true);
writeFileSync(join(dir, 'weekly-summary.yaml'), source);
writeFileSync(join(dir, 'weekly-summary-all-tools.yaml'), allTools.toString());

async function measure(file: string, env: Record<string, string>): Promise<{ tools: number; tokens: number; requestTokens: number }> {
  const config = loadConfig({ cwd: dir, env: { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'bench', RUNNER_SANDBOX_URL: sandbox.url, ...env } });
  const workflow = await loadWorkflow(join(dir, file), { tools: catalogue });
  const before = model.requests.length;
  await runWorkflow(workflow, {}, { config, store });
  const request = model.requests[before];
  if (!request) throw new Error(`no model request for ${file}`);
  const tools = request.tools;
  return { tools: tools.length, tokens: encode(JSON.stringify(tools)).length, requestTokens: encode(JSON.stringify(request.body)).length };
}

const allowlisted = await measure('weekly-summary.yaml', {});
const all = await measure('weekly-summary-all-tools.yaml', {});
const meta = await measure('weekly-summary.yaml', {
  RUNNER_BACKEND: 'composio',
  COMPOSIO_API_KEY: sandbox.toolRouterApiKey,
  COMPOSIO_BASE_URL: sandbox.url,
  COMPOSIO_SESSION_PRESET: 'meta_tools',
});
await store.close();
await model.close();
await sandbox.close();
rmSync(dir, { recursive: true, force: true });

const row = (name: string, m: { tools: number; tokens: number; requestTokens: number }) =>
  console.log(
    `${name.padEnd(36)} ${String(m.tools).padStart(3)} tools  ${String(m.tokens).padStart(6)} tool tokens  (${m.requestTokens} tokens in the whole first request)`,
  );
console.log('Tokens of tool definitions per model request (o200k_base, Chat Completions JSON), weekly-summary step 1:');
row('allowlist (tools.allow, 6 tools)', allowlisted);
row('all Confluence tools', all);
row('Tool Router meta-tools (composio)', meta);
console.log(
  `allowlisted / all = ${((100 * allowlisted.tokens) / all.tokens).toFixed(1)}% (goal ≤ 15%); meta-tools / all = ${((100 * meta.tokens) / all.tokens).toFixed(1)}%`,
);
