/**
 * The tool gateway: every call, from a model or a tool step, passes here, through one pipeline of stages (see
 * `stages.ts`): policy → arguments → journal or preview → the backend with its timeout → journal → record.
 * COMPOSIO_MULTI_EXECUTE_TOOL is taken apart so each inner call meets the same stages. Calls are reported as run
 * events (`tool_start`, `tool_end`); the attempt's record and the progress printer listen.
 */
import type { ValidateFunction } from 'ajv';
import type { ToolBackend } from '../../backends/types.ts';
import type { RunEvents } from '../../runs/events.ts';
import { createRedactor, type Redactor } from '../../shared/redact.ts';
import type { BoundToolAccess, ToolAccess } from '../../toolkit/access.ts';
import type { ToolCatalogue } from '../../toolkit/catalogue.ts';
import { MULTI_EXECUTE } from '../../toolkit/router.ts';
import type { ToolEnvelope } from '../../toolkit/types.ts';
import type { HostedCall } from '../observed-model.ts';
import { runMultiExecute } from './multi-execute.ts';
import { admit, announce, answerLocally, type CallContext, execute, type GatewayJournal, type GatewayState, journalWrite, record, refuse } from './stages.ts';

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
}

/** One run's gateway. */
export class ToolGateway {
  /** What the run may call, bound to the backend's listing: the tools offered to the model, schemas, refusals. */
  readonly access: BoundToolAccess;
  readonly #state: GatewayState;

  constructor(options: GatewayOptions) {
    this.access = options.access.withBackend({ name: options.backend.name, tools: options.backend.tools, router: options.backend.router });
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
      simulated: 0,
    };
  }

  /** Calls a tool on the model's or a tool step's behalf; always resolves to the envelope the caller sees. */
  async call(tool: string, args: Record<string, unknown>, context: CallContext): Promise<ToolEnvelope> {
    const state = this.#state;
    const call = { tool, args, context, started: state.now() };
    announce(state, call);
    if (tool === MULTI_EXECUTE && this.access.backend.router) return runMultiExecute(state, call);
    const admitted = admit(state, tool, args);
    if (!admitted.ok) return refuse(state, call, admitted.reason);
    const local = answerLocally(state, call, admitted.effect);
    if (local) return local;
    const envelope = await execute(state, tool, args, context.signal);
    await journalWrite(state, call, admitted.effect, envelope);
    record(state, call, { effect: admitted.effect, status: envelope.successful ? 'ok' : 'error', result: envelope.data, error: envelope.error ?? undefined });
    return envelope;
  }

  /** Refuses (and records) a call of a tool the model was never offered; returns the refusal it sees. */
  refuseUnavailable(tool: string, args: Record<string, unknown>, context: CallContext): ToolEnvelope {
    const call = { tool, args, context, started: this.#state.now() };
    announce(this.#state, call);
    return refuse(this.#state, call, this.access.unavailableReason(tool));
  }

  /** Records a call the model provider ran itself (hosted MCP), seen after the fact: it could not be gated. */
  recordHosted(hosted: HostedCall, step: string): void {
    const call = { tool: hosted.name, args: (hosted.args ?? {}) as Record<string, unknown>, context: { step, turn: hosted.turn }, started: this.#state.now() };
    record(this.#state, call, { effect: this.access.effectOf(hosted.name), status: 'hosted', result: hosted.output, error: hosted.error });
  }
}
