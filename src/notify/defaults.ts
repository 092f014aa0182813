/**
 * RUNNER_NOTIFY_DEFAULT: a YAML file of rules every workflow gets besides its own,
 *
 *   notify:
 *     - on: [failed, missed]
 *       webhook: { url: { env: OPS_HOOK_URL }, secret: { env: OPS_HOOK_SECRET } }
 *
 * checked exactly as a workflow's `notify` block is (the workflow schema's rule definition, then the meaning
 * checks), every problem at its `file:line:col`.
 */
import { displayPath } from '../shared/paths.ts';
import { type Diagnostic, WorkflowInvalidError } from '../shared/errors.ts';
import { toNotifyRule } from '../workflow/build.ts';
import { readWorkflowSourceSync } from '../workflow/load.ts';
import { notifyRuleDiagnostics } from '../workflow/semantics.ts';
import { parseYamlSource, type YamlSource } from '../workflow/source.ts';
import { structuralDiagnostics } from '../workflow/structure.ts';
import type { NotifyRule } from '../workflow/types.ts';

/** What a defaults file is, for messages. */
const SHAPE = 'the file of RUNNER_NOTIFY_DEFAULT must be a map with one key, notify: a list of rules (on: [...] and a webhook, slack or email)';

/** The rules of the defaults file `file` (none when `file` is undefined); throws {@link WorkflowInvalidError} (a user error, exit 2) with every problem. */
export function loadNotifyDefaults(file: string | undefined): NotifyRule[] {
  if (file === undefined) return [];
  const shown = displayPath(file);
  const read = readWorkflowSourceSync(file);
  if (!read.ok) throw new WorkflowInvalidError([{ file: shown, line: 1, col: 1, message: `RUNNER_NOTIFY_DEFAULT: ${read.problem}` }]);
  return parseNotifyDefaults(shown, read.text);
}

/** The rules of a defaults file's text; throws {@link WorkflowInvalidError} with every problem. */
export function parseNotifyDefaults(file: string, text: string): NotifyRule[] {
  const source = parseYamlSource(file, text);
  const problems = source.syntaxErrors.length ? source.syntaxErrors : diagnostics(source);
  if (problems.length) throw new WorkflowInvalidError(problems.sort((a, b) => a.line - b.line || a.col - b.col));
  return ((source.value as { notify?: Record<string, unknown>[] } | null)?.notify ?? []).map(toNotifyRule);
}

function diagnostics(source: YamlSource): Diagnostic[] {
  const root = source.value;
  if (root === null || root === undefined) return [];
  if (typeof root !== 'object' || Array.isArray(root)) return [source.atValue([], SHAPE)];
  const out = Object.keys(root)
    .filter((key) => key !== 'notify')
    .map((key) => source.atKey([key], `unknown key '${key}'; ${SHAPE}`));
  const rules = (root as { notify?: unknown }).notify;
  if (rules === undefined) return out;
  // The rules are checked by the workflow schema itself: inside a minimal workflow they sit at the same path
  // (`notify[i]...`) as in this file, so every message and position is the one a workflow's rule would get.
  const asWorkflow = { version: 1, name: 'notify-defaults', prompt: '-', notify: rules };
  out.push(...structuralDiagnostics({ ...source, value: asWorkflow }));
  if (Array.isArray(rules)) out.push(...notifyRuleDiagnostics(source, ['notify'], rules));
  return out;
}
