/** Figures of a workflow's recent runs for the workflows page: outcomes, success rate, duration and token percentiles. */
import type { RunRecord, RunStatus } from '../runs/types.ts';

/** What the workflows page shows of a workflow's recent runs. */
export interface WorkflowStats {
  /** Outcomes, oldest first (the strip reads left to right). */
  outcomes: Array<{ id: string; status: RunStatus; createdAt: string }>;
  /** Succeeded over succeeded + failed, 0-1; undefined when no run has ended either way. */
  successRate?: number;
  /** Duration percentiles of ended runs, ms. */
  p50Ms?: number;
  p95Ms?: number;
  /** Per ended run, oldest first: when, how long, how many tokens (input + output). */
  series: Array<{ id: string; at: string; durationMs: number; tokens: number }>;
}

/** Statuses that are outcomes of a run that ran (missed and skipped slots never started). */
const RAN: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

/** The figures of `runs` (any order; typically the newest 30). */
export function workflowStats(runs: readonly RunRecord[]): WorkflowStats {
  const oldestFirst = [...runs].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const decided = oldestFirst.filter((r) => r.status === 'succeeded' || r.status === 'failed');
  const series = oldestFirst
    .filter((r) => RAN.includes(r.status) && r.startedAt && r.endedAt)
    .map((r) => ({
      id: r.id,
      at: r.createdAt,
      durationMs: Math.max(0, Date.parse(r.endedAt!) - Date.parse(r.startedAt!)),
      tokens: r.usage.inputTokens + r.usage.outputTokens,
    }));
  const durations = series.map((s) => s.durationMs).sort((a, b) => a - b);
  return {
    outcomes: oldestFirst.map((r) => ({ id: r.id, status: r.status, createdAt: r.createdAt })),
    ...(decided.length > 0 && { successRate: decided.filter((r) => r.status === 'succeeded').length / decided.length }),
    ...(durations.length > 0 && { p50Ms: percentile(durations, 50), p95Ms: percentile(durations, 95) }),
    series,
  };
}

/** The nearest-rank percentile `p` (0-100) of ascending `sorted` values (non-empty). */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
