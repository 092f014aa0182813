/**
 * The names of what a run's spans carry: OpenTelemetry's GenAI conventions where one fits (`gen_ai.*`,
 * `error.type`, `http.response.status_code`), `runner.*` for the rest. docs/OPERATIONS.md lists them by span.
 */
import type { Attributes } from '@opentelemetry/api';

/** Attribute names. */
export const ATTR = {
  /** Who started the attempt: `cli`, `serve` or `queue` (root span). */
  source: 'runner.source',
  /** Run id (root span). */
  runId: 'runner.run.id',
  /** Workflow name (root span). */
  workflow: 'runner.workflow',
  /** 1-based attempt of the run (root span). */
  attempt: 'runner.run.attempt',
  /** `manual`, `schedule` or `rerun` (root span). */
  trigger: 'runner.run.trigger',
  /** `live` or `preview` (root span). */
  mode: 'runner.run.mode',
  /** Tool backend (root span). */
  backend: 'runner.run.backend',
  /** How the attempt ended: the run's status after it (root span). */
  status: 'runner.run.status',
  /** The queue job the attempt ran in (root span and its link). */
  jobId: 'runner.job.id',
  /** The job's name, the workflow's (root span and its link). */
  jobName: 'runner.job.name',
  /** 1-based attempt of the job (root span and its link). */
  jobAttempt: 'runner.job.attempt',
  /** Step id (step spans, and the model and tool spans under them). */
  stepId: 'runner.step.id',
  /** `prompt` or `tool` (step spans). */
  stepKind: 'runner.step.kind',
  /** 0-based position of the step in the workflow (step spans). */
  stepIndex: 'runner.step.index',
  /** How the step ended: `succeeded`, `failed`, `waiting`, `cancelled` (step spans). */
  stepStatus: 'runner.step.status',
  /** Model answers the step took (step spans). */
  turns: 'runner.step.turns',
  /** Model requests retried after transient failures (step and root spans). */
  retries: 'runner.model.retries',
  /** On a model request that repeats a failed one: which retry it is, 1-based (model request spans). */
  retry: 'runner.model.retry',
  /** The HTTP status of the failed request a retry repeats (model request spans, `model_retry` events). */
  httpStatus: 'http.response.status_code',
  /** How long the runner waited before the retry, ms (model request spans, `model_retry` events). */
  retryDelay: 'runner.model.retry.delay_ms',
  /** Tool calls made (step and root spans). */
  toolCalls: 'runner.tool.calls',
  /** `read`, `write`, `destructive` or `unknown` (tool call spans). */
  effect: 'runner.tool.effect',
  /** `ok`, `error`, `refused`, `simulated`, `journaled` or `hosted` (tool call spans). */
  toolStatus: 'runner.tool.status',
  /** The call's duration as the gateway measured it, ms (tool call spans). */
  toolDuration: 'runner.tool.duration_ms',
  /** The meta tool that carried an inner call (tool call spans). */
  via: 'runner.tool.via',
  /** The model turn that asked for the call, 1-based (tool call spans). */
  turn: 'runner.turn',
  /** `chat`, `execute_tool` or `invoke_agent`. */
  operation: 'gen_ai.operation.name',
  /** Model provider: `openai` (model request spans). */
  provider: 'gen_ai.provider.name',
  /** Model asked for (model request and step spans; root span: the run's). */
  requestModel: 'gen_ai.request.model',
  /** Model that answered, as the server named it (model request spans). */
  responseModel: 'gen_ai.response.model',
  /** Response id (model request spans, Responses API). */
  responseId: 'gen_ai.response.id',
  /** Input tokens (model request spans; step and root spans: summed). */
  inputTokens: 'gen_ai.usage.input_tokens',
  /** Output tokens (model request spans; step and root spans: summed). */
  outputTokens: 'gen_ai.usage.output_tokens',
  /** Agent name, the workflow's (agent spans). */
  agentName: 'gen_ai.agent.name',
  /** Tool slug (tool call spans). */
  toolName: 'gen_ai.tool.name',
  /** Failure kind (`model`, `tool`, `validation`, …) of a failed span. */
  errorType: 'error.type',
  /** With RUNNER_TRACE_CONTENT=on: the rendered prompt (step spans). */
  prompt: 'runner.step.prompt',
  /** With RUNNER_TRACE_CONTENT=on: the step's output (step spans). */
  output: 'runner.step.output',
  /** With RUNNER_TRACE_CONTENT=on: what the model was sent (model request spans). */
  inputMessages: 'gen_ai.input.messages',
  /** With RUNNER_TRACE_CONTENT=on: what the model answered (model request spans). */
  outputMessages: 'gen_ai.output.messages',
  /** With RUNNER_TRACE_CONTENT=on: the call's arguments (tool call spans). */
  toolArgs: 'gen_ai.tool.call.arguments',
  /** With RUNNER_TRACE_CONTENT=on: the call's result (tool call spans). */
  toolResult: 'gen_ai.tool.call.result',
} as const;

/** The attributes that carry content (prompts, answers, tool payloads): present only with RUNNER_TRACE_CONTENT=on. */
export const CONTENT_ATTRIBUTES: readonly string[] = [ATTR.prompt, ATTR.output, ATTR.inputMessages, ATTR.outputMessages, ATTR.toolArgs, ATTR.toolResult];

/** The attributes whose value is set (undefined ones left out). */
export function defined(attributes: Record<string, string | number | boolean | undefined>): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) out[name] = value;
  return out;
}
