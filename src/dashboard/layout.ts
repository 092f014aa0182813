/** The frame of every dashboard page (header, navigation, main landmark) and the small pieces pages share. */
import { DateTime } from 'luxon';
import type { RunRecord, RunStatus } from '../runs/types.ts';
import { formatDuration } from '../shared/duration.ts';
import { type HtmlPart, html, type Html } from '../shared/html.ts';

/** The most waiting runs the navigation counts exactly. */
export const WAITING_SHOWN = 100;

/** The sections of the navigation. */
export type Section = 'runs' | 'workflows' | 'approvals' | 'queues';

/** What the frame needs besides the body. */
export interface PageFrame {
  title: string;
  section?: Section;
  /** The event stream this page listens to for live updates (its `#live` part is reloaded on change). */
  live?: string;
  /** Whether queue mode is on (the Queue link is shown). */
  queues: boolean;
  /** How many runs wait for a person (shown beside Approvals; above {@link WAITING_SHOWN} as `100+`). */
  waiting?: number;
}

/** A whole page. */
export function page(frame: PageFrame, body: HtmlPart): Html {
  const link = (section: Section, href: string, label: HtmlPart) =>
    html`<a href="${href}"${frame.section === section ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · confluence-runner</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/dashboard.css"></head>
<body${frame.live ? html` data-live="${frame.live}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/">confluence-runner</a>
<nav aria-label="Sections">${link('runs', '/', 'Runs')}${link('workflows', '/workflows', 'Workflows')}${link(
    'approvals',
    '/approvals',
    html`Approvals${frame.waiting ? html` <span class="badge s-waiting">${frame.waiting > WAITING_SHOWN ? `${WAITING_SHOWN}+` : frame.waiting}</span>` : ''}`,
  )}${frame.queues ? link('queues', '/queues', 'Queue') : ''}</nav>
${frame.live ? html`<span class="live" id="live-status" role="status">connecting…</span>` : ''}</header>
<main id="main">${body}</main>
<script src="/assets/dashboard.js" defer></script>
</body></html>`;
}

/** A run status as a coloured badge. */
export function statusBadge(status: RunStatus | string): Html {
  return html`<span class="badge s-${status}">${status}</span>`;
}

/** Formats times in one zone (the server's unless configured). */
export class Clock {
  readonly zone: string | undefined;
  readonly now: () => Date;

  constructor(zone: string | undefined, now: () => Date) {
    this.zone = zone;
    this.now = now;
  }

  /** `2026-11-25 14:03:09` in the zone (or `Fri 2026-11-27 16:00` in another one), in a <time> element carrying the ISO instant. */
  time(iso: string | undefined, zone = this.zone): Html {
    if (!iso) return html`<span class="muted">-</span>`;
    const dt = DateTime.fromISO(iso, zone ? { zone } : {});
    return html`<time datetime="${iso}">${dt.isValid ? dt.toFormat(zone === this.zone ? 'yyyy-LL-dd HH:mm:ss' : 'ccc yyyy-LL-dd HH:mm') : iso}</time>`;
  }

  /** The zone's name, for headings. */
  zoneName(): string {
    return this.zone ?? DateTime.local().zoneName ?? 'local';
  }
}

/** How long a run took, or has been going, as text. */
export function runDuration(run: RunRecord, now: Date): string {
  if (!run.startedAt) return '-';
  const end = run.endedAt ? Date.parse(run.endedAt) : now.getTime();
  return formatDuration(Math.max(0, end - Date.parse(run.startedAt)));
}

/** How a run was started, in a word or two. */
export function triggerText(run: RunRecord): string {
  if (run.trigger.type === 'schedule') return 'schedule';
  if (run.trigger.type === 'rerun') return `re-run of ${run.trigger.of.slice(0, 8)}`;
  return 'manual';
}

/** A value as indented JSON text. */
export function json(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2) ?? String(value);
}
