import { randomUUID } from 'node:crypto';
import { planRun, type Plan, type PlannedText } from '../../engine/plan.ts';
import { UserError } from '../../shared/errors.ts';
import { confluenceCatalogue } from '../../tools/catalogue.ts';
import { formatDuration } from '../../workflow/duration.ts';
import { parseInputFlags, resolveInputs } from '../../workflow/inputs.ts';
import { loadWorkflow } from '../../workflow/load.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { out, outJson, paint } from '../output.ts';

/** Flags of `runner run`. */
export interface RunFlags {
  input: string[];
  backend?: string;
  plan?: boolean;
  preview?: boolean;
  at?: string;
  json?: boolean;
}

/** `runner run <file>`: with --plan, prints what would run without touching a model or a tool. */
export async function runCommand(file: string, flags: RunFlags): Promise<void> {
  const config = cliConfig({ backend: flags.backend });
  const workflow = await loadWorkflow(file, loadOptions());
  const inputs = resolveInputs(workflow, parseInputFlags(flags.input));
  const now = new Date();
  const scheduledAt = flags.at ? parseAt(flags.at) : now;
  if (!flags.plan) {
    throw new UserError('running workflows needs the engine, which is not part of this build yet; use --plan to see what would run');
  }
  const plan = planRun(workflow, {
    inputs,
    config,
    catalogue: confluenceCatalogue().tools,
    preview: flags.preview,
    run: { id: `plan-${randomUUID()}`, scheduled_at: scheduledAt.toISOString(), started_at: now.toISOString(), trigger: 'manual', attempt: 1 },
  });
  if (flags.json) outJson(plan);
  else printPlan(plan);
}

function parseAt(at: string): Date {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new UserError(`--at '${at}' is not a date; use an ISO time like 2026-11-27T16:00:00+01:00`);
  return d;
}

function printPlan(plan: Plan): void {
  const text = (t: PlannedText | undefined) => (t ? (t.rendered ? t.text : `${t.text}\n${paint('dim', '(rendered during the run: reads earlier step outputs)')}`) : '');
  const indent = (s: string) => s.trimEnd().split('\n').map((l) => `      ${l}`).join('\n');
  out(`${paint('bold', `Plan for ${plan.workflow.name}`)} ${paint('dim', `(${plan.workflow.file}, ${plan.workflow.hash.slice(0, 12)})`)}`);
  if (plan.workflow.description) out(`  ${plan.workflow.description}`);
  out(`  mode: ${plan.mode}   model: ${plan.model}   backend: ${plan.backend}`);
  out(`  limits: ${plan.limits.maxTurns} turns per step, timeout ${formatDuration(plan.limits.timeoutMs)}${plan.limits.maxTokens ? `, ${plan.limits.maxTokens} tokens` : ''}`);
  out(`  retry: ${plan.retry.attempts} attempt(s), ${plan.retry.backoff.type} backoff from ${formatDuration(plan.retry.backoff.delayMs)}`);
  out(`  schedule: ${plan.schedule ? `${plan.schedule.cron} (${plan.schedule.timezone}); next: ${plan.schedule.next.join(', ')}` : 'on demand only'}`);
  const inputs = Object.entries(plan.inputs);
  out(`  inputs: ${inputs.length ? inputs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') : 'none'}`);
  if (plan.instructions) out(`  instructions:\n${indent(text(plan.instructions))}`);
  plan.steps.forEach((step, i) => {
    out('');
    out(paint('bold', `  ${i + 1}. ${step.id} (${step.kind})${step.title ? ` — ${step.title.text}` : ''}`));
    if (step.kind === 'prompt') {
      out(`    prompt:\n${indent(text(step.prompt))}`);
      if (step.outputSchema) out('    output: structured, validated against its schema');
      out(`    may call ${step.tools.length} tool(s): ${step.tools.map((t) => (t.effect === 'read' ? t.slug : `${t.slug} [${t.effect}]`)).join(', ')}`);
    } else {
      out(`    calls ${step.tool} [${step.tools[0]!.effect}] with:\n${indent(JSON.stringify(step.with, null, 2))}`);
      if (step.assertions) out(`    then checks ${step.assertions} assertion(s)`);
    }
  });
}
