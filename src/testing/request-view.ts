import type { ModelRequestView } from './scripted-model-types.ts';

/** Where a request came from: what {@link buildRequestView} needs beside the body. */
export interface RequestOrigin {
  api: 'chat' | 'responses';
  path: string;
  headers: Record<string, string>;
}

type Json = Record<string, any>;

/** The script's view of a parsed request body (Chat Completions or Responses shape). */
export function buildRequestView(origin: RequestOrigin, body: unknown): ModelRequestView {
  const b: Json = isRecord(body) ? body : {};
  const facts = origin.api === 'chat' ? chatFacts(b) : responsesFacts(b);
  const toolResults = facts.toolResults;
  const view: ModelRequestView = {
    ...origin,
    model: typeof b.model === 'string' ? b.model : '',
    stream: b.stream === true,
    body,
    userText: facts.userTexts[0] ?? '',
    lastUserText: facts.userTexts.at(-1) ?? '',
    toolNames: facts.toolNames,
    tools: Array.isArray(b.tools) ? b.tools : [],
    toolResults,
    lastToolResult: () => parseJson(toolResults.at(-1)?.output),
    turn: facts.turn,
  };
  if (facts.instructions !== undefined) view.instructions = facts.instructions;
  if (facts.outputSchema) view.outputSchema = facts.outputSchema;
  if (facts.maxOutputTokens !== undefined) view.maxOutputTokens = facts.maxOutputTokens;
  return view;
}

interface Facts {
  instructions: string | undefined;
  userTexts: string[];
  toolNames: string[];
  toolResults: Array<{ callId: string; output: string }>;
  turn: number;
  outputSchema: Record<string, unknown> | undefined;
  maxOutputTokens: number | undefined;
}

function chatFacts(b: Json): Facts {
  const messages: Json[] = Array.isArray(b.messages) ? b.messages.filter(isRecord) : [];
  const system = messages.find((m) => m.role === 'system' || m.role === 'developer');
  const format = b.response_format;
  return {
    instructions: system ? textOf(system.content) : undefined,
    userTexts: messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)),
    toolNames: functionTools(b.tools)
      .map((t) => t.function?.name)
      .filter(isString),
    toolResults: messages.filter((m) => m.role === 'tool').map((m) => ({ callId: String(m.tool_call_id ?? ''), output: textOf(m.content) })),
    turn: messages.filter((m) => m.role === 'assistant').length,
    outputSchema: format?.type === 'json_schema' && isRecord(format.json_schema?.schema) ? format.json_schema.schema : undefined,
    maxOutputTokens: firstNumber(b.max_completion_tokens, b.max_tokens),
  };
}

function responsesFacts(b: Json): Facts {
  const items: Json[] = typeof b.input === 'string' ? [{ role: 'user', content: b.input }] : Array.isArray(b.input) ? b.input.filter(isRecord) : [];
  const format = b.text?.format;
  return {
    instructions: typeof b.instructions === 'string' ? b.instructions : undefined,
    userTexts: items.filter((i) => isMessage(i) && i.role === 'user').map((i) => textOf(i.content)),
    toolNames: functionTools(b.tools)
      .map((t) => t.name)
      .filter(isString),
    toolResults: items.filter((i) => i.type === 'function_call_output').map((i) => ({ callId: String(i.call_id ?? ''), output: textOf(i.output) })),
    turn: countAssistantTurns(items),
    outputSchema: format?.type === 'json_schema' && isRecord(format.schema) ? format.schema : undefined,
    maxOutputTokens: firstNumber(b.max_output_tokens),
  };
}

/** Runs of model-produced items (function calls, assistant messages, hosted tool items) count one turn each. */
function countAssistantTurns(items: Json[]): number {
  let turns = 0;
  let inAssistantRun = false;
  for (const item of items) {
    const fromModel = isMessage(item) ? item.role === 'assistant' : !CLIENT_ITEM_TYPES.has(String(item.type));
    if (fromModel && !inAssistantRun) turns++;
    inAssistantRun = fromModel;
  }
  return turns;
}

// Item types the client adds to the conversation; every other non-message item was produced by the model.
const CLIENT_ITEM_TYPES = new Set([
  'function_call_output',
  'computer_call_output',
  'shell_call_output',
  'apply_patch_call_output',
  'mcp_approval_response',
  'custom_tool_call_output',
  'tool_search_output',
  'item_reference',
]);

function isMessage(item: Json): boolean {
  return item.type === 'message' || (item.type === undefined && typeof item.role === 'string');
}

/** Text of message content or a tool output: a string, or the text parts of a part list joined. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isRecord)
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('');
}

function functionTools(tools: unknown): Json[] {
  return Array.isArray(tools) ? tools.filter((t): t is Json => isRecord(t) && t.type === 'function') : [];
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstNumber(...values: unknown[]): number | undefined {
  return values.find((v): v is number => typeof v === 'number');
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
