/**
 * The run page (`/runs/<id>`): what the run was asked, a timeline of every attempt (steps and tool calls as bars on
 * one axis, each call expandable to its arguments and result), prompts, outputs, the failure, links, notification
 * deliveries, held calls with Approve / Reject, and Re-run.
 */
import { OPEN_STATUSES } from '../../runs/lifecycle.ts';
import type { ApprovalWait, NotificationRecord, PendingApproval, RunRecord, StepRecord, ToolCallRecord } from '../../runs/types.ts';
import { storageOf } from '../../confluence/storage-text.ts';
import { renderStorage } from '../../sandbox/web/render-storage.ts';
import { compactCount } from '../../shared/count.ts';
import { formatDuration } from '../../shared/duration.ts';
import { html, type Html } from '../../shared/html.ts';
import { type Clock, json, runDuration, statusBadge, triggerText } from '../layout.ts';
import { layoutAttempt, type TimelineRow } from '../timeline.ts';

/** What the run page shows. */
export interface RunView {
  run: RunRecord;
  clock: Clock;
  /** The form token every POST must carry. */
  csrf: string;
  /** A message after an action (approved, re-run started, or why not). */
  flash?: { ok: boolean; text: string };
}

/** The page body: heading, then the live part. */
export function runBody(view: RunView): Html {
  const { run } = view;
  return html`<p class="muted"><a href="/">Runs</a> › <a href="/?workflow=${encodeURIComponent(run.workflow)}">${run.workflow}</a></p>
<h1>${run.workflow} <span class="mono muted">${run.id.slice(0, 8)}</span></h1>
${view.flash ? html`<p class="${view.flash.ok ? 'notice' : 'failure'}" role="status">${view.flash.text}</p>` : ''}
<div id="live">${runLive(view)}</div>`;
}

/** The part of the page live updates reload. */
export function runLive(view: RunView): Html {
  const { run, clock } = view;
  const now = clock.now();
  const ended = !OPEN_STATUSES.includes(run.status);
  return html`<section class="card" aria-label="Summary"><div class="actions" style="justify-content:space-between">
<div>${statusBadge(run.status)} ${run.mode === 'preview' ? html`<span class="badge s-cancelled">preview</span>` : ''}</div>
${ended ? rerunForm(run, view.csrf) : ''}</div>
<dl class="facts" style="margin-top:10px">
<dt>Run id</dt><dd class="mono">${run.id}</dd>
<dt>Trigger</dt><dd>${run.trigger.type === 'rerun' ? html`re-run of <a href="/runs/${encodeURIComponent(run.trigger.of)}">${run.trigger.of.slice(0, 8)}</a>` : triggerText(run)}${
    run.trigger.type === 'schedule' ? html` <span class="muted">slot ${clock.time(run.trigger.slot)}</span>` : ''
  }</dd>
<dt>Created</dt><dd>${clock.time(run.createdAt)}</dd>
<dt>Started / ended</dt><dd>${clock.time(run.startedAt)} → ${clock.time(run.endedAt)} <span class="muted">(${runDuration(run, now)})</span></dd>
<dt>Backend, model</dt><dd>${run.backend}, ${run.model}</dd>
<dt>Tokens</dt><dd>${compactCount(run.usage.inputTokens)} in / ${compactCount(run.usage.outputTokens)} out, ${run.usage.requests} model request(s)</dd>
<dt>Attempts</dt><dd>${run.attempts.length}</dd>
<dt>Workflow file</dt><dd class="mono">${run.workflowFile}</dd>
${run.reruns?.length ? html`<dt>Re-runs</dt><dd>${run.reruns.map((id) => html`<a class="mono" href="/runs/${encodeURIComponent(id)}">${id.slice(0, 8)}</a> `)}</dd>` : ''}
</dl></section>
${
  run.error
    ? html`<section class="failure" aria-label="Failure"><strong>${run.status === 'cancelled' ? 'Cancelled' : 'Failed'}: ${run.error.kind}</strong>${
        run.error.step ? html` in step <code>${run.error.step}</code>` : ''
      }<pre>${run.error.message}</pre></section>`
    : ''
}
${run.status === 'waiting' ? waiting(run, view) : ''}
${run.links.length ? html`<section class="card" aria-label="Links"><h2>Created or changed</h2><ul>${run.links.map((l) => html`<li><a href="${safeHref(l)}">${l}</a></li>`)}</ul></section>` : ''}
${run.attempts.map((attempt) => {
  const tl = layoutAttempt(attempt, now.getTime());
  return html`<section class="card" aria-label="Attempt ${attempt.number}"><h2>Attempt ${attempt.number} ${statusBadge(attempt.status)} <span class="muted">${
    attempt.worker ?? ''
  } · ${clock.time(attempt.startedAt)} · ${formatDuration(tl.spanMs)}</span></h2>
${attempt.error ? html`<p class="failure">${attempt.error.kind}: ${attempt.error.message}</p>` : ''}
<div class="tl" role="list">${tl.rows.map((row) => timelineRow(row, attempt.number))}</div>
${attempt.steps.filter((s) => s.prompt || s.instructions || s.output !== undefined).map((s) => stepDetails(s, attempt.number))}
</section>`;
})}
${
  Object.keys(run.outputs).length
    ? html`<section class="card" aria-label="Outputs"><h2>Outputs</h2>${Object.entries(run.outputs).map(
        ([step, output]) => html`<h3><code>${step}</code></h3><pre>${json(output)}</pre>`,
      )}</section>`
    : ''
}
${Object.keys(run.inputs).length ? html`<section class="card" aria-label="Inputs"><h2>Inputs</h2><pre>${json(run.inputs)}</pre></section>` : ''}
${run.notes.length ? html`<section class="card" aria-label="Notes"><h2>Notes</h2><ul>${run.notes.map((n) => html`<li>${n}</li>`)}</ul></section>` : ''}
${run.notifications?.length ? notifications(run.notifications, clock) : ''}`;
}

