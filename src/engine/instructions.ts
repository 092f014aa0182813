/** The instructions a prompt step's agent gets: the runner's frame, the workflow's own, and what earlier attempts did. */
import type { JournalEntry } from '../runs/types.ts';
import type { Workflow } from '../workflow/types.ts';

/** What the model is told when the workflow has `tools.body_format: markdown`. */
export const MARKDOWN_BODIES =
  'Write the body of every page and blog post you create or update in Markdown (GitHub flavour: headings, lists, ' +
  '`- [ ]` task lists, tables, links, images, fenced code with a language, `> [!NOTE]` / `> [!TIP]` / `> [!WARNING]` ' +
  'alerts), not in HTML or Confluence storage format: the runner converts it to storage format before the call.';

/** Builds the full instructions text. */
export function agentInstructions(workflow: Workflow, own: string | undefined, journal: readonly JournalEntry[], attempt: number): string {
  const parts = [
    `You are carrying out the workflow "${workflow.name}" unattended: nobody will answer questions. ` +
      'Use the tools you are given to do the task, check what they return, and then give your final answer. ' +
      'If a tool call is refused or fails, do not pretend it succeeded: say so in your final answer.',
  ];
  if (workflow.tools.body_format === 'markdown') parts.push(MARKDOWN_BODIES);
  if (own?.trim()) parts.push(own.trim());
  const made = journal.filter((e) => (e.state ?? 'done') === 'done');
  const unknown = journal.filter((e) => e.state === 'pending');
  if (attempt > 1 && made.length > 0) {
    const done = made.map((e) => `- ${e.tool} ${JSON.stringify(e.args)} -> ${summarise((e.result as { data?: unknown })?.data)}`);
    parts.push(
      `This is attempt ${attempt} of this run. Earlier attempts already made these changes; do not make them again ` +
        `(an identical call returns the earlier result):\n${done.join('\n')}`,
    );
  }
  if (attempt > 1 && unknown.length > 0) {
    const maybe = unknown.map((e) => `- ${e.tool} ${JSON.stringify(e.args)}`);
    parts.push(
      `Earlier attempts sent these changes and nobody can tell whether they landed; they will not be repeated, so do ` +
        `not make them again and say in your final answer that they need a person to check:\n${maybe.join('\n')}`,
    );
  }
  return parts.join('\n\n');
}

function summarise(data: unknown): string {
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const o = data as Record<string, unknown>;
    const keep = Object.fromEntries(['id', 'title', 'status', 'name'].filter((k) => k in o).map((k) => [k, o[k]]));
    if (Object.keys(keep).length) return JSON.stringify(keep);
  }
  const text = JSON.stringify(data) ?? 'null';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
