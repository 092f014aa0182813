import type { SseEvent } from './openai-http.ts';
import { pieces } from './openai-http.ts';
import type { IdSource, ResolvedAnswer, ScriptedUsage } from './scripted-model-types.ts';

/** Renders a resolved answer as a Responses API `response` object, or as the event stream that builds it. */

type Item = Record<string, any>;

/** What every rendering needs beside the answer. */
export interface ResponsesContext {
  /** Response id, e.g. `resp_1`. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The parsed request body: settings the real API echoes back (model, instructions, tools, text, …). */
  body: Record<string, any>;
  /** Item ids. */
  ids: IdSource;
}

/** Output items in the order the real API emits them: hosted tool items, the message, then function calls. */
export function responseOutput(answer: ResolvedAnswer, ids: IdSource): Item[] {
  const items: Item[] = [...answer.hostedItems];
  if (answer.text !== undefined) {
    items.push({
      id: ids('msg'),
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: answer.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of answer.toolCalls) {
    items.push({ id: ids('fc'), type: 'function_call', call_id: call.callId, name: call.name, arguments: call.arguments, status: 'completed' });
  }
  return items;
}

/** The `response` object: status `completed`, the request's settings echoed, output and usage. */
export function responseObject(ctx: ResponsesContext, output: Item[], usage: ScriptedUsage | undefined): Item {
  const b = ctx.body;
  const done = usage !== undefined;
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.created,
    status: done ? 'completed' : 'in_progress',
    ...(done ? { completed_at: ctx.created } : {}),
    background: false,
    error: null,
    incomplete_details: null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    max_tool_calls: null,
    model: typeof b.model === 'string' ? b.model : 'scripted',
    output,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: b.store ?? true,
    temperature: b.temperature ?? 1,
    text: b.text ?? { format: { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    tools: Array.isArray(b.tools) ? b.tools : [],
    top_p: b.top_p ?? 1,
    truncation: b.truncation ?? 'disabled',
    usage: usage ? responsesUsage(usage) : null,
    user: null,
    metadata: b.metadata ?? {},
  };
}

/**
 * The SSE events of a streamed response: `response.created`, `response.in_progress`, per item
 * `response.output_item.added` … `response.output_item.done` with the deltas between (text, function-call
 * arguments, MCP call progress), then `response.completed` carrying the whole response.
 */
export function responseEvents(ctx: ResponsesContext, output: Item[], usage: ScriptedUsage): SseEvent[] {
  const events: SseEvent[] = [];
  let sequence = 0;
  const emit = (type: string, fields: Record<string, unknown>): void => {
    events.push({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...fields }) });
  };
  emit('response.created', { response: responseObject(ctx, [], undefined) });
  emit('response.in_progress', { response: responseObject(ctx, [], undefined) });
  output.forEach((item, index) => {
    const at = { output_index: index };
    emit('response.output_item.added', { ...at, item: startedItem(item) });
    if (item.type === 'message') emitText(emit, item, index);
    if (item.type === 'function_call') {
      for (const delta of pieces(item.arguments)) emit('response.function_call_arguments.delta', { ...at, item_id: item.id, delta });
      emit('response.function_call_arguments.done', { ...at, item_id: item.id, name: item.name, arguments: item.arguments });
    }
    if (item.type === 'mcp_list_tools') {
      emit('response.mcp_list_tools.in_progress', { ...at, item_id: item.id });
      emit('response.mcp_list_tools.completed', { ...at, item_id: item.id });
    }
    if (item.type === 'mcp_call') {
      emit('response.mcp_call.in_progress', { ...at, item_id: item.id });
      emit('response.mcp_call_arguments.done', { ...at, item_id: item.id, arguments: item.arguments });
      emit(item.error ? 'response.mcp_call.failed' : 'response.mcp_call.completed', { ...at, item_id: item.id });
    }
    emit('response.output_item.done', { ...at, item });
  });
  emit('response.completed', { response: responseObject(ctx, output, usage) });
  return events;
}

function emitText(emit: (type: string, fields: Record<string, unknown>) => void, item: Item, index: number): void {
  const part = item.content[0];
  const at = { item_id: item.id, output_index: index, content_index: 0 };
  emit('response.content_part.added', { ...at, part: { ...part, text: '' } });
  for (const delta of pieces(part.text)) emit('response.output_text.delta', { ...at, delta, logprobs: [] });
  emit('response.output_text.done', { ...at, text: part.text, logprobs: [] });
  emit('response.content_part.done', { ...at, part });
}

/** An item as `response.output_item.added` shows it: in progress, its content still empty. */
function startedItem(item: Item): Item {
  switch (item.type) {
    case 'message':
      return { ...item, status: 'in_progress', content: [] };
    case 'function_call':
      return { ...item, status: 'in_progress', arguments: '' };
    case 'mcp_call':
      return { ...item, status: 'in_progress', output: null, error: null };
    default:
      return item;
  }
}

function responsesUsage(usage: ScriptedUsage): Item {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}
