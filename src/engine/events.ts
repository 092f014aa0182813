/** What a run reports as it goes (live progress in the CLI, logs in the worker). */
import type { RunRecord, StepRecord, TokenUsage, ToolCallRecord } from '../runs/types.ts';

/** One progress event. */
export type RunEvent =
  | { type: 'run_start'; run: RunRecord; attempt: number }
  | { type: 'step_start'; step: StepRecord; index: number; total: number }
  | { type: 'turn'; step: string; turn: number; usage: TokenUsage }
  | { type: 'model_retry'; step: string; attempt: number; status?: number; delayMs?: number }
  | { type: 'tool_start'; step: string; tool: string; args: unknown; turn?: number; via?: string }
  | { type: 'tool_end'; step: string; call: ToolCallRecord }
  | { type: 'step_end'; step: StepRecord }
  | { type: 'run_end'; run: RunRecord };

/** Receives events; must not throw (a throwing listener is ignored). */
export type RunEventListener = (event: RunEvent) => void;