function rerunForm(run: RunRecord, csrf: string): Html {
  return html`<form method="post" action="/runs/${encodeURIComponent(run.id)}/rerun"><input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="primary">Re-run</button></form>`;
}

function timelineRow(row: TimelineRow, attempt: number): Html {
  const bar = html`<div class="track" aria-hidden="true"><div class="bar${row.kind === 'call' ? ` ${row.call.status}` : ''}" style="left:${row.bar.left}%;width:${row.bar.width}%"></div></div>`;
  const dur = html`<div class="dur">${formatDuration(row.bar.durationMs)}</div>`;
  if (row.kind === 'step') {
    const s = row.step;
    const what = s.kind === 'prompt' ? `prompt step, ${s.turns ?? 0} turn(s)${s.modelRetries ? `, ${s.modelRetries} retried` : ''}` : 'tool step';
    return html`<div class="row step" role="listitem"><div class="label"><strong>${s.id}</strong> ${statusBadge(s.status)} <span class="muted">${what}</span></div>${bar}${dur}</div>`;
  }
  const c = row.call;
  return html`<div class="row call" role="listitem"><div class="label"><span class="mono">${c.tool}</span> <span class="muted">${c.status}${
    c.turn ? `, turn ${c.turn}` : ''
  }</span></div>${bar}${dur}</div>${callDetails(c, `call-${attempt}-${row.step.id}-${row.index}`)}`;
}

function callDetails(c: ToolCallRecord, id: string): Html {
  return html`<details class="call" id="${id}"><summary>${c.tool} <span class="muted">(${c.effect}${c.via ? `, via ${c.via}` : ''})</span> arguments and result</summary>
<h3>Arguments${c.argsTruncated ? ' (cut)' : ''}</h3><pre>${json(c.args)}</pre>
${c.result !== undefined ? html`<h3>Result${c.truncated ? ' (cut)' : ''}</h3><pre>${json(c.result)}</pre>` : ''}
${c.error ? html`<h3>Error</h3><pre>${c.error}</pre>` : ''}${c.note ? html`<p class="muted">${c.note}</p>` : ''}</details>`;
}

function stepDetails(s: StepRecord, attempt: number): Html {
  return html`<details id="step-${attempt}-${s.id}"><summary>Step <code>${s.id}</code>${s.title ? ` (${s.title})` : ''}: prompt, instructions and output</summary>
${s.instructions ? html`<h3>Instructions</h3><pre>${s.instructions}</pre>` : ''}${s.prompt ? html`<h3>Prompt</h3><pre>${s.prompt}</pre>` : ''}
${s.output !== undefined ? html`<h3>Output</h3><pre>${json(s.output)}</pre>` : ''}${s.error ? html`<h3>Error</h3><pre>${s.error.kind}: ${s.error.message}</pre>` : ''}</details>`;
}

