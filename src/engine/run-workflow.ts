/**
 * runWorkflow: the one engine `runner run` and the queue worker both call. It orchestrates; the helpers do the
 * work: the backend opens, the gateway guards tool calls, steps run in order, the recorder keeps the record.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunnerConfig } from '../config/config.ts';
import { ToolGateway, type GatewayJournal } from '../agent/gateway.ts';
import { createModel, requireModelConfig, type ModelChoice } from '../agent/model.ts';
import { createToolPolicy } from '../agent/tool-policy.ts';
import type { AttemptRecord, JournalEntry, RunFailure, RunRecord, RunStore, RunTrigger } from '../runs/types.ts';
import { newRunRecord } from '../runs/new-run.ts';
import { UserError } from '../shared/errors.ts';
import { createRedactor } from '../shared/redact.ts';
import { openBackend as defaultOpenBackend } from '../backends/open.ts';
import type { ToolBackend } from '../backends/types.ts';
import { confluenceCatalogue, type ToolCatalogue } from '../toolkit/catalogue.ts';
import { allowedTools } from '../workflow/allowed-tools.ts';
import { formatDuration } from '../shared/duration.ts';
import { resolveInputs } from '../workflow/inputs.ts';
import { templateScope, type RunFacts } from '../workflow/scope.ts';
import { createTemplateEngine } from '../workflow/templates.ts';
import type { Workflow } from '../workflow/types.ts';
import type { RunEventListener } from './events.ts';
import { StopReason, classifyFailure } from './failure.ts';
import { agentInstructions } from './instructions.ts';
import { runPromptStep } from './prompt-step.ts';
import { RunRecorder } from './recorder.ts';
import { renderText } from './render.ts';
import { runToolStep } from './tool-step.ts';

/** The moving parts, with real defaults; tests and the worker inject their own. */
export interface RunDeps {
  config: RunnerConfig;
  /** Where the record goes. */
  store: RunStore;
  /** The toolkit catalogue (default: the embedded Confluence catalogue). */
  catalogue?: ToolCatalogue;
  /** Opens the tool backend (default: sandbox, composio or mcp by name). */
  openBackend?: typeof defaultOpenBackend;
  /** Builds the model (default: OpenAI or OPENAI_BASE_URL through the Agents SDK). */
  createModel?: typeof createModel;
  /** Clock (default: the system clock). */
  now?: () => Date;
  /** Progress events (default: none). */
  onEvent?: RunEventListener;
  /** Awaited before every model request: the queue's shared rate limit (default: none). */
  beforeModelRequest?: (signal?: AbortSignal) => Promise<void>;
  /** Who runs this attempt, recorded (default hostname:pid). */
  worker?: string;
}

/** What to run. */
export interface RunOptions {
  /** Input values as given (strings from flags are converted); defaults apply. */
  inputs?: Record<string, unknown>;
  /** Manual (default) or a schedule slot. */
  trigger?: RunTrigger;
  /** Run id; an existing run with this id gets another attempt (default: a new UUID). */
  runId?: string;
  /** Simulate writes (default: the workflow's mode). */
  preview?: boolean;
  /** Backend override (default: the workflow's tools.backend, else configuration). */
  backend?: RunnerConfig['backend'];
  /** Cancels the run; it is recorded as cancelled. */
  signal?: AbortSignal;
  /** What templates see as run.scheduled_at (default: the schedule slot, else the start time). */
  scheduledAt?: Date;
}

