import type { RunRecord, StepRecord, ToolCallRecord } from '../../runs/types.ts';
import type { ContentCheck, TestCase, TestTurn } from '../../workflow/test-file.ts';

/** A test case built from a recorded run, with what could not be carried over faithfully. */
export interface RecordedCase {
  testCase: TestCase;
  /** Problems a person should look at (cut arguments, ids that could not be linked to a call); each one line. */
  warnings: string[];
}

/** Content types the create tools make, for the CQL check of what a run created. */
const CREATED_TYPES: Record<string, string> = { CONFLUENCE_CREATE_BLOGPOST: 'blogpost', CONFLUENCE_CREATE_PAGE: 'page' };

/**
 * The test case that replays `run` (its last attempt): inputs and `at` as recorded, per prompt step the model's turns
 * rebuilt from its tool calls (grouped by `turn`) and its output as `final`, and expectations on status, write calls,
 * refused calls and the content created. Ids of content the run created become Liquid references into `calls` when
 * a later argument of the same step uses them; cut arguments stop that step's script (with a warning).
 */
export function caseFromRun(run: RunRecord, name: string): RecordedCase {
  const warnings: string[] = [];
  const steps = run.attempts.at(-1)?.steps ?? [];
  const model: Record<string, TestTurn[]> = {};
  const created = new Map<string, string>();
  for (const step of steps) {
    if (step.kind === 'prompt') model[step.id] = scriptOf(step, created, warnings);
    for (const call of step.toolCalls) if (call.effect !== 'read' && call.status === 'ok') for (const id of createdIds(call)) created.set(id, step.id);
  }
  const calls = steps.flatMap((s) => s.toolCalls);
  const testCase: TestCase = {
    name,
    at: run.scheduledAt ?? run.startedAt ?? run.createdAt,
    ...(Object.keys(run.inputs).length && { inputs: run.inputs }),
    ...(Object.keys(model).length && { model }),
    expect: {
      status: run.status === 'succeeded' || run.status === 'failed' || run.status === 'waiting' || run.status === 'cancelled' ? run.status : 'succeeded',
      calls: calls.filter((c) => (c.effect === 'write' || c.effect === 'destructive') && c.status === 'ok').map((c) => c.tool),
      ordered: true,
      refused: calls.filter((c) => c.status === 'refused').length,
      ...contentChecks(calls, warnings),
    },
  };
  return { testCase, warnings };
}

/** The scripted turns of one prompt step. */
function scriptOf(step: StepRecord, createdBefore: ReadonlyMap<string, string>, warnings: string[]): TestTurn[] {
  const byTurn = new Map<number, ToolCallRecord[]>();
  for (const call of step.toolCalls) {
    if (call.via) warnings.push(`step '${step.id}': ${call.tool} was an inner call of ${call.via}; the script calls it directly`);
    if (call.markdown !== undefined)
      warnings.push(`step '${step.id}': ${call.tool} was written in Markdown; the script sends the storage body the runner made`);
    byTurn.set(call.turn ?? 1, [...(byTurn.get(call.turn ?? 1) ?? []), call]);
  }
  const lastTurn = Math.max(0, ...byTurn.keys());
  const turns: TestTurn[] = [];
  const made: ToolCallRecord[] = [];
  for (let turn = 1; turn <= lastTurn; turn += 1) {
    const group = byTurn.get(turn) ?? [];
    if (group.length === 0) {
      warnings.push(`step '${step.id}': model turn ${turn} made no tool call the record holds; the script skips it`);
      continue;
    }
    const cut = group.find((c) => c.argsTruncated);
    if (cut) {
      warnings.push(`step '${step.id}': the arguments of ${cut.tool} (turn ${turn}) were cut in the record; the script stops before it — complete it by hand`);
      return turns;
    }
    const written = group.map((c) => ({ call: c.tool, with: linkIds(c.args, made, createdBefore, step.id, warnings) as Record<string, unknown> }));
    turns.push(written.length === 1 ? written[0]! : { calls: written });
    made.push(...group);
  }
  if (step.status === 'succeeded') turns.push({ final: linkIds(step.output ?? '', made, createdBefore, step.id, warnings) });
  return turns;
}

