import type { RunnerConfig } from '../../config/config.ts';
import { type CheckResult, fail, reason } from '../doctor/check.ts';
import { checkDotEnv, checkNode, checkRunStore, checkWorkflows } from '../doctor/local.ts';
import { checkBackend, checkModel, checkRedis } from '../doctor/services.ts';
import { cliConfig } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { out, outJson, paint, printable } from '../output.ts';

/** Flags of `runner doctor`. */
export interface DoctorFlags {
  json?: boolean;
}

const MARKS = { ok: '✓', warn: '!', fail: '✗' } as const;
const STYLES = { ok: 'green', warn: 'yellow', fail: 'red' } as const;

/**
 * `runner doctor`: checks Node, `.env`, the model server, the configured backend, Redis, the run store and the
 * workflow files, one line each (✓, ! for a warning, ✗ with the fix). Exits 1 when any check failed.
 */
export async function doctorCommand(flags: DoctorFlags): Promise<void> {
  const results = await runChecks(process.cwd());
  const failed = results.some((r) => r.status === 'fail');
  if (flags.json) outJson({ ok: !failed, checks: results });
  else for (const r of results) printResult(r);
  if (failed) throw new ExitCode(EXIT.failed);
}

/** Every check, in the order printed; those that talk to servers run side by side. */
export async function runChecks(cwd: string): Promise<CheckResult[]> {
  const first = [checkNode(), checkDotEnv(cwd)];
  let config: RunnerConfig;
  try {
    config = cliConfig();
  } catch (error) {
    // Without settings nothing else can be checked; the message names the setting to fix.
    return [...first, fail('settings', reason(error), 'correct the setting in the environment or .env')];
  }
  const rest = await Promise.all([checkModel(config), checkBackend(config), checkRedis(config), checkRunStore(config), checkWorkflows(config)]);
  return [...first, ...rest];
}

function printResult(result: CheckResult): void {
  const mark = paint(STYLES[result.status], MARKS[result.status]);
  const fix = result.fix ? ` ${paint('dim', '→')} ${printable(result.fix)}` : '';
  out(`${mark} ${paint('bold', result.name)}: ${printable(result.message)}${fix}`);
  for (const line of result.details ?? []) out(`    ${printable(line)}`);
}
