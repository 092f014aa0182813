/**
 * Run records as text for `runner runs`: a one-line-per-run table and the whole story of one run. Pure: colour,
 * time zone and clock come in as options, so the output is testable byte for byte. Everything a record holds came
 * from outside (inputs, model text, tool results, the workflow file) and passes `printable` on its way to a line.
 */
export { compactCount } from '../shared/count.ts';
import { compactCount } from '../shared/count.ts';
import { DateTime } from 'luxon';
import type {
  ApprovalWait,
  NotificationRecord,
  RunFailure,
  RunRecord,
  RunStatus,
  StepRecord,
  TokenUsage,
  ToolCallRecord,
  ToolCallStatus,
} from '../runs/types.ts';
import { parse } from 'yaml';
import { printable } from './output.ts';
import { describeCall } from './step-summary.ts';

/** Styles the formatters use. */
export type Style = 'bold' | 'dim' | 'green' | 'red' | 'yellow' | 'cyan' | 'magenta';

/** Options of the formatters. */
export interface FormatOptions {
  /** Colours text (default: no colour). */
  paint?: (style: Style, text: string) => string;
  /**
   * IANA time zone times are shown in (default: the system's local zone; for {@link formatRunStory}, the zone of the
   * workflow's schedule when the record's workflow text has one).
   */
  zone?: string;
  /** Now, for the elapsed time of unfinished runs (default: the current time). */
  now?: Date;
}

type Resolved = Required<Omit<FormatOptions, 'zone'>> & { zone?: string };

const plain = (_style: Style, text: string) => text;
const STATUS_STYLE: Record<RunStatus, Style> = {
  succeeded: 'green',
  failed: 'red',
  running: 'yellow',
  queued: 'yellow',
  waiting: 'cyan',
  cancelled: 'dim',
  missed: 'magenta',
  skipped: 'dim',
};
const MAX_OUTPUT_LINES = 40;

function resolve(options: FormatOptions): Resolved {
  return { paint: options.paint ?? plain, zone: options.zone, now: options.now ?? new Date() };
}

/** The first 8 characters of a run id: enough to tell runs apart and to pass to `runner runs show`. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** `850 ms`, `12.3s`, `2m 05s`, `1h 03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** A value as one printable line of JSON, cut to about `max` characters. */
export function summarise(value: unknown, max = 100): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const line = printable(text.replace(/\s*\n\s*/g, ' ').replaceAll('\t', ' '));
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** An ISO time in the chosen zone (`2026-11-25 14:03`), or the text itself when it is no time. */
function time(iso: string | undefined, o: Resolved, format = 'yyyy-LL-dd HH:mm'): string {
  if (!iso) return '-';
  const dt = DateTime.fromISO(iso, o.zone ? { zone: o.zone } : {});
  return dt.isValid ? dt.toFormat(format) : printable(iso);
}

/** How long something took, or has been going (with `…`) when it has not ended. */
function took(startedAt: string | undefined, endedAt: string | undefined, o: Resolved): string {
  if (!startedAt) return '-';
  const end = endedAt ? Date.parse(endedAt) : o.now.getTime();
  const ms = end - Date.parse(startedAt);
  return Number.isNaN(ms) ? '-' : `${formatDuration(Math.max(0, ms))}${endedAt ? '' : '…'}`;
}

function status(text: string, o: Resolved, width = 0): string {
  const style = STATUS_STYLE[text as RunStatus];
  const padded = printable(text).padEnd(width);
  return style ? o.paint(style, padded) : padded;
}

function trigger(run: RunRecord, o: Resolved): string {
  if (run.trigger.type === 'schedule') return `schedule ${time(run.trigger.slot, o)}`;
  return run.trigger.type === 'rerun' ? `rerun of ${printable(shortId(run.trigger.of))}` : 'manual';
}

function usage(u: TokenUsage | undefined): string {
  if (!u) return '-';
  return `${u.requests} request${u.requests === 1 ? '' : 's'}, ${compactCount(u.inputTokens)} in / ${compactCount(u.outputTokens)} out tokens`;
}

