import { displayPath } from '../../shared/paths.ts';
import { UserError } from '../../shared/errors.ts';
import { type CaseResult, runWorkflowTests } from '../../testing/workflow-test/run-case.ts';
import { formatReport, humanCase, type ReporterName, summaryLine } from '../../testing/workflow-test/reporters.ts';
import { findWorkflowTestFiles, loadWorkflowTestFile } from '../../workflow/test-file.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { out, paint, printable } from '../output.ts';
import type { EvalFlags } from './test-eval.ts';

/** Flags of `runner test`. */
export interface TestFlags extends EvalFlags {
  /** Output format (default human). */
  reporter?: ReporterName;
  /** Cases run at once (default 2). */
  jobs?: string;
  /** Write a test case from this recorded run instead of running tests. */
  record?: string;
  /** With `record`: the test file written (default `<workflow dir>/<workflow name>.test.yaml`). */
  out?: string;
}

/**
 * Runs workflow test files (`*.test.yaml`): exit 0 when every case passed, 1 when any failed, 2 when a test file
 * does not validate (every problem as file:line:col, nothing run).
 */
export async function testCommand(paths: string[], flags: TestFlags): Promise<void> {
  if (flags.record !== undefined) return (await import('./test-record.ts')).recordTestCommand(flags.record, flags.out);
  if (flags.out !== undefined) throw new UserError('--out goes with --record <run-id>');
  const jobs = flags.jobs === undefined ? 2 : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UserError(`--jobs must be a whole number from 1 to 64, not '${flags.jobs}'`);
  const targets = paths.length ? paths : [cliConfig().workflowsDir];
  const files = await findWorkflowTestFiles(targets);
  if (files.length === 0) throw new UserError(`no workflow test files (*.test.yaml) in ${targets.join(', ')}`);
  const loaded = await Promise.all(files.map((f) => loadWorkflowTestFile(displayPath(f), loadOptions())));
  const invalid = loaded.filter((r) => !r.test);
  if (invalid.length) {
    for (const r of invalid) for (const d of r.diagnostics) out(`${paint('bold', printable(`${d.file}:${d.line}:${d.col}:`))} ${printable(d.message)}`);
    out(paint('red', `✗ ${invalid.length} invalid test file${invalid.length === 1 ? '' : 's'}; nothing was run`));
    throw new ExitCode(EXIT.usage);
  }
  const reporter = flags.reporter ?? 'human';
  if ([flags.model, flags.compare, flags.repeat, flags['min-pass-rate']].some((f) => f !== undefined)) {
    return (await import('./test-eval.ts')).evalCommand(
      loaded.map((r) => r.test!),
      flags,
      { jobs, reporter },
    );
  }
  const live = reporter === 'human';
  const results = await runWorkflowTests(
    loaded.map((r) => r.test!),
    { jobs, ...(live && { onResult: (r: CaseResult) => out(paintCase(r)) }) },
  );
  if (live) {
    const line = summaryLine(results);
    out(results.every((r) => r.passed) ? paint('green', line) : paint('red', line));
  } else {
    out(formatReport(results, reporter));
  }
  if (results.some((r) => !r.passed)) throw new ExitCode(EXIT.failed);
}

function paintCase(result: CaseResult): string {
  const [head, ...rest] = humanCase(result).split('\n').map(printable);
  return [paint(result.passed ? 'green' : 'red', head!), ...rest].join('\n');
}
