import { randomUUID } from 'node:crypto';
import { planRun, type Plan, type PlannedText } from '../../engine/plan.ts';
import { UserError } from '../../shared/errors.ts';
import { confluenceCatalogue } from '../../toolkit/catalogue.ts';
import { formatDuration } from '../../shared/duration.ts';
import { parseInputFlags, resolveInputs } from '../../workflow/inputs.ts';
import { loadWorkflow } from '../../workflow/load.ts';
import { cliConfig, loadOptions } from '../context.ts';
import { EXIT, ExitCode } from '../exit.ts';
import { err, out, outJson, paint, printable as p } from '../output.ts';

/** Flags of `runner run`. */
export interface RunFlags {
  input: string[];
  backend?: string;
  plan?: boolean;
  preview?: boolean;
  at?: string;
  'no-prompt'?: boolean;
  json?: boolean;
}

/** `runner run <file>`: runs the workflow now (or, with --plan, prints what would run without touching a model or a tool). */
export async function runCommand(file: string, flags: RunFlags): Promise<void> {
  const config = cliConfig({ backend: flags.backend });
  const workflow = await loadWorkflow(file, loadOptions());
  const given = parseInputFlags(flags.input);
  const inputs = resolveInputs(workflow, given);
  const now = new Date();
  const scheduledAt = flags.at ? parseAt(flags.at) : undefined;
  if (flags.plan) {
    const plan = planRun(workflow, {
      inputs,
      config,
      catalogue: confluenceCatalogue(),
      preview: flags.preview,
      run: { id: `plan-${randomUUID()}`, scheduled_at: (scheduledAt ?? now).toISOString(), started_at: now.toISOString(), trigger: 'manual', attempt: 1 },
    });
    if (flags.json) outJson(plan);
    else printPlan(plan);
    // The plan is still shown; a schedule whose fire times cannot be computed is the file's error, as in `runner list`.
    if (plan.schedule?.problem) {
      err(p(`${workflow.file}: ${plan.schedule.problem}`));
      throw new ExitCode(EXIT.usage);
    }
    return;
  }

  const [{ openSqliteRunStore }, { runInProcess }] = await Promise.all([import('../../runs/sqlite-store.ts'), import('../run-in-process.ts')]);
  const store = openSqliteRunStore(config.dbPath);
  try {
    await runInProcess(workflow, { inputs: given, preview: flags.preview, scheduledAt }, { config, store, json: flags.json, prompt: !flags['no-prompt'] });
  } finally {
    await store.close();
  }
}

function parseAt(at: string): Date {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new UserError(`--at '${at}' is not a date; use an ISO time like 2026-11-27T16:00:00+01:00`);
  return d;
}

function printPlan(plan: Plan): void {
  const text = (t: PlannedText | undefined) =>
    t ? (t.rendered ? p(t.text) : `${p(t.text)}\n${paint('dim', '(rendered during the run: reads earlier step outputs)')}`) : '';
  const indent = (s: string) =>
    s
      .trimEnd()
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n');
  out(`${paint('bold', `Plan for ${p(plan.workflow.name)}`)} ${paint('dim', p(`(${plan.workflow.file}, ${plan.workflow.hash.slice(0, 12)})`))}`);
  if (plan.workflow.description) out(`  ${p(plan.workflow.description)}`);
  out(p(`  mode: ${plan.mode}   model: ${plan.model}   backend: ${plan.backend}`));
  out(
    `  limits: ${plan.limits.maxTurns} turns per step, ${plan.limits.maxToolCalls} tool calls, timeout ${formatDuration(plan.limits.timeoutMs)}${plan.limits.maxTokens ? `, ${plan.limits.maxTokens} tokens` : ''}`,
  );
  out(`  retry: ${plan.retry.attempts} attempt(s), ${plan.retry.backoff.type} backoff from ${formatDuration(plan.retry.backoff.delayMs)}`);
  if (plan.approval) {
    const rule =
      typeof plan.approval.requiredFor === 'string'
        ? `every ${plan.approval.requiredFor === 'writes' ? 'write' : 'destructive call'}`
        : plan.approval.requiredFor.join(', ');
    out(`  approval: ${p(rule)} waits for a person (runner approve/reject), at most ${formatDuration(plan.approval.timeoutMs)}`);
  }
  out(
    `  schedule: ${plan.schedule ? `${plan.schedule.cron} (${plan.schedule.timezone}); next: ${plan.schedule.next.join(', ') || 'none'}` : 'on demand only'}`,
  );
  const inputs = Object.entries(plan.inputs);
  out(p(`  inputs: ${inputs.length ? inputs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') : 'none'}`));
  if (plan.instructions) out(`  instructions:\n${indent(text(plan.instructions))}`);
  plan.steps.forEach((step, i) => {
    out('');
    out(paint('bold', p(`  ${i + 1}. ${step.id} (${step.kind})${step.title ? ` — ${step.title.text}` : ''}`)));
    if (step.kind === 'prompt') {
      out(`    prompt:\n${indent(text(step.prompt))}`);
      if (step.outputSchema) out('    output: structured, validated against its schema');
      out(`    may call ${step.tools.length} tool(s): ${step.tools.map((t) => (t.effect === 'read' ? t.slug : `${t.slug} [${t.effect}]`)).join(', ')}`);
    } else {
      out(p(`    calls ${step.tool} [${step.tools[0]!.effect}] with:\n${indent(JSON.stringify(step.with, null, 2))}`));
      if (step.assertions) out(`    then checks ${step.assertions} assertion(s)`);
    }
  });
}
