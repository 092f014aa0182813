/**
 * Shared shapes of the Confluence toolkit: what a tool is, what it returns, what it may change.
 * Pure types, imported by the workflow validator, the toolkit, the sandbox's MCP face and the agent gateway.
 */

/** What a tool may do to the site: drives allowlists (`allow_destructive`) and `--preview`. */
export type ToolEffect = 'read' | 'write' | 'destructive';

/** What a tool may do as far as the runner knows: a catalogue effect, or `unknown` for a tool nothing describes. */
export type KnownEffect = ToolEffect | 'unknown';

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

/**
 * What kind of failure a tool call met, as fields (never read from the error text): `kind` is a run failure kind
 * (`tool` for the backend's trouble, `validation` for a call the rules refuse, `cancelled`, `limit` for a call past
 * a limit of the run), `retryable` whether the same call may succeed later, `status` the HTTP status the tool's
 * service answered, when it did.
 */
export interface ToolFailure {
  kind: 'tool' | 'validation' | 'cancelled' | 'limit';
  retryable: boolean;
  status?: number;
}

/** Every tool result: never a thrown exception, a failure is `successful: false` with an actionable `error`. */
export interface ToolEnvelope<T = unknown> {
  data: T | null;
  error: string | null;
  successful: boolean;
  /** On failure, what kind it was (crosses the MCP boundary in the structured result); absent when unknown. */
  failure?: ToolFailure;
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

/** A tool as an MCP server lists it (what a backend offers a model). */
export interface BackendTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
  /** MCP hints, used for tools the Confluence catalogue does not know. */
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean };
}
