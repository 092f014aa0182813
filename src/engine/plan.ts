import type { RunnerConfig } from '../config/config.ts';
import { UserError } from '../shared/errors.ts';
import type { ToolCatalogue } from '../toolkit/catalogue.ts';
import { createToolAccess } from '../toolkit/access.ts';
import { fireTimesOf } from '../workflow/fire-times.ts';
import type { InputValues } from '../workflow/inputs.ts';
import { templateScope, type RunFacts } from '../workflow/scope.ts';
import { walkStrings } from '../workflow/semantics.ts';
import { createTemplateEngine, type TemplateEngine } from '../workflow/templates.ts';
import type { Workflow } from '../workflow/types.ts';

/** A text as it will be sent: rendered now, or left as written when it reads step outputs. */
export interface PlannedText {
  text: string;
  /** False when the text depends on earlier steps and is rendered only during the run. */
  rendered: boolean;
}

/** One step of the plan. */
export interface PlannedStep {
  id: string;
  kind: 'prompt' | 'tool';
  title?: PlannedText;
  prompt?: PlannedText;
  tool?: string;
  with?: unknown;
  assertions?: number;
  /** Tools this step may call, with their effects. */
  tools: Array<{ slug: string; effect: string }>;
  outputSchema?: boolean;
}

/** What a run would do, computed without touching any model or tool. */
export interface Plan {
  workflow: { name: string; file: string; hash: string; description?: string };
  mode: 'live' | 'preview';
  model: string;
  backend: string;
  inputs: InputValues;
  instructions?: PlannedText;
  limits: Workflow['limits'];
  retry: Workflow['retry'];
  /** Which calls wait for a person, and how long (absent: none do). */
  approval?: Workflow['approval'];
  /** The next three fire times after `run.started_at`; `problem` says why there are none when they cannot be computed. */
  schedule?: { cron: string; timezone: string; next: string[]; problem?: string };
  steps: PlannedStep[];
}

/** Options of {@link planRun}. */
export interface PlanOptions {
  inputs: InputValues;
  config: Pick<RunnerConfig, 'model' | 'backend'>;
  catalogue: ToolCatalogue;
  /** Facts templates see as `run.*` (scheduled_at decides date filters). */
  run: RunFacts;
  /** Forces preview mode (the `--preview` flag). */
  preview?: boolean;
}

/** Validates nothing (the workflow already is) and runs nothing: renders what it can and lists what would happen. */
export function planRun(workflow: Workflow, options: PlanOptions): Plan {
  const engine = createTemplateEngine(workflow.timezone, { deadline: Date.now() + workflow.limits.timeoutMs });
  const scope = templateScope(workflow, options.inputs, options.run);
  const render = (text: string): PlannedText => renderIfPossible(engine, text, scope);
  const access = createToolAccess({ allow: workflow.tools.allow, allowDestructive: workflow.tools.allow_destructive, catalogue: options.catalogue });
  const allowed = access.allowedTools().map((t) => ({ slug: t.slug, effect: t.effect }));
  const steps: PlannedStep[] = workflow.steps.map((step) => {
    const title = step.title ? render(step.title) : undefined;
    if (step.kind === 'prompt') {
      return { id: step.id, kind: 'prompt', title, prompt: render(step.prompt), tools: allowed, outputSchema: Boolean(step.output) };
    }
    const args = structuredClone(step.with) as Record<string, unknown>;
    walkStrings(args, [], (path, text) => setIn(args, path, render(text).text));
    const effect = options.catalogue.get(step.tool)?.effect ?? 'read';
    return { id: step.id, kind: 'tool', title, tool: step.tool, with: args, assertions: step.assert.length, tools: [{ slug: step.tool, effect }] };
  });
  return {
    workflow: { name: workflow.name, file: workflow.file, hash: workflow.hash, description: workflow.description },
    mode: options.preview ? 'preview' : workflow.mode,
    model: workflow.agent.model ?? options.config.model,
    backend: workflow.tools.backend ?? options.config.backend,
    inputs: options.inputs,
    instructions: workflow.agent.instructions ? render(workflow.agent.instructions) : undefined,
    limits: workflow.limits,
    retry: workflow.retry,
    ...(workflow.approval ? { approval: workflow.approval } : {}),
    schedule: workflow.schedule && plannedSchedule(workflow.schedule, new Date(options.run.started_at)),
    steps,
  };
}

/** The schedule with its next three fire times; a schedule whose fire times cannot be computed says why instead of failing the plan. */
function plannedSchedule(schedule: NonNullable<Workflow['schedule']>, from: Date): NonNullable<Plan['schedule']> {
  const fire = fireTimesOf(schedule, from, 3);
  return { ...schedule, next: fire.next.map((d) => d.toISOString()), ...(fire.problem ? { problem: fire.problem } : {}) };
}

function renderIfPossible(engine: TemplateEngine, text: string, scope: object): PlannedText {
  const refs = engine.check(text).refs;
  if (refs.some((r) => r[0] === 'steps')) return { text, rendered: false };
  try {
    return { text: engine.render(text, scope), rendered: true };
  } catch (error) {
    const snippet = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    throw new UserError(`cannot render template '${snippet.replace(/\n/g, ' ')}': ${(error as Error).message.split('\n')[0]}`);
  }
}

function setIn(target: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown): void {
  let cursor: any = target;
  for (const key of path.slice(0, -1)) cursor = cursor[key];
  cursor[path[path.length - 1]!] = value;
}
