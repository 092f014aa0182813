/**
 * What the observed model does to a function call before the Agents SDK sees it: a tool name the model decorated
 * (`functions.CONFLUENCE_SEARCH_CONTENT`, `confluence.CONFLUENCE_...`, a trailing space or a chat-template token, as
 * open models behind OpenAI-compatible servers write them) becomes the offered tool when exactly one fits, and
 * arguments that are not one JSON object are set aside so the gateway can refuse the call with the reason.
 */

/** Chat-template tokens some servers leave in a tool name (`NAME<|channel|>commentary`). */
const TEMPLATE_TOKEN = '<|';

/** The offered tool a name the model wrote means: itself when offered, else the one tool that fits, else undefined. */
export function resolveToolName(name: string, offered: readonly string[]): string | undefined {
  if (offered.includes(name)) return name;
  let bare = name;
  const token = bare.indexOf(TEMPLATE_TOKEN);
  if (token > 0) bare = bare.slice(0, token);
  bare = bare.trim();
  // A namespace in front: `functions.X`, `confluence.X`, `default_api:X`, `tools/X`.
  const namespaced = bare.split(/[.:/]/).at(-1)?.trim() ?? bare;
  for (const candidate of [bare, namespaced]) {
    if (offered.includes(candidate)) return candidate;
  }
  const folded = namespaced.toLowerCase();
  const matches = offered.filter((o) => o.toLowerCase() === folded);
  return matches.length === 1 ? matches[0] : undefined;
}

/** What a function name in a conversation may hold; anything else makes the SDK refuse to send the history again. */
const REPLAYABLE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * A name for a call of no offered tool that the conversation can carry on with: the SDK refuses to replay a
 * Chat Completions history whose function names hold anything but letters, digits, `_` and `-` (and servers
 * reject them), which would end the run at the next request. Other characters become `_`; the result is never
 * an offered tool's name, so the call is still refused as the unknown tool it is.
 */
export function replayableName(name: string, offered: readonly string[]): string {
  if (REPLAYABLE_NAME.test(name) && !offered.includes(name)) return name;
  let safe = name.replace(/[^A-Za-z0-9_-]/g, '_') || 'unnamed';
  while (offered.includes(safe)) safe = `${safe}_`;
  return safe;
}

/** Arguments the model sent: one JSON object (`{}` for empty text), or the problem with them. */
export type ReadArguments = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

/** Reads a function call's argument text. */
export function readArguments(text: string): ReadArguments {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `the arguments are not valid JSON (${(error as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, problem: `the arguments must be one JSON object, not ${what}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