/** Runs a validated workflow once (one attempt) and returns its record. Never throws for a failed run. */
export async function runWorkflow(workflow: Workflow, options: RunOptions, deps: RunDeps): Promise<RunRecord> {
  const { config, store } = deps;
  const now = deps.now ?? (() => new Date());
  const catalogue = deps.catalogue ?? confluenceCatalogue();
  const inputs = resolveInputs(workflow, options.inputs ?? {});
  const preview = options.preview === true || workflow.mode === 'preview';
  const hostedMode = workflow.tools.mode === 'hosted';
  if (preview && hostedMode)
    throw new UserError('preview cannot be combined with tools.mode: hosted (hosted calls run on the provider side and cannot be simulated)');
  const hasPrompt = workflow.steps.some((s) => s.kind === 'prompt');
  if (hasPrompt) requireModelConfig(config);
  const modelName = workflow.agent.model ?? config.model;
  const backendName = options.backend ?? workflow.tools.backend ?? config.backend;
  const redact = createRedactor(config.secrets);

  const run = await startRun(store, workflow, options, { inputs, preview, backendName, modelName: hasPrompt ? modelName : '(none: tool steps only)', now });
  const attempt: AttemptRecord = {
    number: run.attempts.length + 1,
    status: 'running',
    worker: deps.worker ?? `${hostname()}:${process.pid}`,
    startedAt: now().toISOString(),
    steps: [],
  };
  run.attempts.push(attempt);
  run.status = 'running';
  run.outputs = {};
  delete run.error;
  run.startedAt ??= attempt.startedAt;
  if (hostedMode)
    addNote(
      run,
      "tools.mode is hosted: the model provider called the tools itself, so the runner could not gate, preview or journal them; they are recorded after the fact as 'hosted'",
    );
  const recorder = new RunRecorder(run, attempt, store, now, deps.onEvent);
  await recorder.save();
  recorder.emit({ type: 'run_start', run, attempt: attempt.number });

  const stop = new AbortController();
  const timer = setTimeout(
    () =>
      stop.abort(
        new StopReason({
          kind: 'limit',
          message: `the run took longer than limits.timeout (${formatDuration(workflow.limits.timeoutMs)})`,
          retryable: false,
        }),
      ),
    workflow.limits.timeoutMs,
  );
  const onCancel = () => stop.abort(new StopReason({ kind: 'cancelled', message: 'the run was cancelled', retryable: false }));
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener('abort', onCancel, { once: true });

  let backend: ToolBackend | undefined;
  let failure: RunFailure | undefined;
  try {
    const allowed = allowedTools(workflow, catalogue.tools).map((t) => t.slug);
    backend = await (deps.openBackend ?? defaultOpenBackend)(config, { name: backendName, allowed, mcp: workflow.tools.mcp });
    const journal = await openJournal(store, run.id);
    let current = attempt.steps[0];
    const gateway = new ToolGateway({
      backend,
      policy: createToolPolicy({
        allow: workflow.tools.allow,
        allowDestructive: workflow.tools.allow_destructive,
        catalogue,
        backendTools: backend.tools,
        router: backend.router,
      }),
      catalogue,
      preview,
      timeoutMs: config.tools.timeoutMs,
      recordResultChars: config.tools.recordResultChars,
      redact,
      journal,
      attempt: attempt.number,
      now,
      onStart: (tool, args, context) =>
        recorder.emit({ type: 'tool_start', step: context.step, tool, args: redact(args), turn: context.turn, via: context.via }),
      onCall: (record, _context, result) => current && recorder.addToolCall(current, record, result),
    });
    const templates = createTemplateEngine(workflow.timezone);
    const facts: RunFacts = {
      id: run.id,
      scheduled_at: options.scheduledAt?.toISOString() ?? (run.trigger.type === 'schedule' ? run.trigger.slot : run.startedAt!),
      started_at: attempt.startedAt,
      trigger: run.trigger.type,
      attempt: attempt.number,
    };
    let model: ModelChoice | undefined;
    let tokens = 0;
    for (const [index, step] of workflow.steps.entries()) {
      const scope = templateScope(workflow, inputs, facts, run.outputs);
      const title = step.title ? renderText(templates, step.title, scope, `${step.id}.title`) : undefined;
      current = recorder.startStep({ id: step.id, kind: step.kind, ...(title ? { title } : {}) }, index, workflow.steps.length);
      try {
        let output: unknown;
        if (step.kind === 'tool') {
          output = await runToolStep({ step, record: current, gateway, templates, scope, signal: stop.signal });
        } else {
          model ??= (deps.createModel ?? createModel)(config, modelName, { signal: stop.signal });
          const instructions = redact(agentInstructions(workflow, renderWorkflowInstructions(workflow, templates, scope), journal.entries(), attempt.number));
          const prompt = redact(renderText(templates, step.prompt, scope, `${step.id}.prompt`));
          Object.assign(current, { prompt, instructions, model: modelName });
          output = await runPromptStep({
            step,
            record: current,
            prompt,
            instructions,
            agentName: workflow.name,
            gateway,
            model,
            maxTurns: workflow.limits.maxTurns,
            signal: stop.signal,
            hosted: hostedMode ? requireHosted(backend) : undefined,
            tracingDisabled: !(config.openai.tracing && !config.openai.baseUrl),
            beforeRequest: deps.beforeModelRequest,
            onUsage: (usage) => {
              tokens += usage.inputTokens + usage.outputTokens;
              const max = workflow.limits.maxTokens;
              if (max !== undefined && tokens > max) {
                stop.abort(new StopReason({ kind: 'limit', message: `the run used ${tokens} tokens, more than limits.max_tokens (${max})`, retryable: false }));
              }
            },
            onHostedCall: (call) =>
              gateway.record(
                {
                  tool: call.name,
                  effect: gateway.options.policy.effectOf(call.name),
                  args: call.args,
                  status: 'hosted',
                  result: call.output,
                  error: call.error,
                },
                { step: step.id, turn: call.turn },
                now(),
              ),
            emit: (event) => recorder.emit(event),
          });
        }
        await recorder.endStep(current, { output });
      } catch (error) {
        failure = classifyFailure(error, step.id, stop.signal, redact);
        await recorder.endStep(current, { error: failure, cancelled: failure.kind === 'cancelled' });
        break;
      }
    }
  } catch (error) {
    failure = classifyFailure(error, undefined, stop.signal, redact);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
    await backend?.close();
  }
  return recorder.finish(failure);
}

