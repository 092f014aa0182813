import { displayPath } from '../../shared/paths.ts';
import { UserError } from '../../shared/errors.ts';
import { findWorkflowFiles, loadWorkflowFiles, type LoadResult } from '../../workflow/load.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { out, outJson, paint, printable } from '../output.ts';

/** Flags of `runner validate`. */
export interface ValidateFlags {
  json?: boolean;
}

/** Finds and validates workflow files; exits 2 when any is invalid. */
export async function validateCommand(paths: string[], flags: ValidateFlags): Promise<void> {
  const results = await validatePaths(paths);
  const invalid = results.filter((r) => !r.workflow);
  const errors = results.reduce((n, r) => n + r.diagnostics.length, 0);
  if (flags.json) {
    outJson({
      valid: invalid.length === 0,
      files: results.map((r) => ({
        file: r.file,
        valid: Boolean(r.workflow),
        name: r.workflow?.name,
        errors: r.diagnostics.map(({ line, col, message }) => ({ line, col, message })),
      })),
      summary: { files: results.length, valid: results.length - invalid.length, invalid: invalid.length, errors },
    });
  } else {
    for (const r of results) for (const d of r.diagnostics) out(`${paint('bold', printable(`${d.file}:${d.line}:${d.col}:`))} ${printable(d.message)}`);
    const files = `${results.length} file${results.length === 1 ? '' : 's'}`;
    out(
      invalid.length === 0
        ? paint('green', `✓ ${files} valid`)
        : paint('red', `✗ ${files} checked: ${results.length - invalid.length} valid, ${invalid.length} invalid (${errors} error${errors === 1 ? '' : 's'})`),
    );
  }
  if (invalid.length) throw new ExitCode(EXIT.usage);
}

/** Resolves the paths (default: the workflows folder) and validates every file found. */
export async function validatePaths(paths: string[]): Promise<LoadResult[]> {
  const targets = paths.length ? paths : [cliConfig().workflowsDir];
  const files = await findWorkflowFiles(targets);
  if (files.length === 0) throw new UserError(`no workflow files (*.yaml, *.yml) in ${targets.join(', ')}`);
  const results = await loadWorkflowFiles(
    files.map((f) => displayPath(f)),
    loadOptions(),
  );
  return results;
}