/** Ids of content a write call created (`id` in its result), with no duplicates. */
function createdIds(call: ToolCallRecord): string[] {
  const result = call.result as { id?: unknown } | undefined;
  return result && typeof result === 'object' && (typeof result.id === 'string' || typeof result.id === 'number') ? [String(result.id)] : [];
}

/**
 * `value` with every string that is the id of content created earlier in the step replaced by a Liquid reference to
 * the call that created it, and Liquid-looking text kept literal. Ids created by an earlier step are left with a warning.
 */
function linkIds(value: unknown, made: readonly ToolCallRecord[], createdBefore: ReadonlyMap<string, string>, stepId: string, warnings: string[]): unknown {
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    for (let i = made.length - 1; i >= 0; i -= 1) {
      const call = made[i]!;
      if (call.effect === 'read' || call.status !== 'ok' || !createdIds(call).includes(text)) continue;
      if (call.truncated) warnings.push(`step '${stepId}': the result of ${call.tool} was cut in the record; check the reference to its id`);
      return `{{ ${i === made.length - 1 ? 'calls.last' : `calls[${i}]`}.result.data.id }}`;
    }
    const from = createdBefore.get(text);
    if (from !== undefined)
      warnings.push(`step '${stepId}': '${text}' is the id of content step '${from}' created; left as recorded (it will differ in the sandbox)`);
    if (typeof value === 'number') return value;
    return /\{\{|\{%/.test(text) ? `{% raw %}${text}{% endraw %}` : text;
  }
  if (Array.isArray(value)) return value.map((v) => linkIds(v, made, createdBefore, stepId, warnings));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, linkIds(v, made, createdBefore, stepId, warnings)]));
  }
  return value;
}

/** One CQL check per page or blog post the run created, by type, space and title (never by id). */
function contentChecks(calls: readonly ToolCallRecord[], warnings: string[]): { confluence?: ContentCheck[] } {
  const checks: ContentCheck[] = [];
  for (const call of calls) {
    const type = CREATED_TYPES[call.tool];
    if (!type || call.status !== 'ok') continue;
    const result = (call.result ?? {}) as { title?: unknown; spaceId?: unknown; space?: { key?: unknown } };
    const args = (call.args ?? {}) as { title?: unknown; spaceId?: unknown; spaceKey?: unknown };
    const title = typeof result.title === 'string' ? result.title : typeof args.title === 'string' ? args.title : undefined;
    const spaceId = result.spaceId ?? args.spaceId;
    const key =
      typeof result.space?.key === 'string'
        ? result.space.key
        : typeof args.spaceKey === 'string'
          ? args.spaceKey
          : spaceId === undefined
            ? undefined
            : spaceKeyOf(String(spaceId), calls);
    if (title === undefined || key === undefined) {
      warnings.push(`${call.tool}: the record does not show the ${title === undefined ? 'title' : 'space key'} of what it created; no confluence check for it`);
      continue;
    }
    checks.push({ cql: `type = ${type} AND space = ${key} AND title = ${JSON.stringify(title)}`, count: 1 });
  }
  return checks.length ? { confluence: checks } : {};
}

/** The key of the space with this id, from any result of the run that lists it. */
function spaceKeyOf(spaceId: string, calls: readonly ToolCallRecord[]): string | undefined {
  let found: string | undefined;
  const visit = (value: unknown): void => {
    if (found !== undefined || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    const o = value as Record<string, unknown>;
    if (String(o.id) === spaceId && typeof o.key === 'string') found = o.key;
    else for (const v of Object.values(o)) visit(v);
  };
  for (const call of calls) visit(call.result);
  return found;
}
