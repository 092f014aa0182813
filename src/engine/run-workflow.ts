/**
 * runWorkflow: the one engine `runner run`, `runner serve` and the queue worker all call. It orchestrates; the
 * helpers do the work: the lifecycle owns the record, tool access decides what may run, the backend opens, the
 * gateway guards tool calls, steps run in order, and everything that happens is a run event.
 */
import { randomUUID } from 'node:crypto';
import { ToolGateway, type GatewayJournal } from '../agent/gateway/index.ts';
import { createModel, requireModelConfig, type ModelChoice } from '../agent/model.ts';
import { checkBackendSettings, createBackendOpener } from '../backends/open.ts';
import type { BackendOpener, ToolBackend } from '../backends/types.ts';
import type { RunnerConfig } from '../config/config.ts';
import { RunEvents, type RunEventListener } from '../runs/events.ts';
import { type Attempt, RunLifecycle, type WaitDraft } from '../runs/lifecycle.ts';
import type { JournalEntry, RunFailure, RunRecord, RunStore, RunTrigger, StepRecord } from '../runs/types.ts';
import { createSandboxLauncher } from '../sandbox/launcher.ts';
import { agentsTracingEnabled } from '../telemetry/trace-start.ts';
import { formatDuration } from '../shared/duration.ts';
import type { Redactor } from '../shared/redact.ts';
import { UserError } from '../shared/errors.ts';
import { createToolAccess } from '../toolkit/access.ts';
import { confluenceCatalogue, type ToolCatalogue } from '../toolkit/catalogue.ts';
import { type InputValues, resolveInputs } from '../workflow/inputs.ts';
import { templateScope, type RunFacts } from '../workflow/scope.ts';
import { createTemplateEngine } from '../workflow/templates.ts';
import type { Workflow } from '../workflow/types.ts';
import { StepFailure, StopReason, classifyFailure } from './failure.ts';
import { approvedCalls, decisionFor, decisionsByCall, type Held, waitDraft } from './approval.ts';
import { agentInstructions } from './instructions.ts';
import { runPromptStep } from './prompt-step.ts';
import { renderText } from './render.ts';
import { runToolStep } from './tool-step.ts';

/** The moving parts, with real defaults; tests and the worker inject their own. */
export interface RunDeps {
  config: RunnerConfig;
  /** Where the record goes (wrapped by the lifecycle's guard: redaction, fencing). */
  store: RunStore;
  /** The toolkit catalogue (default: the embedded Confluence catalogue). */
  catalogue?: ToolCatalogue;
  /** Opens the tool backend (default: sandbox, composio or mcp by name, with an in-process sandbox of the run's own). */
  openBackend?: BackendOpener;
  /** Builds the model (default: OpenAI or OPENAI_BASE_URL through the Agents SDK). */
  createModel?: typeof createModel;
  /** Clock (default: the system clock). */
  now?: () => Date;
  /** Hears every run event, redacted (default: none). */
  onEvent?: RunEventListener;
  /** Awaited before every model request: the queue's shared rate limit (default: none). */
  beforeModelRequest?: (signal?: AbortSignal) => Promise<void>;
  /** Who runs this attempt, recorded (default hostname:pid). */
  worker?: string;
  /**
   * The caller holds the run alone (a queue job's lock): an attempt the record shows running is a dead owner's and
   * is closed, also when resuming. Default false: a resume that finds the run running is refused (someone else has it).
   */
  exclusive?: boolean;
}

/** What to run. */
export interface RunOptions {
  /** Input values as given (strings from flags are converted); defaults apply. */
  inputs?: Record<string, unknown>;
  /** Manual (default), a schedule slot or a re-run. */
  trigger?: RunTrigger;
  /** Run id; an existing run with this id gets another attempt (default: a new UUID). */
  runId?: string;
  /** Simulate writes (default: the workflow's mode). */
  preview?: boolean;
  /** Backend override (default: the workflow's tools.backend, else configuration). */
  backend?: RunnerConfig['backend'];
  /** Cancels the run; it is recorded as cancelled. */
  signal?: AbortSignal;
  /** What templates see as run.scheduled_at, recorded when given (default: the schedule slot, else the start time). */
  scheduledAt?: Date;
  /** Continue the waiting run `runId` once its held calls are decided (default false: a waiting run is not touched). */
  resume?: boolean;
}

