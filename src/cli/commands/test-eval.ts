import { requireModelConfig } from '../../agent/model.ts';
import { UserError } from '../../shared/errors.ts';
import { evaluateWorkflowTests } from '../../testing/workflow-test/eval.ts';
import { formatEvalReport, meetsRate } from '../../testing/workflow-test/eval-reporters.ts';
import type { ReporterName } from '../../testing/workflow-test/reporters.ts';
import type { WorkflowTestFile } from '../../workflow/test-file.ts';
import { cliConfig } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { out, printable } from '../output.ts';

/** Flags of `runner test` eval mode. */
export interface EvalFlags {
  /** Run the cases against this real model (the configured OpenAI settings), ignoring their scripted turns. */
  model?: string;
  /** Runs per case and model (default 3). */
  repeat?: string;
  /** Comma-separated models evaluated one after the other and printed side by side. */
  compare?: string;
  /** Exit 1 when any case's pass rate is below this (0..1; default: report only, exit 0). */
  'min-pass-rate'?: string;
}

/**
 * `runner test --model M [--repeat N] [--compare M1,M2] [--min-pass-rate R]`: the cases against real models, each
 * run N times in isolation; prints pass rate, mean tokens and mean duration per case and model. Exit 1 only when
 * `--min-pass-rate` is given and some case's rate is below it (a model is not deterministic: by default the
 * command reports).
 */
export async function evalCommand(tests: readonly WorkflowTestFile[], flags: EvalFlags, options: { jobs: number; reporter: ReporterName }): Promise<void> {
  if (flags.model === undefined && flags.compare === undefined) throw new UserError('--repeat and --min-pass-rate go with --model <name> or --compare m1,m2');
  if (flags.model !== undefined && flags.compare !== undefined) throw new UserError('give either --model or --compare, not both');
  const models = flags.compare !== undefined ? flags.compare.split(',').map((m) => m.trim()) : [flags.model ?? ''];
  if (models.some((m) => m === ''))
    throw new UserError(`--model and --compare need model names (--compare m1,m2), not '${flags.compare ?? flags.model ?? ''}'`);
  if (new Set(models).size !== models.length) throw new UserError(`--compare names a model twice: ${models.join(', ')}`);
  const repeat = flags.repeat === undefined ? 3 : Number(flags.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) throw new UserError(`--repeat must be a whole number from 1 to 1000, not '${flags.repeat}'`);
  const min = flags['min-pass-rate'] === undefined ? 0 : Number(flags['min-pass-rate']);
  if (flags['min-pass-rate'] !== undefined && !(flags['min-pass-rate'].trim() !== '' && min >= 0 && min <= 1)) {
    throw new UserError(`--min-pass-rate must be a number from 0 to 1, not '${flags['min-pass-rate']}'`);
  }
  const config = cliConfig();
  requireModelConfig(config);
  const results = await evaluateWorkflowTests(tests, { models, repeat, jobs: options.jobs, openai: config.openai, prices: config.modelPrices });
  out(options.reporter === 'human' ? printable(formatEvalReport(results, 'human', min)) : formatEvalReport(results, options.reporter, min));
  const below = results.filter((r) => !meetsRate(r, min));
  if (options.reporter === 'human' && flags['min-pass-rate'] !== undefined) {
    out(below.length ? `✗ ${below.length} below pass rate ${min}` : `✓ every pass rate at least ${min}`);
  }
  if (below.length) throw new ExitCode(EXIT.failed);
}
