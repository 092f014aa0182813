import type { TestTurn } from '../../workflow/test-file.ts';
import type { PromptStep, Workflow } from '../../workflow/types.ts';
import { createTemplateEngine } from '../../workflow/templates.ts';
import type { ModelRequestView, ScriptedTurn } from '../scripted-model-types.ts';

/**
 * The scripted model of one case: the k-th conversation that starts at turn 0 is the k-th prompt step in workflow
 * order, and each request gets that step's turn at `request.turn`. Strings in `with` and `final` are Liquid over
 * `calls`: the step's earlier tool results as the request shows them (`calls.last.result`, `calls[0].result`). Running out of turns answers 500 with a message
 * naming the step, which fails the run (and so the case).
 */
export function caseScript(workflow: Workflow, model: Record<string, TestTurn[]>): (request: ModelRequestView) => ScriptedTurn {
  const steps = workflow.steps.filter((s): s is PromptStep => s.kind === 'prompt');
  const engine = createTemplateEngine();
  let conversation = -1;
  return (request) => {
    if (request.turn === 0) conversation += 1;
    const step = steps[conversation];
    if (!step) return { fault: { status: 500, message: `runner test: no prompt step left for model conversation ${conversation + 1}` } };
    const turns = model[step.id] ?? [];
    const turn = turns[request.turn];
    if (!turn) {
      return {
        fault: {
          status: 500,
          message: `runner test: the model script of step '${step.id}' ran out of turns (it has ${turns.length}, the step asked for turn ${request.turn + 1})`,
        },
      };
    }
    const calls = request.toolResults.map((r) => ({ id: r.callId, result: parseOutput(r.output) }));
    const scope = { calls: Object.assign(calls, { last: calls.at(-1), first: calls[0] }) };
    const render = (value: unknown) => renderLeaves(value, (text) => engine.render(text, scope));
    const call = (c: { call: string; with?: Record<string, unknown> }) => ({ name: c.call, arguments: render(c.with ?? {}) as Record<string, unknown> });
    if ('call' in turn) return { toolCalls: [call(turn)] };
    if ('calls' in turn) return { toolCalls: turn.calls.map(call) };
    const rendered = render(turn.final);
    return { text: typeof rendered === 'string' ? rendered : JSON.stringify(rendered) };
  };
}

/** A tool result as the request shows it: JSON when it parses, else the text. */
function parseOutput(output: string): unknown {
  try {
    return JSON.parse(output);
  } catch {
    return output;
  }
}

/** `value` with every string in it rendered. */
function renderLeaves(value: unknown, render: (text: string) => string): unknown {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((v) => renderLeaves(v, render));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderLeaves(v, render)]));
  return value;
}
