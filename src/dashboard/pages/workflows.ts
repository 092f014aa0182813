/**
 * The workflows page (`/workflows`): each workflow of the folder with its schedule in words, time zone, next fires
 * and pause, the last 30 outcomes as a strip, success rate, p50/p95 duration, and duration and tokens per run as
 * small charts; files that do not validate are listed with their problems.
 */
import type { PauseInfo } from '../../schedules/pauses.ts';
import { compactCount } from '../../shared/count.ts';
import { formatDuration } from '../../shared/duration.ts';
import { html, type Html } from '../../shared/html.ts';
import type { Clock } from '../layout.ts';
import type { WorkflowStats } from '../stats.ts';

/** One workflow as the page shows it. */
export interface WorkflowRow {
  name: string;
  file: string;
  description?: string;
  schedule?: { cron: string; timezone: string; words: string; next: Date[]; problem?: string };
  paused?: PauseInfo;
  stats: WorkflowStats;
}

/** What the workflows page shows. */
export interface WorkflowsView {
  folder: string;
  rows: WorkflowRow[];
  /** Files that do not validate: the file and its first problems as `file:line:col: message`. */
  invalid: Array<{ file: string; problems: string[] }>;
  clock: Clock;
}

/** The page body. */
export function workflowsBody(view: WorkflowsView): Html {
  return html`<h1>Workflows <span class="muted">in ${view.folder}</span></h1>
${view.rows.length === 0 && view.invalid.length === 0 ? html`<p class="empty">No workflow files in ${view.folder}.</p>` : ''}
${view.rows.map((row) => workflowCard(row, view.clock))}
${
  view.invalid.length
    ? html`<h2>Files that do not validate</h2>${view.invalid.map(
        (f) => html`<section class="failure" aria-label="${f.file}"><strong class="mono">${f.file}</strong><pre>${f.problems.join('\n')}</pre></section>`,
      )}`
    : ''
}`;
}

function workflowCard(row: WorkflowRow, clock: Clock): Html {
  const s = row.stats;
  const rate = s.successRate === undefined ? '-' : `${Math.round(s.successRate * 100)}%`;
  const tokens = s.series.length ? compactCount(Math.round(s.series.reduce((sum, r) => sum + r.tokens, 0) / s.series.length)) : '-';
  return html`<section class="card" aria-labelledby="wf-${row.name}"><h2 id="wf-${row.name}"><a href="/?workflow=${encodeURIComponent(row.name)}">${row.name}</a>
<span class="muted mono">${row.file}</span>${row.paused ? html` <span class="badge s-waiting">paused</span>` : ''}</h2>
${row.description ? html`<p>${row.description}</p>` : ''}
<dl class="facts">
<dt>Schedule</dt><dd>${
    row.schedule
      ? html`${row.schedule.words} <code>${row.schedule.cron}</code> (${row.schedule.timezone})`
      : html`<span class="muted">on demand (no schedule)</span>`
  }</dd>
${
  row.schedule
    ? html`<dt>Next fires</dt><dd>${row.schedule.problem ? html`<span style="color:var(--bad)">${row.schedule.problem}</span>` : row.schedule.next.length ? row.schedule.next.map((d, i) => html`${i ? ', ' : ''}${clock.time(d.toISOString(), row.schedule!.timezone)}`) : '-'}${
        row.paused
          ? html` <span class="muted">(skipped while paused by ${row.paused.by} since ${row.paused.at}${row.paused.reason ? `: ${row.paused.reason}` : ''})</span>`
          : ''
      }</dd>`
    : ''
}
<dt>Recent runs</dt><dd>${s.outcomes.length ? strip(s) : html`<span class="muted">none yet</span>`}</dd>
<dt>Success rate</dt><dd>${rate}</dd>
<dt>Duration p50 / p95</dt><dd>${s.p50Ms === undefined ? '-' : `${formatDuration(s.p50Ms)} / ${formatDuration(s.p95Ms!)}`}</dd>
<dt>Tokens per run</dt><dd>${tokens} <span class="muted">(mean)</span></dd>
</dl>
${
  s.series.length > 1
    ? html`<div class="actions" style="margin-top:8px">${chart(
        'Duration per run',
        s.series.map((p) => p.durationMs),
        formatDuration,
        s.p95Ms,
      )}${
        s.series.some((p) => p.tokens > 0)
          ? chart(
              'Tokens per run',
              s.series.map((p) => p.tokens),
              compactCount,
            )
          : ''
      }</div>`
    : ''
}
</section>`;
}

function strip(s: WorkflowStats): Html {
  return html`<span class="strip" role="list" aria-label="Outcomes, oldest first">${s.outcomes.map(
    (o) =>
      html`<a role="listitem" class="s-${o.status}" href="/runs/${encodeURIComponent(o.id)}" title="${o.status} · ${o.createdAt}" aria-label="${o.status}, ${o.createdAt}"></a>`,
  )}</span>`;
}

/** A small bar chart of `values` (oldest first) with an optional dashed marker line, as inline SVG. */
function chart(title: string, values: number[], label: (n: number) => string, marker?: number): Html {
  const width = 260;
  const height = 60;
  const max = Math.max(...values, marker ?? 0, 1);
  const step = width / values.length;
  const bars = values.map((v, i) => {
    const h = Math.max(1, (v / max) * (height - 4));
    return html`<rect x="${(i * step + 1).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${Math.max(1, step - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${label(v)}</title></rect>`;
  });
  const y = marker === undefined ? undefined : (height - (marker / max) * (height - 4)).toFixed(1);
  return html`<figure style="margin:0"><figcaption class="muted" style="font-size:12px">${title} (max ${label(Math.max(...values))})</figcaption>
<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}, ${values.length} runs">${bars}${
    y === undefined ? '' : html`<line x1="0" x2="${width}" y1="${y}" y2="${y}"><title>p95 ${label(marker!)}</title></line>`
  }</svg></figure>`;
}