/** One line per run, most recent first as given, with a header; status coloured. */
export function formatRunsTable(runs: readonly RunRecord[], options: FormatOptions = {}): string[] {
  const o = resolve(options);
  const header = ['ID', 'WORKFLOW', 'STATUS', 'TRIGGER', 'STARTED', 'DURATION', 'ATTEMPTS', 'TOKENS'];
  const rows = runs.map((r) => [
    printable(shortId(r.id)),
    printable(r.workflow),
    r.status,
    trigger(r, o),
    time(r.startedAt ?? r.createdAt, o),
    took(r.startedAt, r.endedAt, o),
    String(r.attempts.length),
    `${compactCount(r.usage.inputTokens)}/${compactCount(r.usage.outputTokens)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[], cell: (text: string, i: number) => string) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : cell(c, i)))
      .join('  ')
      .trimEnd();
  return [
    o.paint(
      'bold',
      line(header, (c, i) => c.padEnd(widths[i]!)),
    ),
    ...rows.map((row) => line(row, (c, i) => (i === 2 ? status(c, o, widths[i]!) : c.padEnd(widths[i]!)))),
  ];
}

/** Matching runs the other run store holds, when the configured one has none (see {@link noRunsMessage}). */
export interface RunsElsewhere {
  /** The configured store as messages name it, e.g. `Redis (redis://127.0.0.1:6379, prefix runner)`. */
  here: string;
  /** The other store, named the same way, e.g. `RUNNER_DB (.runner/runs.db)`. */
  there: string;
  /** How many matching runs it holds (at most what was counted). */
  count: number;
  /** True when it holds more than `count`. */
  more: boolean;
  /** The RUNNER_STORE value that lists them. */
  store: 'sqlite' | 'redis';
}

/** What `runner runs` prints when nothing matches; with `elsewhere`, where the runs are and how to list them. */
export function noRunsMessage(filter: { workflow?: string; status?: RunStatus; trigger?: string; since?: string }, elsewhere?: RunsElsewhere): string {
  const parts = [
    filter.workflow && `of workflow '${printable(filter.workflow)}'`,
    filter.status && `with status ${filter.status}`,
    filter.trigger && `with trigger ${filter.trigger}`,
    filter.since && `since ${printable(filter.since)}`,
  ].filter(Boolean);
  if (elsewhere) {
    const count = `${elsewhere.more ? 'more than ' : ''}${elsewhere.count}`;
    const what = ['no runs', ...parts, 'in', printable(elsewhere.here)].join(' ');
    return `${what}; ${printable(elsewhere.there)} has ${count} — set RUNNER_STORE=${elsewhere.store} to list them`;
  }
  if (parts.length) return `no runs ${parts.join(' ')}; \`runner runs\` lists every run`;
  return 'no runs yet; start one with `runner run <file>`';
}

/** The whole story of one run: header, every attempt and step with prompts, tool calls and outputs, and why it failed. */
export function formatRunStory(run: RunRecord, options: FormatOptions = {}): string[] {
  const workflowZone = options.zone === undefined ? scheduleZone(run.workflowSource) : undefined;
  const o = resolve(workflowZone ? { ...options, zone: workflowZone } : options);
  const field = (name: string, value: string) => `  ${o.paint('dim', name.padEnd(9))} ${value}`;
  const p = printable;
  const lines = [`${o.paint('bold', `run ${p(run.id)}`)}  ${status(run.status, o)}`];
  lines.push(field('workflow', `${p(run.workflow)}  ${o.paint('dim', `sha256 ${p(run.workflowHash.slice(0, 12))}`)}  ${p(run.workflowFile)}`));
  lines.push(field('trigger', trigger(run, o)));
  if (run.reruns?.length) lines.push(field('re-runs', run.reruns.map((id) => printable(shortId(id))).join('  ')));
  const inputs = Object.entries(run.inputs).map(([k, v]) => `${p(k)}=${summarise(v, 60)}`);
  lines.push(field('inputs', inputs.length ? inputs.join('  ') : 'none'));
  lines.push(field('mode', p(`${run.mode} · backend ${run.backend} · model ${run.model}`)));
  const zoneNote = workflowZone ? ` ${o.paint('dim', `· times in ${printable(workflowZone)} (the workflow's schedule)`)}` : '';
  lines.push(field('created', `${time(run.createdAt, o, 'yyyy-LL-dd HH:mm:ss')}${zoneNote}`));
  if (run.startedAt) {
    const ended = run.endedAt ? ` · ended ${time(run.endedAt, o, 'yyyy-LL-dd HH:mm:ss')}` : '';
    lines.push(field('started', `${time(run.startedAt, o, 'yyyy-LL-dd HH:mm:ss')}${ended} · took ${took(run.startedAt, run.endedAt, o)}`));
  }
  lines.push(field('usage', usage(run.usage)));
  for (const note of run.notes) lines.push(field('note', o.paint('yellow', p(note))));
  for (const link of run.links) lines.push(field('link', p(link)));
  if (run.attempts.length === 0) lines.push('', o.paint('dim', 'no attempts'));
  for (const attempt of run.attempts) {
    const where = attempt.worker ? ` on ${p(attempt.worker)}` : '';
    lines.push(
      '',
      `${o.paint('bold', `attempt ${attempt.number}`)}  ${status(attempt.status, o)}${where} · ${time(attempt.startedAt, o, 'HH:mm:ss')} · took ${took(attempt.startedAt, attempt.endedAt, o)}`,
    );
    for (const step of attempt.steps) lines.push(...formatStep(step, o));
    if (attempt.error && !attempt.steps.some((s) => s.error)) lines.push(...failure(2, 'error', attempt.error, o, true));
  }
  for (const [i, wait] of (run.approvals ?? []).entries())
    lines.push('', ...formatWait(wait, i + 1, run.status === 'waiting' && i === run.approvals!.length - 1, o));
  if (run.notifications?.length) lines.push('', o.paint('bold', 'notifications'), ...run.notifications.map((n) => formatNotification(n, o)));
  if (run.error) lines.push('', ...failure(0, run.status === 'cancelled' ? 'cancelled' : 'failed', run.error, o, true));
  else if (run.status === 'failed') lines.push('', o.paint('red', 'failed (no reason recorded)'));
  return lines;
}

/** One notification: event, channel and target, and how its delivery went (attempts, last error). */
function formatNotification(n: NotificationRecord, o: Resolved): string {
  const p = printable;
  const last = n.attempts.at(-1);
  const tries = `${n.attempts.length} attempt${n.attempts.length === 1 ? '' : 's'}`;
  const state = n.deliveredAt
    ? o.paint('green', `delivered ${time(n.deliveredAt, o, 'yyyy-LL-dd HH:mm')}`)
    : n.done
      ? o.paint('red', `not delivered${last?.error ? `: ${p(last.error)}` : ''}`)
      : o.paint('yellow', n.attempts.length ? `retrying${last?.error ? ` (${p(last.error)})` : ''}` : 'sending');
  return `  ${p(n.event)} → ${p(n.channel)} ${p(n.target)} ${o.paint('dim', `(${p(n.rule)}, ${tries})`)}  ${state}`;
}

/** One wait for approval: when, the note, each held call with its content and decision, and how to decide. */
function formatWait(wait: ApprovalWait, n: number, current: boolean, o: Resolved): string[] {
  const p = printable;
  const state = current
    ? o.paint('cyan', `waiting until ${time(wait.expiresAt, o, 'yyyy-LL-dd HH:mm')}`)
    : `closed ${time(wait.closedAt ?? wait.since, o, 'yyyy-LL-dd HH:mm')}`;
  const lines = [`${o.paint('bold', `approval ${n}`)}  ${state} · step ${p(wait.resume.step)}`];
  if (wait.note) lines.push(`  ${p(wait.note)}`);
  for (const call of wait.calls) {
    lines.push(`  [${call.n}] ${p(call.tool)} ${o.paint('dim', `(${p(call.effect)})`)} ${summarise(call.args, 120)}`);
    if (call.preview) lines.push(...block(call.preview, 6));
    const d = call.decision;
    lines.push(
      `      ${d ? `${d.approved ? o.paint('green', 'approved') : o.paint('red', 'rejected')} by ${p(d.by)} ${time(d.at, o, 'yyyy-LL-dd HH:mm')}${d.reason ? `: ${p(d.reason)}` : ''}` : o.paint('yellow', 'undecided')}`,
    );
  }
  return lines;
}

function formatStep(step: StepRecord, o: Resolved): string[] {
  const title = step.title ? `  ${printable(step.title)}` : '';
  const lines = [
    `  ${o.paint('bold', `step ${printable(step.id)}`)} (${printable(step.kind)})  ${status(step.status, o)}${title} · took ${took(step.startedAt, step.endedAt, o)}`,
  ];
  const detail = (text: string) => `      ${text}`;
  if (step.prompt !== undefined) lines.push(detail(o.paint('dim', 'prompt:')), ...block(step.prompt, 8));
  if (step.instructions !== undefined) lines.push(detail(o.paint('dim', 'instructions:')), ...block(step.instructions, 8));
  if (step.kind === 'prompt' || step.model) {
    const parts = [`model ${printable(step.model ?? '-')}`];
    if (step.turns !== undefined) parts.push(`${step.turns} turn${step.turns === 1 ? '' : 's'}`);
    if (step.modelRetries) parts.push(`${step.modelRetries} retr${step.modelRetries === 1 ? 'y' : 'ies'}`);
    parts.push(usage(step.usage));
    lines.push(detail(parts.join(' · ')));
  }
  for (const call of step.toolCalls) {
    lines.push(detail(formatToolCall(call, o)));
    if (SHOWS_RESULT.has(call.status))
      lines.push(detail(o.paint('dim', `  ← ${describeCall(call)}${call.truncated ? ' (result cut; --json shows what was kept)' : ''}`)));
  }
  if (step.output !== undefined) lines.push(detail(o.paint('dim', 'output:')), ...outputBlock(step.output, 8));
  if (step.error) lines.push(...failure(6, 'error', step.error, o));
  return lines;
}

/** Calls whose result (or simulated result) `runs show` summarises under them. */
const SHOWS_RESULT: ReadonlySet<ToolCallStatus> = new Set(['ok', 'journaled', 'simulated']);

/** The valid IANA zone of a workflow text's `schedule.timezone`, if it has one (never throws). */
export function scheduleZone(source: string | undefined): string | undefined {
  if (!source) return undefined;
  try {
    const zone = (parse(source) as { schedule?: { timezone?: unknown } } | null)?.schedule?.timezone;
    return typeof zone === 'string' && DateTime.local().setZone(zone).isValid ? zone : undefined;
  } catch {
    return undefined;
  }
}

const CALL_STATUS: Record<ToolCallStatus, { text: string; style: Style }> = {
  ok: { text: 'ok', style: 'green' },
  error: { text: 'error', style: 'red' },
  refused: { text: 'REFUSED (never sent)', style: 'red' },
  simulated: { text: 'SIMULATED (preview: not executed)', style: 'yellow' },
  journaled: { text: 'JOURNALED (done earlier; result reused)', style: 'cyan' },
  hosted: { text: 'HOSTED (ran at the model provider; not gated)', style: 'magenta' },
};

/** `→ CONFLUENCE_X {args} ok 12 ms · turn 2 · via META: error text`. */
export function formatToolCall(call: ToolCallRecord, options: FormatOptions = {}): string {
  const paint = options.paint ?? plain;
  const { text, style } = CALL_STATUS[call.status];
  const parts = [`→ ${printable(call.tool)} ${summarise(call.args)} ${paint(style, text)} ${formatDuration(call.durationMs)}`];
  if (call.turn !== undefined) parts.push(`turn ${call.turn}`);
  if (call.via) parts.push(`via ${printable(call.via)}`);
  const line = parts.join(' · ');
  return call.error ? `${line}: ${paint(style, summarise(call.error, 200))}` : line;
}

/** `label (kind, retryable) in step x: message`, further message lines indented below. */
function failure(indent: number, label: string, error: RunFailure, o: Resolved, showStep = false): string[] {
  const kind = printable(`${error.kind}${error.retryable ? ', retryable' : ''}`);
  const where = showStep && error.step ? ` in step ${printable(error.step)}` : '';
  const [first = '', ...rest] = printable(error.message).split('\n');
  const pad = ' '.repeat(indent);
  return [`${pad}${o.paint('red', `${label} (${kind})${where}:`)} ${first}`, ...rest.map((l) => `${pad}  ${l}`)];
}

function block(text: string, indent: number): string[] {
  return printable(text)
    .split('\n')
    .map((l) => `${' '.repeat(indent)}${l}`.trimEnd());
}

/** Pretty JSON with long strings and arrays cut, and at most {@link MAX_OUTPUT_LINES} lines. */
function outputBlock(value: unknown, indent: number): string[] {
  const lines = block(JSON.stringify(shorten(value, 0), null, 2) ?? String(value), indent);
  if (lines.length <= MAX_OUTPUT_LINES) return lines;
  return [...lines.slice(0, MAX_OUTPUT_LINES), `${' '.repeat(indent)}… ${lines.length - MAX_OUTPUT_LINES} more lines (--json shows everything)`];
}

function shorten(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}… (+${value.length - 200} chars)` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 6) return '…';
  if (Array.isArray(value)) {
    const head = value.slice(0, 10).map((v) => shorten(v, depth + 1));
    return value.length > 10 ? [...head, `… ${value.length - 10} more items`] : head;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v, depth + 1)]));
}