const HOSTED_NOTE =
  "tools.mode is hosted: the model provider called the tools itself, so the runner could not gate, preview or journal them; they are recorded after the fact as 'hosted'";

/**
 * Runs a validated workflow once (one attempt) and returns its record as stored (redacted). Throws only for what
 * the person gave before anything ran (bad inputs, no model configured); a failed run is a record, not a throw.
 */
export async function runWorkflow(workflow: Workflow, options: RunOptions, deps: RunDeps): Promise<RunRecord> {
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  const catalogue = deps.catalogue ?? confluenceCatalogue();
  // A resumed run goes on with the inputs it started with (resolved and recorded then).
  const resumed = options.resume && options.runId ? await deps.store.get(options.runId) : undefined;
  const inputs = resumed ? (resumed.inputs as InputValues) : resolveInputs(workflow, options.inputs ?? {});
  const preview = options.preview === true || workflow.mode === 'preview';
  const hostedMode = workflow.tools.mode === 'hosted';
  if (preview && hostedMode)
    throw new UserError('preview cannot be combined with tools.mode: hosted (hosted calls run on the provider side and cannot be simulated)');
  const hasPrompt = workflow.steps.some((s) => s.kind === 'prompt');
  if (hasPrompt) requireModelConfig(config);
  const modelName = workflow.agent.model ?? config.model;
  const backendName = options.backend ?? workflow.tools.backend ?? config.backend;
  await checkBackendSettings(config, backendName);

  const lifecycle = new RunLifecycle(deps.store, { secrets: config.secrets, now });
  const events = new RunEvents({ redact: lifecycle.store.redact });
  if (deps.onEvent) events.onAny(deps.onEvent);
  const run = await lifecycle.begin(
    workflow,
    {
      id: options.runId ?? randomUUID(),
      trigger: options.trigger ?? { type: 'manual' },
      ...(options.scheduledAt && { scheduledAt: options.scheduledAt.toISOString() }),
      inputs,
      mode: preview ? 'preview' : 'live',
      backend: backendName,
      model: hasPrompt ? modelName : '(none: tool steps only)',
    },
    { worker: deps.worker, events, fresh: options.runId === undefined, resume: options.resume, exclusive: deps.exclusive },
  );
  if (hostedMode) run.note(HOSTED_NOTE);

  const stop = new AbortController();
  const deadline = Date.now() + workflow.limits.timeoutMs;
  const halt = (failure: RunFailure) => stop.abort(new StopReason(failure));
  const timer = setTimeout(
    () => halt({ kind: 'limit', message: `the run took longer than limits.timeout (${formatDuration(workflow.limits.timeoutMs)})`, retryable: false }),
    workflow.limits.timeoutMs,
  );
  const onCancel = () => halt({ kind: 'cancelled', message: 'the run was cancelled', retryable: false });
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  watchTokenBudget(events, workflow.limits.maxTokens, halt);
  const overCallLimit = watchCallLimit(events, workflow.limits.maxToolCalls);

  let backend: ToolBackend | undefined;
  let outcome: StepsOutcome;
  try {
    const access = createToolAccess({
      allow: workflow.tools.allow,
      allowDestructive: workflow.tools.allow_destructive,
      catalogue,
      approval: workflow.approval?.requiredFor,
    });
    const open = deps.openBackend ?? createBackendOpener({ sandbox: createSandboxLauncher() });
    backend = await open(config, { name: backendName, allowed: access.allowedTools().map((t) => t.slug), mcp: workflow.tools.mcp });
    const journal = await openJournal(lifecycle.store, run.run.id, run.attempt.number === 1);
    const gateway = new ToolGateway({
      backend,
      access,
      catalogue,
      preview,
      timeoutMs: config.tools.timeoutMs,
      recordResultChars: config.tools.recordResultChars,
      journal,
      attempt: run.attempt.number,
      now,
      events,
      redact: lifecycle.store.redact,
      maxCalls: workflow.limits.maxToolCalls,
      settleMs: config.tools.settleMs,
      approved: approvedCalls(run.run),
      bodyFormat: workflow.tools.body_format,
    });
    // Writes an earlier attempt left uncertain are settled before anything runs, so nothing is repeated blindly.
    for (const note of await gateway.settlePending(journal.entries(), stop.signal)) run.note(note);
    outcome = await runSteps(workflow, run, {
      inputs,
      options,
      gateway,
      journal,
      backend,
      stop: stop.signal,
      modelName,
      hostedMode,
      deps,
      redact: lifecycle.store.redact,
      deadline,
      overCallLimit,
      halt,
    });
  } catch (error) {
    outcome = { failure: classifyFailure(error, undefined, stop.signal) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
  }
  // The record is final before the backend closes, so a close that hangs or a process that dies meanwhile leaves
  // nothing open in it. A run that waits for a person holds nothing: the record says where to go on.
  try {
    if ('wait' in outcome) return await run.wait(outcome.wait.step, outcome.wait.draft);
    return await run.finish(outcome.failure);
  } finally {
    await backend?.close();
  }
}

/** What running the steps needs. */
interface StepsContext {
  inputs: InputValues;
  options: RunOptions;
  gateway: ToolGateway;
  journal: RunJournal;
  backend: ToolBackend;
  stop: AbortSignal;
  modelName: string;
  hostedMode: boolean;
  deps: RunDeps;
  /** Keeps secrets out of what the model is sent. */
  redact: Redactor;
  /** When limits.timeout ends the run (ms since epoch, real time: the timer's clock). */
  deadline: number;
  /** The limit failure once a call went past limits.max_tool_calls. */
  overCallLimit: () => RunFailure | undefined;
  /** Stops the run with a failure. */
  halt: (failure: RunFailure) => void;
}

/** How the steps ended: all done, one failed, or one waits for a person. */
type StepsOutcome = { failure?: RunFailure } | { wait: { step: StepRecord; draft: WaitDraft } };

/**
 * Runs the steps in order until one fails or waits for a person. A resumed attempt starts at the step that waited
 * (earlier steps' outputs are in the record), with the decisions made meanwhile.
 */
async function runSteps(workflow: Workflow, run: Attempt, context: StepsContext): Promise<StepsOutcome> {
  const { gateway, deps, stop } = context;
  const { config } = deps;
  // Rendering is bounded by the run's time too: a runaway template fails the run instead of blocking the process.
  const templates = createTemplateEngine(workflow.timezone, { deadline: context.deadline });
  const facts: RunFacts = {
    id: run.run.id,
    // Given, else recorded (a retried or resumed attempt keeps the first one's), else the slot, else the start.
    scheduled_at:
      context.options.scheduledAt?.toISOString() ?? run.run.scheduledAt ?? (run.run.trigger.type === 'schedule' ? run.run.trigger.slot : run.run.startedAt!),
    started_at: run.attempt.startedAt,
    trigger: run.run.trigger.type,
    attempt: run.attempt.number,
  };
  const from = run.resumeFrom;
  let model: ModelChoice | undefined;
  for (const [index, step] of workflow.steps.entries()) {
    if (from && index < from.resume.index) continue;
    const resuming = from !== undefined && index === from.resume.index;
    const scope = templateScope(workflow, context.inputs, facts, run.run.outputs);
    const title = step.title ? renderText(templates, step.title, scope, `${step.id}.title`) : undefined;
    const head = { id: step.id, kind: step.kind, title };
    const record = resuming ? run.resumeStep(head, index, workflow.steps.length) : run.startStep(head, index, workflow.steps.length);
    try {
      let outcome: { output: unknown } | { paused: { state?: string; calls: Held[] } };
      if (step.kind === 'tool') {
        const result = await runToolStep({ step, gateway, templates, scope, signal: stop, ...(resuming ? { decision: decisionFor(from, step.id) } : {}) });
        outcome = 'paused' in result ? { paused: { calls: [result.paused] } } : result;
      } else {
        model ??= (deps.createModel ?? createModel)(config, context.modelName, { signal: stop, deadline: context.deadline });
        const own = workflow.agent.instructions ? renderText(templates, workflow.agent.instructions, scope, 'agent.instructions') : undefined;
        // What the model is sent never holds a secret (an earlier attempt's journaled result might echo one).
        const instructions = context.redact(agentInstructions(workflow, own, context.journal.entries(), run.attempt.number));
        const prompt = context.redact(renderText(templates, step.prompt, scope, `${step.id}.prompt`));
        run.describeStep(record, { prompt, instructions, model: context.modelName });
        if (resuming && !from.resume.state)
          throw new StepFailure({ kind: 'internal', message: 'the saved state of the waiting step is missing', retryable: false });
        outcome = await runPromptStep({
          step,
          prompt,
          instructions,
          agentName: workflow.name,
          gateway,
          model,
          maxTurns: workflow.limits.maxTurns,
          signal: stop,
          hosted: context.hostedMode ? requireHosted(context.backend) : undefined,
          tracingDisabled: !agentsTracingEnabled(config),
          beforeRequest: async (signal) => {
            // Past the call budget the turn's calls have all ended by the next request: stop there, not mid-call.
            const over = context.overCallLimit();
            if (over) {
              context.halt(over);
              throw new StepFailure(over);
            }
            await deps.beforeModelRequest?.(signal);
          },
          events: run.events,
          maxOutputChars: config.openai.maxOutputChars,
          ...(resuming ? { resume: { state: from.resume.state!, decisions: decisionsByCall(from, step.id) } } : {}),
        });
      }
      const over = context.overCallLimit();
      if (over) throw new StepFailure(over);
      if ('paused' in outcome) {
        const recordChars = config.tools.recordResultChars;
        const draft = waitDraft(workflow, { id: step.id, index, state: outcome.paused.state }, outcome.paused.calls, {
          gateway,
          recordChars,
          redact: context.redact,
          templates,
          scope,
        });
        return { wait: { step: record, draft } };
      }
      // The last step's end is saved with the run's end, which follows at once: one write, not two.
      await run.endStep(record, { output: outcome.output }, { save: index < workflow.steps.length - 1 });
    } catch (error) {
      const failure = classifyFailure(error, step.id, stop);
      await run.endStep(record, { error: failure }, { save: false });
      return { failure };
    }
  }
  return {};
}

/**
 * Watches for a call refused past `limits.max_tool_calls`; returns what the run then fails with. Calls admitted
 * before it are not cut short (a write in flight would end in an unknown state): the run stops at the next model
 * request or step boundary.
 */
function watchCallLimit(events: RunEvents, max: number): () => RunFailure | undefined {
  let failure: RunFailure | undefined;
  events.on('tool_end', ({ call }) => {
    if (call.failure?.kind === 'limit')
      failure ??= { kind: 'limit', message: `the run tried more than limits.max_tool_calls (${max}) tool calls`, retryable: false };
  });
  return () => failure;
}

/** Stops the run once its models have used more than `limits.max_tokens`. */
function watchTokenBudget(events: RunEvents, max: number | undefined, halt: (failure: RunFailure) => void): void {
  if (max === undefined) return;
  let tokens = 0;
  events.on('turn', ({ usage }) => {
    tokens += usage.inputTokens + usage.outputTokens;
    if (tokens > max) halt({ kind: 'limit', message: `the run used ${tokens} tokens, more than limits.max_tokens (${max})`, retryable: false });
  });
}

/** The run's write journal as the gateway and the instructions use it. */
type RunJournal = GatewayJournal & { entries(): JournalEntry[] };

/** The run's write journal, loaded once per attempt and written through to the store. */
async function openJournal(store: RunStore, runId: string, first: boolean): Promise<RunJournal> {
  // A run's first attempt has nothing journaled yet: no read.
  const byKey = new Map(first ? [] : (await store.journal(runId)).map((e) => [e.key, e]));
  return {
    find: (key) => byKey.get(key),
    add: async (entry) => {
      byKey.set(entry.key, entry);
      await store.addJournal(runId, entry);
    },
    entries: () => [...byKey.values()],
  };
}

function requireHosted(backend: ToolBackend) {
  if (!backend.hosted) throw new UserError(`tools.mode: hosted needs a backend reachable over HTTP; the ${backend.name} backend here is not`);
  return backend.hosted;
}
