/** The approvals page (`/approvals`): every waiting run, oldest first, with what it holds and until when. */
import type { RunRecord } from '../../runs/types.ts';
import { html, type Html } from '../../shared/html.ts';
import type { Clock } from '../layout.ts';

/** The page body; its table is the live part. */
export function approvalsBody(runs: RunRecord[], clock: Clock): Html {
  return html`<h1>Approvals</h1><p class="muted">Runs waiting for a person, oldest first. Open one to approve or reject its held calls.</p>
<div id="live">${approvalsLive(runs, clock)}</div>`;
}

/** The table of waiting runs. */
export function approvalsLive(runs: RunRecord[], clock: Clock): Html {
  if (runs.length === 0) return html`<p class="empty">Nothing is waiting for approval.</p>`;
  return html`<table aria-label="Waiting runs, oldest first"><thead><tr><th scope="col">Workflow</th><th scope="col">Run</th>
<th scope="col">Waiting since</th><th scope="col">Expires</th><th scope="col">Held calls</th><th scope="col">Note</th></tr></thead><tbody>
${runs.map((run) => {
  const wait = run.approvals?.at(-1);
  const open = wait?.calls.filter((c) => !c.decision) ?? [];
  return html`<tr data-run="${run.id}"><td>${run.workflow}</td><td class="mono"><a href="/runs/${encodeURIComponent(run.id)}#approval">${run.id.slice(0, 8)}</a></td>
<td>${clock.time(wait?.since)}</td><td>${clock.time(wait?.expiresAt)}</td>
<td>${open.map((c, i) => html`${i ? ', ' : ''}<span class="mono">${c.tool}</span>`)}${open.length < (wait?.calls.length ?? 0) ? html` <span class="muted">(${(wait?.calls.length ?? 0) - open.length} decided)</span>` : ''}</td>
<td>${wait?.note ?? ''}</td></tr>`;
})}</tbody></table>`;
}
