/**
 * Workflow test files (`*.test.yaml`): cases that run one workflow against a fresh sandbox and a scripted model.
 * Loading checks the schema (schemas/workflow-test.schema.json) on the YAML node tree, so every problem carries
 * `file:line:col`; then that the workflow file exists and validates, and that `model` names only its prompt steps.
 */
import { dirname, isAbsolute, join } from 'node:path';
import type { Diagnostic } from '../shared/errors.ts';
import { didYouMean } from '../shared/suggest.ts';
import { findYamlFiles, isWorkflowTestFile, type LoadOptions, loadWorkflowFile, readWorkflowSource } from './load.ts';
import { workflowTestValidator } from './schema.ts';
import { parseYamlSource } from './source.ts';
import { structuralDiagnostics } from './structure.ts';
import type { Workflow } from './types.ts';

/** One scripted model turn of a test case. */
export type TestTurn =
  | { call: string; with?: Record<string, unknown> }
  | { calls: Array<{ call: string; with?: Record<string, unknown> }> }
  | { final: unknown };

/** A page a case adds to the seeded sandbox. */
export interface TestPage {
  space: string;
  title: string;
  body_markdown?: string;
  body?: string;
}

/** One end-state check over the sandbox. */
export interface ContentCheck {
  cql: string;
  count?: number;
  title_matches?: string;
  body_contains?: string[];
}

/** One check of a value in run.outputs. */
export interface ValueCheck {
  exists?: boolean;
  equals?: unknown;
  matches?: string;
}

/** What a case expects. */
export interface TestExpect {
  status?: 'succeeded' | 'failed' | 'waiting' | 'cancelled';
  calls?: string[];
  ordered?: boolean;
  refused?: number;
  confluence?: ContentCheck[];
  outputs?: Record<string, ValueCheck>;
}

/** One case as written. */
export interface TestCase {
  name: string;
  at?: string;
  inputs?: Record<string, unknown>;
  sandbox?: { pages?: TestPage[] };
  model?: Record<string, TestTurn[]>;
  expect?: TestExpect;
}

/** A validated test file with the workflow it tests. */
export interface WorkflowTestFile {
  file: string;
  workflow: Workflow;
  cases: TestCase[];
}

/** The outcome of checking one test file: the test when valid, every diagnostic otherwise. */
export interface TestLoadResult {
  file: string;
  test?: WorkflowTestFile;
  diagnostics: Diagnostic[];
}

/** Reads and validates one test file; never throws for bad input. */
export async function loadWorkflowTestFile(file: string, options: LoadOptions): Promise<TestLoadResult> {
  const read = await readWorkflowSource(file);
  if (!read.ok) return { file, diagnostics: [{ file, line: 1, col: 1, message: read.problem }] };
  const source = parseYamlSource(file, read.text);
  if (source.syntaxErrors.length) return { file, diagnostics: source.syntaxErrors };
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    return { file, diagnostics: [source.atValue([], "a workflow test must be a map with 'workflow' and 'cases'")] };
  }
  const diagnostics = structuralDiagnostics(source, 100, workflowTestValidator());
  if (diagnostics.length) return { file, diagnostics };
  const raw = source.value as { workflow: string; cases: TestCase[] };
  const workflowFile = isAbsolute(raw.workflow) ? raw.workflow : join(dirname(file), raw.workflow);
  const loaded = await loadWorkflowFile(workflowFile, options);
  if (!loaded.workflow) {
    const first = loaded.diagnostics[0];
    const why = first ? `${first.file}:${first.line}:${first.col}: ${first.message}` : 'it does not validate';
    return { file, diagnostics: [source.atValue(['workflow'], `workflow '${raw.workflow}' cannot be tested: ${why}`)] };
  }
  const promptSteps = loaded.workflow.steps.filter((s) => s.kind === 'prompt').map((s) => s.id);
  for (const [index, testCase] of raw.cases.entries()) {
    if (promptSteps.length && testCase.model === undefined) {
      diagnostics.push(
        source.atKey(
          ['cases', index, 'name'],
          `case '${testCase.name}' needs 'model' turns: workflow '${loaded.workflow.name}' has prompt steps (${promptSteps.join(', ')})`,
        ),
      );
    }
    for (const stepId of Object.keys(testCase.model ?? {})) {
      if (promptSteps.includes(stepId)) continue;
      const hint = promptSteps.length ? didYouMean(stepId, promptSteps) || `; its prompt steps: ${promptSteps.join(', ')}` : '; it has no prompt steps';
      diagnostics.push(source.atKey(['cases', index, 'model', stepId], `'${stepId}' is no prompt step of workflow '${loaded.workflow.name}'${hint}`));
    }
    if (testCase.at !== undefined && Number.isNaN(Date.parse(testCase.at))) {
      diagnostics.push(source.atValue(['cases', index, 'at'], `'${testCase.at}' is not a date-time`));
    }
  }
  if (diagnostics.length) return { file, diagnostics };
  return { file, test: { file, workflow: loaded.workflow, cases: raw.cases }, diagnostics: [] };
}

/** Expands files and folders (recursively) into the `*.test.yaml`/`*.test.yml` files they hold, sorted. */
export function findWorkflowTestFiles(paths: readonly string[]): Promise<string[]> {
  return findYamlFiles(paths, isWorkflowTestFile);
}