async function startRun(
  store: RunStore,
  workflow: Workflow,
  options: RunOptions,
  facts: { inputs: Record<string, unknown>; preview: boolean; backendName: string; modelName: string; now: () => Date },
): Promise<RunRecord> {
  const existing = options.runId ? await store.get(options.runId) : undefined;
  if (existing && existing.id === options.runId) return existing;
  return newRunRecord(workflow, {
    id: options.runId ?? randomUUID(),
    trigger: options.trigger ?? { type: 'manual' },
    inputs: facts.inputs,
    status: 'running',
    mode: facts.preview ? 'preview' : 'live',
    backend: facts.backendName,
    model: facts.modelName,
    createdAt: facts.now().toISOString(),
  });
}

/** The run's write journal, loaded once per attempt and written through to the store. */
async function openJournal(store: RunStore, runId: string): Promise<GatewayJournal & { entries(): JournalEntry[] }> {
  const byKey = new Map((await store.journal(runId)).map((e) => [e.key, e]));
  return {
    find: (key) => byKey.get(key),
    add: async (entry) => {
      byKey.set(entry.key, entry);
      await store.addJournal(runId, entry);
    },
    entries: () => [...byKey.values()],
  };
}

function renderWorkflowInstructions(workflow: Workflow, templates: ReturnType<typeof createTemplateEngine>, scope: object): string | undefined {
  return workflow.agent.instructions ? renderText(templates, workflow.agent.instructions, scope, 'agent.instructions') : undefined;
}

function requireHosted(backend: ToolBackend) {
  if (!backend.hosted) throw new UserError(`tools.mode: hosted needs a backend reachable over HTTP; the ${backend.name} backend here is not`);
  return backend.hosted;
}

function addNote(run: RunRecord, note: string): void {
  if (!run.notes.includes(note)) run.notes.push(note);
}