function waiting(run: RunRecord, view: RunView): Html {
  const wait = run.approvals!.at(-1)! as ApprovalWait;
  const action = (verb: 'approve' | 'reject') => `/runs/${encodeURIComponent(run.id)}/${verb}`;
  const open = wait.calls.filter((c) => !c.decision);
  return html`<section class="card" aria-label="Waiting for approval" id="approval"><h2>Waiting for approval</h2>
<p>${wait.calls.length} call(s) held since ${view.clock.time(wait.since)}; undecided calls are rejected at ${view.clock.time(wait.expiresAt)}.</p>
${wait.note ? html`<p class="notice">${wait.note}</p>` : ''}
${wait.calls.map(
  (
    call,
  ) => html`<article class="card" aria-label="Held call ${call.n}"><h3>[${call.n}] <span class="mono">${call.tool}</span> <span class="muted">(${call.effect}, step ${call.step})</span>
${call.decision ? html` ${statusBadge(call.decision.approved ? 'succeeded' : 'failed')} <span class="muted">${call.decision.approved ? 'approved' : 'rejected'} by ${call.decision.by}${call.decision.reason ? `: ${call.decision.reason}` : ''}</span>` : ''}</h3>
${bodyPreview(call)}
<details id="held-${call.n}"><summary>Arguments</summary><pre>${json(call.args)}</pre></details>
${call.decision ? '' : decisionForms(action, view.csrf, String(call.n))}</article>`,
)}
${open.length > 1 ? html`<h3>All ${open.length} undecided calls</h3>${decisionForms(action, view.csrf, 'all')}` : ''}</section>`;
}

/**
 * The page or blog post body a held call would write: rendered as the page would show it (the sandbox's allowlist
 * renderer: no script, no style, no event attribute gets through), with the plain-text preview under it; arguments
 * cut in the record cannot be rendered, so then only the text shows.
 */
function bodyPreview(call: PendingApproval): Html {
  const storage = call.args && typeof call.args === 'object' ? storageOf(call.args as Record<string, unknown>) : undefined;
  if (storage === undefined) return call.preview ? html`<div class="preview" aria-label="Content it would write">${call.preview}</div>` : html``;
  const title = (call.args as { title?: unknown }).title;
  return html`${typeof title === 'string' ? html`<p><span class="muted">Title</span> <strong>${title}</strong></p>` : ''}
<div class="rendered" aria-label="Content it would write">${renderStorage(storage, { topHeading: 3 })}</div>
${call.preview ? html`<details><summary>As text</summary><div class="preview">${call.preview}</div></details>` : ''}`;
}

function decisionForms(action: (verb: 'approve' | 'reject') => string, csrf: string, call: string): Html {
  const label = call === 'all' ? 'all' : `call ${call}`;
  return html`<div class="actions">
<form method="post" action="${action('approve')}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="call" value="${call}">
<button type="submit" class="primary">Approve ${label}</button></form>
<form method="post" action="${action('reject')}" class="actions"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="call" value="${call}">
<label>Reason <input name="reason" size="28" placeholder="optional, told to the agent"></label>
<button type="submit" class="danger">Reject ${label}</button></form></div>`;
}

function notifications(list: NotificationRecord[], clock: Clock): Html {
  return html`<section class="card" aria-label="Notifications"><h2>Notifications</h2><table><thead><tr>
<th scope="col">Event</th><th scope="col">Channel</th><th scope="col">Target</th><th scope="col">Rule</th><th scope="col">Outcome</th></tr></thead><tbody>
${list.map((n) => {
  const last = n.attempts.at(-1);
  const outcome = n.deliveredAt
    ? html`delivered ${clock.time(n.deliveredAt)}`
    : n.done
      ? html`<span style="color:var(--bad)">gave up</span>`
      : html`<span class="muted">retrying</span>`;
  return html`<tr><td>${n.event}</td><td>${n.channel}</td><td class="mono">${n.target}</td><td>${n.rule}</td><td>${outcome} <span class="muted">(${n.attempts.length} attempt(s)${
    last && !last.ok ? `; last: ${last.status ?? ''} ${last.error ?? ''}` : ''
  })</span></td></tr>`;
})}</tbody></table></section>`;
}

/** A link a record holds, only when it is http(s): anything else is shown as text, never followed. */
function safeHref(link: string): string {
  return /^https?:\/\//i.test(link) ? link : '#';
}
