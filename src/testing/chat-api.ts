import { pieces, type SseEvent } from './openai-http.ts';
import type { ResolvedAnswer, ScriptedUsage } from './scripted-model-types.ts';

/** Renders a resolved answer as a Chat Completions response: one `chat.completion` or a `chat.completion.chunk` stream. */

/** What every rendering needs beside the answer. */
export interface ChatContext {
  /** Completion id, e.g. `chatcmpl-1`. */
  id: string;
  /** Model name echoed back. */
  model: string;
  /** Unix seconds. */
  created: number;
}

/** The non-streaming `chat.completion` object. */
export function chatCompletion(answer: ResolvedAnswer, ctx: ChatContext): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: answer.text ?? null, refusal: null, annotations: [] };
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((c) => ({ id: c.callId, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    system_fingerprint: null,
    service_tier: 'default',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(answer) }],
    usage: chatUsage(answer.usage),
  };
}

/**
 * The SSE stream the real API sends: a role chunk, text deltas, tool-call deltas (the first of each call carries
 * id, type and name; later ones only argument pieces), a finish chunk, then, with `include_usage`, a chunk with
 * empty `choices` and the usage, and `[DONE]`.
 */
export function chatCompletionChunks(answer: ResolvedAnswer, ctx: ChatContext, includeUsage: boolean): SseEvent[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): SseEvent => ({
    data: JSON.stringify({
      id: ctx.id,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: ctx.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    }),
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: answer.toolCalls.length > 0 && !answer.text ? null : '', refusal: null })];
  if (answer.text) for (const piece of pieces(answer.text)) events.push(chunk({ content: piece }));
  answer.toolCalls.forEach((call, index) => {
    events.push(chunk({ tool_calls: [{ index, id: call.callId, type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const piece of pieces(call.arguments)) events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, finishReason(answer)));
  if (includeUsage) {
    events.push({
      data: JSON.stringify({
        id: ctx.id,
        object: 'chat.completion.chunk',
        created: ctx.created,
        model: ctx.model,
        system_fingerprint: null,
        choices: [],
        usage: chatUsage(answer.usage),
      }),
    });
  }
  events.push({ data: '[DONE]' });
  return events;
}

function finishReason(answer: ResolvedAnswer): string {
  return answer.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

function chatUsage(usage: ScriptedUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}
