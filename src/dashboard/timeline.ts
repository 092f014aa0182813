/**
 * The run page's timeline: each attempt as rows of bars on one time axis (a step, then the tool calls it made),
 * placed in percent of the attempt's span, so a slow call stands out at a glance. Pure: records in, geometry out.
 */
import type { AttemptRecord, StepRecord, ToolCallRecord } from '../runs/types.ts';

/** One bar: where it starts and how wide it is, in percent of the attempt's span. */
export interface Bar {
  /** 0-100. */
  left: number;
  /** 0-100, at least a sliver so an instant call is still visible. */
  width: number;
  durationMs: number;
}

/** A row of the timeline. */
export type TimelineRow = { kind: 'step'; step: StepRecord; bar: Bar } | { kind: 'call'; step: StepRecord; call: ToolCallRecord; index: number; bar: Bar };

/** One attempt laid out. */
export interface AttemptTimeline {
  attempt: AttemptRecord;
  startMs: number;
  spanMs: number;
  rows: TimelineRow[];
}

/** Narrowest bar drawn, in percent. */
const MIN_WIDTH = 0.4;

/**
 * Lays out an attempt. Steps still going (no end) run to `nowMs`, or to the attempt's end; the span covers every
 * step and call, whatever the attempt's own times say.
 */
export function layoutAttempt(attempt: AttemptRecord, nowMs: number): AttemptTimeline {
  const start = Date.parse(attempt.startedAt);
  const attemptEnd = attempt.endedAt ? Date.parse(attempt.endedAt) : nowMs;
  const stepEnd = (s: StepRecord) => (s.endedAt ? Date.parse(s.endedAt) : attemptEnd);
  let end = Math.max(attemptEnd, start);
  for (const step of attempt.steps) {
    end = Math.max(end, stepEnd(step));
    for (const call of step.toolCalls) end = Math.max(end, Date.parse(call.startedAt) + call.durationMs);
  }
  const span = Math.max(end - start, 1);
  const bar = (from: number, to: number): Bar => {
    const left = clamp(((from - start) / span) * 100);
    const width = Math.max(MIN_WIDTH, Math.min(100 - left, ((to - from) / span) * 100));
    return { left: round(left), width: round(width), durationMs: Math.max(0, to - from) };
  };
  const rows: TimelineRow[] = [];
  for (const step of attempt.steps) {
    const from = Date.parse(step.startedAt);
    rows.push({ kind: 'step', step, bar: bar(from, stepEnd(step)) });
    step.toolCalls.forEach((call, index) => {
      const at = Date.parse(call.startedAt);
      rows.push({ kind: 'call', step, call, index, bar: bar(at, at + call.durationMs) });
    });
  }
  return { attempt, startMs: start, spanMs: span, rows };
}

function clamp(n: number): number {
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
