/**
 * The tool gateway: every call, from a model or a tool step, passes here, through one pipeline of stages (see
 * `stages.ts`): policy → arguments → journal or preview → the backend with its timeout → journal → record.
 * COMPOSIO_MULTI_EXECUTE_TOOL is taken apart so each inner call meets the same stages. Calls are reported as run
 * events (`tool_start`, `tool_end`); the attempt's record and the progress printer listen.
 */
import type { ValidateFunction } from 'ajv';
import type { ToolBackend } from '../../backends/types.ts';
import type { RunEvents } from '../../runs/events.ts';
import type { JournalEntry } from '../../runs/types.ts';
import { createRedactor, type Redactor } from '../../shared/redact.ts';
import type { BoundToolAccess, ToolAccess } from '../../toolkit/access.ts';
import type { ToolCatalogue } from '../../toolkit/catalogue.ts';
import { MULTI_EXECUTE } from '../../toolkit/router.ts';
import type { ToolEnvelope } from '../../toolkit/types.ts';
import { journalKey } from '../journal-key.ts';
import type { HostedCall } from '../observed-model.ts';
import { type BodyFormat, prepareBody } from './body-format.ts';
import { runMultiExecute } from './multi-execute.ts';
import { answerLocally, sendWrite, settlePending } from './journal.ts';
import { admit, announce, type CallContext, execute, type GatewayJournal, type GatewayState, record, refuse } from './stages.ts';

export type { CallContext, GatewayJournal } from './stages.ts';

/** Options of {@link ToolGateway}. */
export interface GatewayOptions {
  /** The open backend calls go to. */
  backend: ToolBackend;
  /** Which tools may run (bound to the backend's listing here). */
  access: ToolAccess;
  /** Output schemas of Confluence tools (shapes simulated writes). */
  catalogue: ToolCatalogue;
  /** Simulate writes instead of executing them (`--preview`, `mode: preview`; default false). */
  preview?: boolean;
  /** Timeout of one call, ms. */
  timeoutMs: number;
  /** Longest result kept in a record, in JSON characters. */
  recordResultChars: number;
  /** The run's write journal (default: none, nothing deduplicated). */
  journal?: GatewayJournal;
  /** The attempt number journal entries carry (default 1). */
  attempt?: number;
  /** Clock (default: the system clock). */
  now?: () => Date;
  /** Where calls are reported (default: nowhere). */
  events?: RunEvents;
  /** Redaction applied to results before they are cut to record size (default: none). */
  redact?: Redactor;
  /** Most calls the run may make, inner calls of a multi-execute included (limits.max_tool_calls; default: no bound). */
  maxCalls?: number;
  /** How long after an uncertain write was sent the site may still commit it, ms (RUNNER_WRITE_SETTLE; default 10 s). */
  settleMs?: number;
  /** Argument keys ({@link approvalKey}) of calls a person approved earlier in the run: they are not held again. */
  approved?: ReadonlySet<string>;
  /** How the model writes page and blog post bodies (tools.body_format; default `storage`). */
  bodyFormat?: BodyFormat;
}

/** What identifies a held call across attempts: its tool and its whole arguments (see PendingApproval.argsKey). */
export function approvalKey(tool: string, args: Record<string, unknown>): string {
  return journalKey(tool, args);
}

/** One run's gateway. */
export class ToolGateway {
  /** What the run may call, bound to the backend's listing: the tools offered to the model, schemas, refusals. */
  readonly access: BoundToolAccess;
  readonly #state: GatewayState;
  readonly #approved: ReadonlySet<string>;

