import type { Diagnostic } from '../shared/errors.ts';
import type { DocPath, YamlSource } from './source.ts';
import { didYouMean } from '../shared/suggest.ts';
import type { TemplateEngine, TemplateRef } from './templates.ts';

/** Variables every template may read besides `inputs` and `steps`. */
export const RUN_FIELDS = ['id', 'scheduled_at', 'started_at', 'trigger', 'attempt'] as const;
/** Fields of `workflow` in templates. */
export const WORKFLOW_FIELDS = ['name', 'description', 'timezone'] as const;
const ROOTS = ['inputs', 'steps', 'run', 'workflow'];

/** What a template at some place may refer to. */
export interface ReferenceScope {
  /** Declared input names. */
  inputs: readonly string[];
  /** Ids of the steps that run before this place. */
  earlierSteps: readonly string[];
  /** Every step id, to tell "later" apart from "unknown". */
  allSteps: readonly string[];
  /** Whether step outputs are readable here at all (not in agent instructions). */
  stepsAllowed: boolean;
  /** Id of the step this template belongs to, if any. */
  current?: string;
}

/** Checks one template string (syntax and references) at `path`; pushes diagnostics. */
export function checkTemplateAt(
  source: YamlSource,
  engine: TemplateEngine,
  path: DocPath,
  text: string,
  scope: ReferenceScope,
  out: Diagnostic[],
): TemplateRef[] {
  const check = engine.check(text);
  if (check.error) {
    out.push(source.atStringOffset(path, check.error.offset, `template error: ${check.error.message}`));
    return [];
  }
  for (const ref of check.refs) {
    const problem = referenceProblem(ref, scope);
    if (problem) out.push(source.atStringOffset(path, refOffset(text, ref), problem));
  }
  return check.refs;
}

/** Where a reference is written: `root.name` (dotted or bracketed) inside a tag, else the first `root` word. */
function refOffset(text: string, ref: TemplateRef): number {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const [root, name] = ref.map(String);
  const patterns = name === undefined ? [] : [new RegExp(`\\b${esc(root!)}\\s*(\\.\\s*${esc(name)}\\b|\\[\\s*['"]${esc(name)}['"]\\s*\\])`)];
  patterns.push(new RegExp(`(?<=(\\{\\{|\\{%)[^}]*)\\b${esc(root!)}\\b`), new RegExp(`\\b${esc(root!)}\\b`));
  for (const re of patterns) {
    const m = re.exec(text);
    if (m) return m.index;
  }
  return 0;
}

function referenceProblem(ref: TemplateRef, scope: ReferenceScope): string | undefined {
  const [root, name, field] = ref;
  const shown = ref.map(String).join('.');
  if (!ROOTS.includes(String(root))) {
    return `unknown variable '${String(root)}' in template${didYouMean(String(root), ROOTS)} (available: ${ROOTS.join(', ')})`;
  }
  if (name === undefined) return undefined;
  const key = String(name);
  switch (root) {
    case 'inputs':
      if (!scope.inputs.includes(key)) {
        const declared = scope.inputs.length ? `declared inputs: ${scope.inputs.join(', ')}` : 'no inputs are declared';
        return `template reads undeclared input '${key}'${didYouMean(key, scope.inputs) || `; declare it under 'inputs'`} (${declared})`;
      }
      return undefined;
    case 'run':
      return (RUN_FIELDS as readonly string[]).includes(key)
        ? undefined
        : `unknown field 'run.${key}'${didYouMean(key, RUN_FIELDS)} (available: ${RUN_FIELDS.join(', ')})`;
    case 'workflow':
      return (WORKFLOW_FIELDS as readonly string[]).includes(key)
        ? undefined
        : `unknown field 'workflow.${key}'${didYouMean(key, WORKFLOW_FIELDS)} (available: ${WORKFLOW_FIELDS.join(', ')})`;
    case 'steps':
      if (!scope.stepsAllowed) return `'${shown}': agent instructions cannot read step outputs; use them in a step's prompt`;
      if (!scope.allSteps.includes(key)) return `template reads unknown step '${key}'${didYouMean(key, scope.allSteps)}`;
      if (key === scope.current) return `step '${key}' cannot read its own output; only earlier steps' outputs exist while it runs`;
      if (!scope.earlierSteps.includes(key)) return `template reads step '${key}', which runs later; steps run in order, so move '${key}' above this step`;
      if (field !== 'output') return `'${shown}': a step exposes only 'output' (write steps.${key}.output)`;
      return undefined;
  }
  return undefined;
}
