/** The runs page (`/`): newest first, filtered by workflow, status, trigger and date, 50 per page, live. */
import { RUN_STATUSES, type RunFilter, type RunRecord, type RunStatus, type RunTrigger } from '../../runs/types.ts';
import { compactCount } from '../../shared/count.ts';
import { type Html, html } from '../../shared/html.ts';
import { query } from '../query.ts';
import { type Clock, runDuration, statusBadge, triggerText } from '../layout.ts';

/** Runs per page. */
export const RUNS_PER_PAGE = 50;

/** The triggers a run can have. */
const TRIGGERS: ReadonlyArray<RunTrigger['type']> = ['manual', 'schedule', 'rerun'];

/** The runs page's filters as the URL gives them. */
export interface RunsQuery {
  workflow?: string;
  status?: RunStatus;
  trigger?: RunTrigger['type'];
  /** A day (YYYY-MM-DD) or ISO time: runs created on or after it. */
  from?: string;
  /** A day (YYYY-MM-DD, included) or ISO time: runs created before it. */
  to?: string;
  /** Paging: runs created before this ISO time (the last row of the previous page). */
  before?: string;
}

/** Reads the filters from a URL; unknown values are dropped (and `problems` says so). */
export function runsQuery(params: URLSearchParams): { query: RunsQuery; problems: string[] } {
  const problems: string[] = [];
  const q: RunsQuery = {};
  const workflow = params.get('workflow')?.trim();
  if (workflow) q.workflow = workflow;
  const status = params.get('status');
  if (status) {
    if ((RUN_STATUSES as readonly string[]).includes(status)) q.status = status as RunStatus;
    else problems.push(`unknown status '${status}' (one of ${RUN_STATUSES.join(', ')})`);
  }
  const trigger = params.get('trigger');
  if (trigger) {
    if ((TRIGGERS as readonly string[]).includes(trigger)) q.trigger = trigger as RunTrigger['type'];
    else problems.push(`unknown trigger '${trigger}' (one of ${TRIGGERS.join(', ')})`);
  }
  for (const key of ['from', 'to', 'before'] as const) {
    const value = params.get(key)?.trim();
    if (!value) continue;
    if (Number.isNaN(Date.parse(value))) problems.push(`'${value}' is not a date (${key}); use YYYY-MM-DD`);
    else q[key] = value;
  }
  return { query: q, problems };
}

/** The store filter of a query: `to` as a day includes that whole day (UTC). */
export function runsFilter(q: RunsQuery, limit = RUNS_PER_PAGE): RunFilter {
  const dayEnd = (day: string) => new Date(Date.parse(day) + 86_400_000).toISOString();
  const to = q.to && (/^\d{4}-\d{2}-\d{2}$/.test(q.to) ? dayEnd(q.to) : new Date(q.to).toISOString());
  const before = q.before && new Date(q.before).toISOString();
  // ISO instants in one format compare as text: the earlier bound wins.
  const until = [to, before].filter((t) => t !== undefined && t !== '').sort()[0];
  return {
    ...(q.workflow && { workflow: q.workflow }),
    ...(q.status && { status: q.status }),
    ...(q.trigger && { trigger: q.trigger }),
    ...(q.from && { since: new Date(q.from).toISOString() }),
    ...(until && { until }),
    limit,
  };
}

/** What the runs page shows. */
export interface RunsView {
  query: RunsQuery;
  problems: string[];
  runs: RunRecord[];
  /** Whether there are older runs than the last shown. */
  more: boolean;
  /** Workflow names offered in the filter. */
  workflows: string[];
  clock: Clock;
}

/** The page body (the filters form, then the live part). */
export function runsBody(view: RunsView): Html {
  const q = view.query;
  const option = (value: string, selected: string | undefined, label = value) =>
    html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
  const names = [...new Set([...view.workflows, ...(q.workflow ? [q.workflow] : [])])].sort();
  return html`<h1>Runs</h1>
<form class="filters" method="get" action="/" aria-label="Filter runs">
<label>Workflow<select name="workflow">${option('', q.workflow, 'all')}${names.map((n) => option(n, q.workflow))}</select></label>
<label>Status<select name="status">${option('', q.status, 'any')}${RUN_STATUSES.map((s) => option(s, q.status))}</select></label>
<label>Trigger<select name="trigger">${option('', q.trigger, 'any')}${TRIGGERS.map((t) => option(t, q.trigger))}</select></label>
<label>From<input type="date" name="from" value="${q.from ?? ''}"></label>
<label>To<input type="date" name="to" value="${q.to ?? ''}"></label>
<button type="submit">Filter</button> <a class="button" href="/">Clear</a>
</form>
${view.problems.map((p) => html`<p class="notice" role="alert">${p}</p>`)}
<div id="live">${runsLive(view)}</div>`;
}

/** The part of the page that live updates reload: the table and the pager. */
export function runsLive(view: RunsView): Html {
  if (view.runs.length === 0) {
    const filtered = Object.keys(view.query).length > 0;
    return html`<p class="empty">${filtered ? 'No runs match these filters.' : 'No runs yet. Start one with runner run workflows/<file>.yaml.'}</p>`;
  }
  const now = view.clock.now();
  const last = view.runs.at(-1)!;
  const { before: _, ...rest } = view.query;
  const older = query({ ...(rest as Record<string, string>), before: last.createdAt });
  return html`<table aria-label="Runs, newest first"><thead><tr>
<th scope="col">Status</th><th scope="col">Workflow</th><th scope="col">Run</th><th scope="col">Trigger</th>
<th scope="col">Created (${view.clock.zoneName()})</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Tokens</th>
<th scope="col" class="num">Attempts</th><th scope="col">Failure</th></tr></thead>
<tbody>${view.runs.map(
    (run) => html`<tr data-run="${run.id}">
<td>${statusBadge(run.status)}</td><td>${run.workflow}</td>
<td class="mono"><a href="/runs/${encodeURIComponent(run.id)}">${run.id.slice(0, 8)}</a>${run.mode === 'preview' ? html` <span class="muted">preview</span>` : ''}</td>
<td>${triggerText(run)}</td><td>${view.clock.time(run.createdAt)}</td>
<td class="num">${runDuration(run, now)}</td>
<td class="num">${compactCount(run.usage.inputTokens + run.usage.outputTokens)}</td>
<td class="num">${run.attempts.length}</td>
<td>${run.error ? html`<span class="muted">${run.error.kind}:</span> ${firstLine(run.error.message)}` : ''}</td></tr>`,
  )}</tbody></table>
<nav class="pager" aria-label="Pages">${view.query.before ? html`<a href="/${query(rest as Record<string, string>)}">Newest</a>` : ''}${
    view.more ? html`<a href="/${older}">Older runs →</a>` : ''
  }</nav>`;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}
