import type { ServerResponse } from 'node:http';
import { chatCompletion, chatCompletionChunks } from './chat-api.ts';
import { sendJson, sendSse, type SseEvent } from './openai-http.ts';
import { responseEvents, responseObject, responseOutput } from './responses-api.ts';
import type { IdSource, MalformedAnswer, ResolvedAnswer } from './scripted-model-types.ts';

/**
 * Answers with status 200 that are not a usable completion, as broken proxies and OpenAI-compatible servers send
 * them: JSON cut off mid-way, a `null` body, an HTML error page, or a well-formed answer without choices or output.
 */

/** What rendering a malformed answer needs: the request's API and whether it asked for a stream. */
export interface MalformedContext {
  api: 'chat' | 'responses';
  stream: boolean;
  /** The parsed request body (echoed by Responses objects). */
  body: Record<string, any>;
  ids: IdSource;
  /** Model name echoed back. */
  model: string;
}

/** The page a gateway in front of a model server answers with when it is unhappy, with status 200. */
export const MALFORMED_HTML =
  '<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body><h1>Service unavailable</h1><p>The upstream model server did not answer.</p></body></html>\n';

/** A complete-looking answer the truncated variant cuts in half. */
const PLACEHOLDER: ResolvedAnswer = {
  text: 'This answer was cut off before it ended.',
  toolCalls: [],
  hostedItems: [],
  usage: { inputTokens: 1, outputTokens: 1 },
};

/** An answer with nothing in it. */
const NOTHING: ResolvedAnswer = { toolCalls: [], hostedItems: [], usage: { inputTokens: 1, outputTokens: 0 } };

/** Writes the malformed answer `kind` with status 200. */
export function sendMalformed(res: ServerResponse, kind: MalformedAnswer, ctx: MalformedContext, headers: Record<string, string> = {}): void {
  const created = Math.floor(Date.now() / 1000);
  if (kind === 'null') sendRaw(res, 'application/json', 'null', headers);
  else if (kind === 'html') sendRaw(res, 'text/html; charset=utf-8', MALFORMED_HTML, headers);
  else if (kind === 'truncated') {
    const whole = ctx.stream ? sseText(events(ctx, PLACEHOLDER, created)) : JSON.stringify(complete(ctx, PLACEHOLDER, created));
    sendRaw(res, ctx.stream ? 'text/event-stream; charset=utf-8' : 'application/json', whole.slice(0, Math.floor(whole.length / 2)), headers);
  } else if (ctx.stream) {
    sendSse(res, emptyEvents(ctx, created), headers);
  } else {
    const answer = complete(ctx, NOTHING, created);
    sendJson(res, 200, ctx.api === 'chat' ? { ...answer, choices: [] } : { ...answer, output: [] }, headers);
  }
}

function complete(ctx: MalformedContext, answer: ResolvedAnswer, created: number): Record<string, unknown> {
  if (ctx.api === 'chat') return chatCompletion(answer, { id: ctx.ids('chatcmpl'), model: ctx.model || 'scripted', created });
  return responseObject({ id: ctx.ids('resp'), created, body: ctx.body, ids: ctx.ids }, responseOutput(answer, ctx.ids), answer.usage);
}

function events(ctx: MalformedContext, answer: ResolvedAnswer, created: number): SseEvent[] {
  if (ctx.api === 'chat') return chatCompletionChunks(answer, { id: ctx.ids('chatcmpl'), model: ctx.model || 'scripted', created }, true);
  return responseEvents({ id: ctx.ids('resp'), created, body: ctx.body, ids: ctx.ids }, responseOutput(answer, ctx.ids), answer.usage);
}

/** A stream that completes without a choice (chat: only a usage chunk) or an output item (responses). */
function emptyEvents(ctx: MalformedContext, created: number): SseEvent[] {
  if (ctx.api === 'responses') return events(ctx, NOTHING, created);
  const usage = { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 };
  const chunk = { id: ctx.ids('chatcmpl'), object: 'chat.completion.chunk', created, model: ctx.model || 'scripted', choices: [], usage };
  return [{ data: JSON.stringify(chunk) }, { data: '[DONE]' }];
}

function sseText(list: readonly SseEvent[]): string {
  return list.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`).join('');
}

function sendRaw(res: ServerResponse, type: string, text: string, headers: Record<string, string>): void {
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
