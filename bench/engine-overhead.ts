/**
 * Engine overhead: per-run wall time of runWorkflow (gateway, records in SQLite, backend per run) for a 1-step,
 * 3-tool-call workflow on the sandbox with an instant scripted model, against a minimal hand-written
 * @openai/agents loop making the same calls against the same MCP server. Both open their MCP connection per
 * run, offer the same three tools and talk to the same model server; runs alternate so both see the same
 * machine state. Goal: ratio at most 1.05.
 *
 * Two hand-written baselines are measured: the idiomatic one (`mcpServers` on the Agent, which the SDK resolves
 * and converts again on every turn) and a leaner one that converts the MCP tools once per run
 * (`getAllMcpTools`), which is what the engine does; the stricter ratio is against the leaner one.
 *
 *   node bench/engine-overhead.ts [runs=200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, MCPServerStreamableHttp, OpenAIChatCompletionsModel, Runner, createMCPToolStaticFilter, getAllMcpTools } from '@openai/agents';
import OpenAI from 'openai';
import { loadConfig } from '../src/config/config.ts';
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { openSqliteRunStore } from '../src/runs/sqlite-store.ts';
import { startSandboxWithMcp } from '../src/sandbox/with-mcp.ts';
import { startScriptedModelServer, type ScriptedTurn } from '../src/testing/scripted-model-server.ts';
import { loadWorkflow } from '../src/workflow/load.ts';
import { confluenceCatalogue } from '../src/toolkit/catalogue.ts';

const runs = Number(process.argv[2] ?? 200);
const warmup = 20;
const TOOLS = ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_GET_CURRENT_USER'];
const script: ScriptedTurn[] = [
  { toolCalls: [{ name: TOOLS[0]!, arguments: { limit: 5 } }] },
  { toolCalls: [{ name: TOOLS[1]!, arguments: { query: 'Q3 Planning' } }] },
  { toolCalls: [{ name: TOOLS[2]!, arguments: {} }] },
  { text: 'Three spaces; the Q3 Planning page is in PROD; I am the sandbox user.' },
];

const dir = mkdtempSync(join(tmpdir(), 'bench-overhead-'));
const sandbox = await startSandboxWithMcp({ dbPath: join(dir, 'sandbox.db'), port: 0, seed: true });
const model = await startScriptedModelServer({ script });
const config = loadConfig({
  cwd: dir,
  env: { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'bench', RUNNER_SANDBOX_URL: sandbox.url, RUNNER_MODEL: 'scripted' },
});
const store = openSqliteRunStore(join(dir, 'runs.db'));
const workflow = await loadWorkflow(new URL('./fixtures/overhead.yaml', import.meta.url).pathname, { tools: confluenceCatalogue() });

async function engineRun(): Promise<void> {
  const run = await runWorkflow(workflow, {}, { config, store });
  if (run.status !== 'succeeded') throw new Error(`engine run ${run.status}: ${run.error?.message}`);
  const calls = run.attempts[0]!.steps[0]!.toolCalls.filter((c) => c.status === 'ok').length;
  if (calls !== 3) throw new Error(`engine run made ${calls} tool calls, not 3`);
}

// The baseline: what a developer would write by hand with the SDK alone.
const client = new OpenAI({ apiKey: 'bench', baseURL: model.url, maxRetries: 0 });
const baselineModel = new OpenAIChatCompletionsModel(client as never, 'scripted');
const runner = new Runner({ tracingDisabled: true });
async function handRun(convertOnce: boolean): Promise<void> {
  const server = new MCPServerStreamableHttp({
    url: sandbox.mcpUrl,
    requestInit: { headers: sandbox.mcpHeaders },
    name: 'confluence',
    cacheToolsList: true,
    toolFilter: createMCPToolStaticFilter({ allowed: TOOLS }),
  });
  await server.connect();
  try {
    const agent = convertOnce
      ? new Agent({
          name: 'bench',
          instructions: 'Use the tools.',
          model: baselineModel,
          tools: (await getAllMcpTools({ mcpServers: [server] } as never)) as never,
        })
      : new Agent({ name: 'bench', instructions: 'Use the tools.', model: baselineModel, mcpServers: [server] });
    const result = await runner.run(agent, workflow.steps[0]!.kind === 'prompt' ? workflow.steps[0]!.prompt : '', { maxTurns: 10 });
    const calls = result.newItems.filter((i) => i.type === 'tool_call_output_item').length;
    if (calls !== 3) throw new Error(`hand-written run made ${calls} tool calls, not 3`);
  } finally {
    await server.close();
  }
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const engine: number[] = [];
const hand: number[] = [];
const lean: number[] = [];
const variants: Array<[number[], () => Promise<void>]> = [
  [engine, engineRun],
  [hand, () => handRun(false)],
  [lean, () => handRun(true)],
];
for (let i = 0; i < warmup; i++) for (const [, fn] of variants) await fn();
for (let i = 0; i < runs; i++) {
  // Rotate which goes first so none always runs on a warmer heap.
  for (let k = 0; k < variants.length; k++) {
    const [samples, fn] = variants[(i + k) % variants.length]!;
    samples.push(await time(fn));
  }
}
await store.close();
await model.close();
await sandbox.close();
rmSync(dir, { recursive: true, force: true });

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const p90 = (xs: number[]) => sorted(xs)[Math.floor(xs.length * 0.9)]!;
const row = (name: string, xs: number[]) =>
  console.log(`${name.padEnd(34)} mean ${mean(xs).toFixed(2)} ms  median ${median(xs).toFixed(2)} ms  p90 ${p90(xs).toFixed(2)} ms`);
console.log(`${runs} runs each, interleaved, after ${warmup} warm-up runs; ${model.requests.length} model requests served`);
row('hand-written, mcpServers', hand);
row('hand-written, tools converted once', lean);
row('runWorkflow (gateway + records)', engine);
console.log(`ratio vs mcpServers loop:      mean ${(mean(engine) / mean(hand)).toFixed(3)}  median ${(median(engine) / median(hand)).toFixed(3)}`);
console.log(
  `ratio vs converted-once loop:  mean ${(mean(engine) / mean(lean)).toFixed(3)}  median ${(median(engine) / median(lean)).toFixed(3)}  (goal ≤ 1.05)`,
);
