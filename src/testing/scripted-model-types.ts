/** The vocabulary of the scripted model server: what a script says and what it sees of each request. */

/** One function call the scripted model makes. */
export interface ScriptedToolCall {
  /** Name of the function tool to call. */
  name: string;
  /** Arguments, sent to the client as a JSON string; a string is sent as it is (to script arguments that are not JSON). */
  arguments: Record<string, unknown> | string;
  /** Call id (default `call_<n>`, unique per server). */
  id?: string;
}

/** Token counts reported for one answer. */
export interface ScriptedUsage {
  inputTokens: number;
  outputTokens: number;
}

/** An HTTP error answer in OpenAI's error JSON shape. */
export interface ScriptedFault {
  /** HTTP status, e.g. 429 or 503. */
  status: number;
  /** Sent as the `retry-after` header when set (0 allowed: retry at once). */
  retryAfterSeconds?: number;
  /** `error.message` (default: a generic message for the status). */
  message?: string;
}

/**
 * A status-200 answer that is no usable completion: `truncated` (the JSON, or the event stream, cut in half),
 * `null` (the body `null`), `html` (an HTML error page, `text/html`), `empty` (a well-formed answer with no
 * `choices` or no `output` items).
 */
export type MalformedAnswer = 'truncated' | 'null' | 'html' | 'empty';

/** A malformed answer to inject, like a fault. */
export interface ScriptedMalformed {
  malformed: MalformedAnswer;
}

/** What `failNext` and `setOutage` inject: an HTTP error or a malformed answer. */
export type ScriptedFailure = ScriptedFault | ScriptedMalformed;

/** A call of a tool on a hosted MCP server, run by the scripted server itself (Responses API only). */
export interface ScriptedHostedMcpCall {
  /** Tool name on the MCP server. */
  name: string;
  /** Tool arguments. */
  arguments: Record<string, unknown>;
}

/** One model answer, or a failure to inject. */
export type ScriptedTurn =
  | { toolCalls: ScriptedToolCall[]; text?: string; usage?: ScriptedUsage }
  | { text: string; usage?: ScriptedUsage }
  | { hostedMcpCalls: ScriptedHostedMcpCall[]; text: string; usage?: ScriptedUsage }
  | { fault: ScriptedFault }
  | ScriptedMalformed
  | { hang: true };

/** What to answer: a list indexed by `request.turn`, or a function deciding per request. */
export type Script = readonly ScriptedTurn[] | ((request: ModelRequestView) => ScriptedTurn | Promise<ScriptedTurn>);

/** One model request as a script sees it. */
export interface ModelRequestView {
  /** Which OpenAI API the request used. */
  api: 'chat' | 'responses';
  /** Request path as sent, e.g. `/v1/responses`. */
  path: string;
  /** `model` of the body ('' when absent). */
  model: string;
  /** Whether the client asked for server-sent events. */
  stream: boolean;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** The raw parsed JSON body (the raw text when it was not JSON). */
  body: any;
  /** System/developer message (chat) or `instructions` (responses). */
  instructions?: string;
  /** Text of the first user message. */
  userText: string;
  /** Text of the last user message. */
  lastUserText: string;
  /** Names of the function tools offered. */
  toolNames: string[];
  /** Raw tool definitions as sent. */
  tools: unknown[];
  /** Function outputs in the conversation, in order. */
  toolResults: Array<{ callId: string; output: string }>;
  /** JSON.parse of the last tool output (undefined if none or not JSON). */
  lastToolResult(): any;
  /** How many assistant turns the conversation already holds (0 for its first request). */
  turn: number;
  /** Requested JSON schema (chat `response_format.json_schema.schema`, responses `text.format.schema`). */
  outputSchema?: Record<string, unknown>;
  /** Output token limit asked for (`max_completion_tokens`/`max_tokens` or `max_output_tokens`). */
  maxOutputTokens?: number;
}

/** A scripted answer ready to render: ids assigned, arguments serialised, usage known. */
export interface ResolvedAnswer {
  /** Assistant text, if any. */
  text?: string;
  /** Function calls, in order. */
  toolCalls: Array<{ callId: string; name: string; arguments: string }>;
  /** Hosted tool output items (`mcp_list_tools`, `mcp_call`) placed before the message; Responses API only. */
  hostedItems: Array<Record<string, unknown>>;
  /** Token counts to report. */
  usage: ScriptedUsage;
}

/** Hands out ids unique per server: `next('call')` → `call_1`, `call_2`, … */
export type IdSource = (prefix: string) => string;
