/**
 * The tool gateway: every call, from a model or a tool step, passes here. It enforces the allowlist and
 * `allow_destructive`, validates arguments, applies the per-call timeout, simulates writes in preview mode,
 * answers repeated writes from the run's journal, and records each call.
 */
import type { ValidateFunction } from 'ajv';
import { compileSchema } from '../shared/compile-schema.ts';
import type { JournalEntry, ToolCallRecord, ToolCallStatus } from '../runs/types.ts';
import type { Redactor } from '../shared/redact.ts';
import { truncateForRecord } from '../shared/redact.ts';
import type { ToolCatalogue } from '../toolkit/catalogue.ts';
import type { ToolBackend } from '../backends/types.ts';
import { MULTI_EXECUTE } from '../toolkit/router.ts';
import type { ToolEnvelope } from '../toolkit/types.ts';
import { formatDuration } from '../shared/duration.ts';
import { journalKey } from './journal-key.ts';
import { runMultiExecute } from './multi-execute.ts';
import { simulateWrite } from './simulate.ts';
import type { KnownEffect, ToolPolicy } from './tool-policy.ts';

/** Where a call comes from. */
export interface CallContext {
  /** Step id. */
  step: string;
  /** Model turn (prompt steps). */
  turn?: number;
  /** Aborts the call (the run's signal). */
  signal?: AbortSignal;
  /** Set for inner calls of a meta-tool. */
  via?: string;
}

/** The journal as the gateway sees it: lookups are synchronous, adds are written through. */
export interface GatewayJournal {
  find(key: string): JournalEntry | undefined;
  add(entry: JournalEntry): Promise<void>;
}

/** Options of {@link ToolGateway}. */
export interface GatewayOptions {
  backend: ToolBackend;
  policy: ToolPolicy;
  /** Schemas of Confluence tools (argument validation when the backend lists none). */
  catalogue: ToolCatalogue;
  /** Simulate writes instead of executing them (`--preview`, `mode: preview`). */
  preview: boolean;
  /** Timeout of one call in ms. */
  timeoutMs: number;
  /** Longest result kept in a record, in JSON characters. */
  recordResultChars: number;
  redact: Redactor;
  /** The run's write journal (default: none, nothing deduplicated). */
  journal?: GatewayJournal;
  /** The attempt number journal entries carry (default 1). */
  attempt?: number;
  /** Clock (default: the system clock). */
  now?: () => Date;
  /** Told when a call starts (for live progress). */
  onStart?: (tool: string, args: unknown, context: CallContext) => void;
  /** Told when a call ends, with its record and the full (unredacted, untruncated) result data. */
  onCall?: (record: ToolCallRecord, context: CallContext, result: unknown) => void;
}

/** One run's gateway. */
export class ToolGateway {
  readonly options: GatewayOptions;
  #validators = new Map<string, ValidateFunction | null>();
  #simulated = 0;

  constructor(options: GatewayOptions) {
    this.options = options;
  }

  /** Calls a tool on the model's or a tool step's behalf; always resolves to the envelope the caller sees. */
  async call(tool: string, args: Record<string, unknown>, context: CallContext): Promise<ToolEnvelope> {
    if (tool === MULTI_EXECUTE && this.options.backend.router) {
      this.options.onStart?.(tool, args, context);
      return runMultiExecute(this, args, context);
    }
    return this.callOne(tool, args, context);
  }

