/** Builds a run's record as it goes and saves snapshots to the run store at each step boundary. */
import type { AttemptRecord, RunFailure, RunRecord, RunStore, StepRecord, TokenUsage, ToolCallRecord } from '../runs/types.ts';
import type { RunEvent, RunEventListener } from './events.ts';

/** Adds one usage into another. */
export function addUsage(into: TokenUsage, add: TokenUsage): void {
  into.requests += add.requests;
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
}

/** The live record of one attempt of one run. */
export class RunRecorder {
  readonly run: RunRecord;
  readonly attempt: AttemptRecord;
  readonly #store: RunStore;
  readonly #listener?: RunEventListener;
  readonly #now: () => Date;
  #saving: Promise<void> = Promise.resolve();

  constructor(run: RunRecord, attempt: AttemptRecord, store: RunStore, now: () => Date, listener?: RunEventListener) {
    this.run = run;
    this.attempt = attempt;
    this.#store = store;
    this.#now = now;
    this.#listener = listener;
  }

  /** Tells the listener, never letting a listener's error reach the run. */
  emit(event: RunEvent): void {
    try {
      this.#listener?.(event);
    } catch {
      // Progress output must not break a run.
    }
  }

  /** Saves a snapshot; saves are serialised so an older snapshot never lands after a newer one. */
  save(): Promise<void> {
    const snapshot = structuredClone(this.run);
    this.#saving = this.#saving.then(() => this.#store.save(snapshot));
    return this.#saving;
  }

  /** Opens a step record. */
  startStep(step: Omit<StepRecord, 'status' | 'toolCalls' | 'startedAt'>, index: number, total: number): StepRecord {
    const record: StepRecord = { ...step, status: 'running', toolCalls: [], startedAt: this.#now().toISOString() };
    this.attempt.steps.push(record);
    this.emit({ type: 'step_start', step: record, index, total });
    return record;
  }

  /** Adds a tool call to its step and collects links to content a write created or changed. */
  addToolCall(step: StepRecord, call: ToolCallRecord, fullResult?: unknown): void {
    step.toolCalls.push(call);
    if (call.status === 'ok' && call.effect !== 'read') {
      for (const link of findLinks(fullResult)) if (!this.run.links.includes(link)) this.run.links.push(link);
    }
    this.emit({ type: 'tool_end', step: step.id, call });
  }

  /** Closes a step. */
  async endStep(step: StepRecord, outcome: { output: unknown } | { error: RunFailure; cancelled?: boolean }): Promise<void> {
    step.endedAt = this.#now().toISOString();
    if ('output' in outcome) {
      step.status = 'succeeded';
      step.output = outcome.output;
      this.run.outputs[step.id] = outcome.output;
    } else {
      step.status = outcome.cancelled ? 'cancelled' : 'failed';
      step.error = outcome.error;
    }
    if (step.usage) addUsage(this.run.usage, step.usage);
    this.emit({ type: 'step_end', step });
    await this.save();
  }

  /** Ends the attempt and the run. */
  async finish(error?: RunFailure): Promise<RunRecord> {
    const at = this.#now().toISOString();
    const status = !error ? 'succeeded' : error.kind === 'cancelled' ? 'cancelled' : 'failed';
    this.attempt.status = status;
    this.attempt.endedAt = at;
    this.run.status = status;
    this.run.endedAt = at;
    if (error) {
      this.attempt.error = error;
      this.run.error = error;
    } else delete this.run.error;
    await this.save();
    this.emit({ type: 'run_end', run: this.run });
    return this.run;
  }
}

/** Web links in a write's result (`_links.webui` with `_links.base`, or `webUrl`). */
function findLinks(result: unknown): string[] {
  const data = (result as { data?: unknown } | undefined)?.data ?? result;
  const items = Array.isArray(data) ? data : [data];
  const out: string[] = [];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const o = item as { webUrl?: unknown; _links?: { webui?: unknown; base?: unknown } };
    if (typeof o.webUrl === 'string' && o.webUrl) out.push(o.webUrl);
    else if (typeof o._links?.webui === 'string') out.push(`${typeof o._links.base === 'string' ? o._links.base : ''}${o._links.webui}`);
  }
  return out;
}