  constructor(options: GatewayOptions) {
    this.access = options.access.withBackend({ name: options.backend.name, tools: options.backend.tools, router: options.backend.router });
    this.#approved = options.approved ?? new Set();
    this.#state = {
      backend: options.backend,
      access: this.access,
      catalogue: options.catalogue,
      preview: options.preview === true,
      timeoutMs: options.timeoutMs,
      recordResultChars: options.recordResultChars,
      journal: options.journal,
      attempt: options.attempt ?? 1,
      now: options.now ?? (() => new Date()),
      events: options.events,
      redact: options.redact ?? createRedactor([]),
      validators: new Map<string, ValidateFunction | null>(),
      maxCalls: options.maxCalls,
      calls: 0,
      settleMs: options.settleMs ?? 10_000,
      simulated: 0,
      bodyFormat: options.bodyFormat ?? 'storage',
    };
  }

  /** Calls a tool on the model's or a tool step's behalf; always resolves to the envelope the caller sees. */
  async call(tool: string, args: Record<string, unknown>, context: CallContext): Promise<ToolEnvelope> {
    const state = this.#state;
    const call = prepareBody(state, { tool, args, context, started: state.now() });
    announce(state, call);
    if (tool === MULTI_EXECUTE && this.access.backend.router) return runMultiExecute(state, call);
    const admitted = admit(state, tool, call.args);
    if (!admitted.ok) return refuse(state, call, admitted.reason, admitted.failure);
    const local = await answerLocally(state, call, admitted.effect);
    if (local) return local;
    const sent = admitted.effect === 'read' ? { envelope: await execute(state, tool, call.args, context.signal) } : await sendWrite(state, call);
    const { envelope } = sent;
    record(state, call, {
      effect: admitted.effect,
      status: envelope.successful ? 'ok' : 'error',
      result: envelope.data,
      error: envelope.error ?? undefined,
      failure: envelope.successful ? undefined : envelope.failure,
      ...(sent.settled?.outcome === 'landed' ? { note: `the call failed on the way back, but it landed: ${sent.settled.note}` } : {}),
    });
    return envelope;
  }

  /**
   * Whether a call must wait for a person: its tool (or, for a multi-execute, any inner call's tool) falls under
   * the workflow's approval rule and the call would be admitted (a refused call is refused, not held).
   */
  needsApproval(tool: string, args: Record<string, unknown>): boolean {
    const names = tool === MULTI_EXECUTE && this.access.backend.router ? innerSlugs(args) : [tool];
    if (!this.access.needsApproval(names) || !names.every((name) => this.access.decide(name).allowed)) return false;
    // A person approved this very call before (an attempt that stopped after the decision): it is not asked again.
    return !this.#approved.has(approvalKey(tool, args));
  }

  /** Refuses (and records) a call of a tool the model was never offered; returns the refusal it sees. */
  refuseUnavailable(tool: string, args: Record<string, unknown>, context: CallContext): ToolEnvelope {
    const call = { tool, args, context, started: this.#state.now() };
    announce(this.#state, call);
    return refuse(this.#state, call, this.access.unavailableReason(tool));
  }

  /** Refuses (and records, with the text as sent) a call whose arguments are not one JSON object; returns what the model sees. */
  refuseInvalidArguments(tool: string, raw: string, problem: string, context: CallContext): ToolEnvelope {
    // The record keeps the raw text as the call's arguments: there is no object to show.
    const call = { tool, args: raw as unknown as Record<string, unknown>, context, started: this.#state.now() };
    announce(this.#state, call);
    return refuse(this.#state, call, `${problem}; send the call again with its arguments as one JSON object`);
  }

  /**
   * Settles the writes earlier attempts left uncertain (sent, outcome unknown) before this attempt does anything:
   * each is found landed (journaled as done), absent (may be repeated) or unknown (never repeated). Returns a line
   * per write, for the run's notes.
   */
  settlePending(entries: readonly JournalEntry[], signal?: AbortSignal): Promise<string[]> {
    return settlePending(this.#state, entries, signal);
  }

  /** Records a call the model provider ran itself (hosted MCP), seen after the fact: it could not be gated. */
  recordHosted(hosted: HostedCall, step: string): void {
    const call = { tool: hosted.name, args: (hosted.args ?? {}) as Record<string, unknown>, context: { step, turn: hosted.turn }, started: this.#state.now() };
    record(this.#state, call, { effect: this.access.effectOf(hosted.name), status: 'hosted', result: hosted.output, error: hosted.error });
  }
}

/** The tool slugs of a multi-execute call's inner calls. */
export function innerSlugs(args: Record<string, unknown>): string[] {
  const calls = Array.isArray(args.tools) ? (args.tools as Array<{ tool_slug?: unknown }>) : [];
  return calls.map((c) => String(c?.tool_slug ?? '').toUpperCase());
}