  /** One app or meta tool: checks, then journal, preview or the backend. */
  async callOne(tool: string, args: Record<string, unknown>, context: CallContext): Promise<ToolEnvelope> {
    const started = this.#now();
    this.options.onStart?.(tool, args, context);
    const pre = this.preflight(tool, args, context, started);
    if ('answer' in pre) return pre.answer;
    const envelope = await this.execute(tool, args, context.signal);
    await this.journalWrite(tool, args, pre.effect, envelope, context.step);
    this.#record(
      { tool, effect: pre.effect, args, status: envelope.successful ? 'ok' : 'error', result: envelope.data, error: envelope.error ?? undefined },
      context,
      started,
    );
    return envelope;
  }

  /**
   * Answers a call without the backend when it can, recording it: refused (not allowed, invalid arguments), an
   * identical write already journaled, or a write simulated in preview. Otherwise says what the call may do.
   */
  preflight(
    tool: string,
    args: Record<string, unknown>,
    context: CallContext,
    started: Date,
  ): { answer: ToolEnvelope; refused: boolean } | { effect: KnownEffect } {
    const verdict = this.check(tool, args);
    if (!verdict.ok) return { answer: this.refuse(tool, args, context, verdict.reason, started), refused: true };
    const effect = verdict.effect;
    if (effect === 'read') return { effect };
    const hit = this.options.journal?.find(journalKey(tool, args));
    if (hit) {
      const envelope = hit.result as ToolEnvelope;
      this.#record({ tool, effect, args, status: 'journaled', result: envelope.data, note: `already done in attempt ${hit.attempt}` }, context, started);
      return { answer: envelope, refused: false };
    }
    if (this.options.preview) {
      const envelope = simulateWrite(tool, args, { output: this.options.catalogue.get(tool)?.output, n: ++this.#simulated, now: started.toISOString() });
      this.#record({ tool, effect, args, status: 'simulated', result: envelope.data }, context, started);
      return { answer: envelope, refused: false };
    }
    return { effect };
  }

  /** Journals a successful write, so a retried attempt neither repeats it nor forgets it (reads are not journaled). */
  async journalWrite(tool: string, args: Record<string, unknown>, effect: KnownEffect, envelope: ToolEnvelope, step: string): Promise<void> {
    if (!envelope.successful || effect === 'read' || !this.options.journal) return;
    await this.options.journal.add({
      key: journalKey(tool, args),
      tool,
      args: this.options.redact(args),
      result: envelope,
      attempt: this.options.attempt ?? 1,
      step,
      at: this.#now().toISOString(),
    });
  }

  /** Whether a call may go ahead: the policy, then the arguments against the tool's schema. */
  check(tool: string, args: Record<string, unknown>): { ok: true; effect: KnownEffect } | { ok: false; reason: string } {
    const decision = this.options.policy.decide(tool);
    if (!decision.allowed) {
      const allowed = this.options.policy.allowed();
      return { ok: false, reason: `${decision.reason}; allowed tools: ${allowed.length ? allowed.join(', ') : 'none'}` };
    }
    const validate = this.#validator(tool);
    if (validate && !validate(args)) {
      const problems = (validate.errors ?? []).map(
        (e) =>
          `${e.instancePath || '(arguments)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`,
      );
      return { ok: false, reason: `invalid arguments for ${tool}: ${problems.join('; ')}` };
    }
    return { ok: true, effect: decision.effect };
  }

  /** Why the model cannot call a tool it was not offered (for the refusal it gets back). */
  unavailableReason(tool: string): string {
    const decision = this.options.policy.decide(tool);
    const allowed = this.options.policy.allowed();
    const base = decision.allowed ? `${tool} is not offered by the ${this.options.backend.name} backend` : decision.reason;
    return `${base}; allowed tools: ${allowed.length ? allowed.join(', ') : 'none'}`;
  }

  /** Records a refused call and returns the refusal the caller sees. */
  refuse(tool: string, args: unknown, context: CallContext, reason: string, started = this.#now()): ToolEnvelope {
    const error = `Refused by the runner: ${reason}. The call was not executed.`;
    this.#record({ tool, effect: this.options.policy.effectOf(tool), args, status: 'refused', error }, context, started);
    return { data: null, error, successful: false };
  }

  /** Runs a call on the backend with the per-call timeout. */
  async execute(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolEnvelope> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const stopped = (): ToolEnvelope => ({
      data: null,
      error: timeout.aborted ? `${tool} timed out after ${formatDuration(this.options.timeoutMs)}` : `${tool} was cancelled`,
      successful: false,
    });
    // A run already cancelled must not start a call (a write would still land).
    if (combined.aborted) return stopped();
    const aborted = new Promise<ToolEnvelope>((resolve) => combined.addEventListener('abort', () => resolve(stopped()), { once: true }));
    return Promise.race([this.options.backend.call(tool, args, { signal: combined }), aborted]);
  }

  /** Records an inner or synthetic call (used by the meta-tool path). */
  record(entry: RecordEntry, context: CallContext, started: Date): void {
    this.#record(entry, context, started);
  }

  #record(entry: RecordEntry, context: CallContext, started: Date): void {
    const { redact, recordResultChars } = this.options;
    const result = entry.result === undefined ? { value: undefined, truncated: false } : truncateForRecord(redact(entry.result), recordResultChars);
    const record: ToolCallRecord = {
      tool: entry.tool,
      ...(context.via ? { via: context.via } : {}),
      effect: entry.effect,
      args: redact(entry.args),
      status: entry.status,
      ...(result.value !== undefined ? { result: result.value } : {}),
      ...(result.truncated ? { truncated: true } : {}),
      ...(entry.error ? { error: redact(entry.error) } : {}),
      ...(entry.note ? { note: entry.note } : {}),
      ...(context.turn !== undefined ? { turn: context.turn } : {}),
      startedAt: started.toISOString(),
      durationMs: this.#now().getTime() - started.getTime(),
    };
    this.options.onCall?.(record, context, entry.result);
  }

  #validator(tool: string): ValidateFunction | null {
    let found = this.#validators.get(tool);
    if (found === undefined) {
      const schema = this.options.backend.tools.find((t) => t.name === tool)?.inputSchema ?? this.options.catalogue.get(tool)?.input;
      try {
        found = schema ? compileSchema(schema) : null;
      } catch {
        found = null; // A schema ajv cannot compile is the backend's business; it validates its own arguments.
      }
      this.#validators.set(tool, found);
    }
    return found;
  }

  #now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** What gets recorded about one call. */
export interface RecordEntry {
  tool: string;
  effect: KnownEffect;
  args: unknown;
  status: ToolCallStatus;
  result?: unknown;
  error?: string;
  /** Extra context for a reader (e.g. which attempt made a journaled write). */
  note?: string;
}
