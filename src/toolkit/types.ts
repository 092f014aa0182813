/**
 * Shared shapes of the Confluence toolkit: what a tool is, what it returns, what it may change.
 * Pure types, imported by the workflow validator, the toolkit, the sandbox's MCP face and the agent gateway.
 */

/** What a tool may do to the site: drives allowlists (`allow_destructive`) and `--preview`. */
export type ToolEffect = 'read' | 'write' | 'destructive';

/** A JSON Schema object, as found in the toolkit catalogue. */
export type JsonSchema = Record<string, unknown>;

/** One tool of the catalogue: its slug, how it is described to a model, and its schemas. */
export interface ToolDefinition {
  /** `CONFLUENCE_*` slug, exactly as in the catalogue. */
  readonly slug: string;
  /** Human display name ("Create Page"). */
  readonly name: string;
  /** One-sentence description shown to models. */
  readonly description: string;
  /** read, write or destructive. */
  readonly effect: ToolEffect;
  /** JSON Schema of the arguments. */
  readonly input: JsonSchema;
  /** JSON Schema of the envelope's `data` member on success. */
  readonly output: JsonSchema;
}

/** Every tool result: never a thrown exception, a failure is `successful: false` with an actionable `error`. */
export interface ToolEnvelope<T = unknown> {
  data: T | null;
  error: string | null;
  successful: boolean;
}

/** Options for one tool execution. */
export interface ExecuteOptions {
  /** Aborts the call (and its retries) when signalled. */
  signal?: AbortSignal;
}

/** Something that can run toolkit tools: the REST-backed toolkit, an MCP client, a gateway. */
export interface ToolExecutor {
  /** The tools this executor offers. */
  list(): readonly ToolDefinition[];
  /** Runs one tool; resolves to an envelope even when the call fails. */
  execute(slug: string, args: Record<string, unknown>, options?: ExecuteOptions): Promise<ToolEnvelope>;
}
