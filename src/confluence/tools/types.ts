/** The shape of one toolkit tool implementation. */
import type { ConfluenceClient } from '../client.ts';

/** A tool: a plain async function of the client, its validated arguments and an abort signal, resolving to `data`. */
// Arguments arrive already validated against the tool's input schema, so each tool types its own.
export type ToolFn = (client: ConfluenceClient, args: any, signal?: AbortSignal) => Promise<unknown>;
