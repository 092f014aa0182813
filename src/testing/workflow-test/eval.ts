/**
 * Eval mode of `runner test`: the cases of workflow test files against real models, each case run `repeat` times
 * per model (every run isolated, checked against the same expectations), summarised as a pass rate per case and model.
 */
import type { ModelPrice, RunnerConfig } from '../../config/config.ts';
import type { TestCase, WorkflowTestFile } from '../../workflow/test-file.ts';
import { type CaseResult, runCase } from './run-case.ts';

/** Options of {@link evaluateWorkflowTests}. */
export interface EvalOptions {
  /** Models to evaluate, in report order (one, or several with `--compare`). */
  models: readonly string[];
  /** Runs per case and model (default 3). */
  repeat?: number;
  /** Runs at once (default 2). */
  jobs?: number;
  /** How to reach the models: the configured OpenAI settings. */
  openai: RunnerConfig['openai'];
  /** USD per million tokens by model (RUNNER_MODEL_PRICES; default none: no costs). */
  prices?: RunnerConfig['modelPrices'];
}

/** The outcome of one case against one model. */
export interface EvalResult {
  /** The test file. */
  file: string;
  /** The case's name. */
  name: string;
  /** The model evaluated. */
  model: string;
  /** Runs made (1 when the workflow has no prompt step: nothing to evaluate). */
  runs: number;
  /** Runs that met every expectation. */
  passed: number;
  /** passed / runs. */
  rate: number;
  /** Mean model tokens per run (input + output). */
  tokens: number;
  /** Mean duration of a run, ms. */
  durationMs: number;
  /** Mean cost of a run in USD, when the model has a price (RUNNER_MODEL_PRICES). */
  cost?: number;
  /** Set when the workflow has no prompt step: run once, no model involved. */
  note?: string;
  /** The distinct failures of the failed runs, each with how many runs had it. */
  failures: string[];
  /** Ids of the failed runs, to inspect with `runner logs`. */
  failedRuns: string[];
}

/** Runs every case of every file `repeat` times per model, `jobs` runs at once; results in file, case, model order. */
export async function evaluateWorkflowTests(tests: readonly WorkflowTestFile[], options: EvalOptions): Promise<EvalResult[]> {
  const repeat = options.repeat ?? 3;
  const groups = tests.flatMap((test) =>
    test.cases.flatMap((testCase) => {
      const evaluable = hasPromptStep(test);
      return (evaluable ? options.models : options.models.slice(0, 1)).map((model) => ({ test, testCase, model, evaluable, runs: evaluable ? repeat : 1 }));
    }),
  );
  const work = groups.flatMap((group, g) => Array.from({ length: group.runs }, () => g));
  const outcomes: CaseResult[][] = groups.map(() => []);
  await pool(work, options.jobs ?? 2, async (g) => {
    const { test, testCase, model } = groups[g]!;
    outcomes[g]!.push(await runCase(test, testCase, { model, openai: options.openai }));
  });
  return groups.map((group, g) => summarise(group.test, group.testCase, group.model, group.evaluable, outcomes[g]!, options.prices?.get(group.model)));
}

/** Whether a workflow test's workflow asks a model anything. */
function hasPromptStep(test: WorkflowTestFile): boolean {
  return test.workflow.steps.some((s) => s.kind === 'prompt');
}

function summarise(
  test: WorkflowTestFile,
  testCase: TestCase,
  model: string,
  evaluable: boolean,
  results: readonly CaseResult[],
  price: ModelPrice | undefined,
): EvalResult {
  const runs = results.length;
  const passed = results.filter((r) => r.passed).length;
  const mean = (pick: (r: CaseResult) => number) => Math.round(results.reduce((n, r) => n + pick(r), 0) / Math.max(1, runs));
  const counts = new Map<string, number>();
  for (const r of results) for (const f of r.failures) counts.set(f, (counts.get(f) ?? 0) + 1);
  return {
    file: test.file,
    name: testCase.name,
    model: evaluable ? model : '-',
    runs,
    passed,
    rate: runs ? passed / runs : 0,
    tokens: mean((r) => r.tokens ?? 0),
    durationMs: mean((r) => r.durationMs),
    ...(price && evaluable && { cost: costOf(results, price) }),
    ...(!evaluable && { note: 'no prompt step: nothing to evaluate, run once' }),
    failures: [...counts].map(([f, n]) => (n > 1 ? `${f} (${n} runs)` : f)),
    failedRuns: results.filter((r) => !r.passed && r.runId).map((r) => r.runId!),
  };
}

/** Mean USD per run at `price` (per million input and output tokens). */
function costOf(results: readonly CaseResult[], price: ModelPrice): number {
  const total = results.reduce((sum, r) => sum + ((r.usage?.inputTokens ?? 0) * price.input + (r.usage?.outputTokens ?? 0) * price.output) / 1e6, 0);
  return total / Math.max(1, results.length);
}

/** Calls `task` on every item, at most `jobs` at once. */
async function pool<T>(items: readonly T[], jobs: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}
