/**
 * One line a person reads for what a tool call or a step did (`created blog post "Weekly summary 2026-W48" in TEAM`,
 * `labelled 3 pages`, `found 12 results: "A", "B", …`), derived from the recorded calls (tool, status, arguments,
 * result) instead of their JSON. Pure; every text taken from a record passes `printable`.
 */
import type { StepRecord, ToolCallRecord } from '../runs/types.ts';
import { printable } from './output.ts';

/** Longest text (a title, an error, an output) quoted in a line, in characters. */
const MAX_TEXT = 80;
/** Titles named after a count of results. */
const MAX_TITLES = 3;

/** Object types named in Confluence tool slugs, as people say them (singular, plural). */
const NOUNS: Record<string, [string, string]> = {
  PAGE: ['page', 'pages'],
  PAGES: ['page', 'pages'],
  BLOGPOST: ['blog post', 'blog posts'],
  BLOGPOSTS: ['blog post', 'blog posts'],
  BLOG_POSTS: ['blog post', 'blog posts'],
  SPACE: ['space', 'spaces'],
  SPACES: ['space', 'spaces'],
  CONTENT: ['item', 'items'],
  ATTACHMENT: ['attachment', 'attachments'],
  ATTACHMENTS: ['attachment', 'attachments'],
  COMMENT: ['comment', 'comments'],
  COMMENTS: ['comment', 'comments'],
  LABEL: ['label', 'labels'],
  LABELS: ['label', 'labels'],
  USER: ['user', 'users'],
  USERS: ['user', 'users'],
};

/** One line for one call, whatever its status (refused and failed calls say so). */
export function describeCall(call: ToolCallRecord): string {
  const tool = printable(call.tool);
  switch (call.status) {
    case 'refused':
      return `${tool} refused${call.error ? `: ${cut(call.error)}` : ''}`;
    case 'error':
      return `${tool} failed${call.error ? `: ${cut(call.error)}` : ''}`;
    case 'simulated':
      return `would have ${done(call)}`;
    case 'journaled':
      return `${done(call)} (done earlier)`;
    case 'hosted':
      return `${tool} ran at the model provider`;
    default:
      return done(call);
  }
}

/**
 * One line for a step: what its calls did (several calls of one tool counted: `read 5 pages`), the calls that failed
 * or were refused counted, then a prompt step's output, cut, and `failed` when it failed. `(no tool calls)` for a
 * tool-less step without output.
 */
export function describeStep(step: StepRecord): string {
  const parts: string[] = [];
  const counted = new Map<string, ToolCallRecord[]>();
  for (const call of step.toolCalls) {
    if (call.status !== 'ok' && call.status !== 'journaled') continue;
    counted.set(call.tool, [...(counted.get(call.tool) ?? []), call]);
  }
  for (const calls of counted.values()) parts.push(calls.length === 1 ? describeCall(calls[0]!) : several(calls));
  const simulated = step.toolCalls.filter((c) => c.status === 'simulated');
  if (simulated.length) parts.push(`${count(simulated.length, 'write')} simulated (preview)`);
  const failed = step.toolCalls.filter((c) => c.status === 'error');
  if (failed.length === 1) parts.push(describeCall(failed[0]!));
  else if (failed.length > 1) parts.push(`${count(failed.length, 'call')} failed`);
  const refused = step.toolCalls.filter((c) => c.status === 'refused').length;
  if (refused) parts.push(`${count(refused, 'call')} refused (not allowed)`);
  const hosted = step.toolCalls.filter((c) => c.status === 'hosted').length;
  if (hosted) parts.push(`${count(hosted, 'call')} at the model provider`);
  if (step.kind === 'prompt' && step.output !== undefined) parts.push(`→ ${cut(outputText(step.output), 120)}`);
  // A failed step's reason is printed once, above the steps.
  if (step.status === 'failed') parts.push('failed');
  return parts.length ? parts.join('; ') : '(no tool calls)';
}

/** What a call that ran did, in the past tense, from its slug, arguments and result. */
function done(call: ToolCallRecord): string {
  const slug = call.tool.replace(/^CONFLUENCE_/, '');
  const args = record(call.args);
  const result = unwrap(call.result);
  const title = text(result?.title) ?? text(args.title);
  const named = title ? ` "${cut(title)}"` : '';
  if (/^SEARCH/.test(slug)) return found(call.result);
  const create = /^CREATE_(.+)$/.exec(slug);
  if (create) {
    const space = spaceOf(result, args);
    return `created ${noun(create[1]!)}${named}${space ? ` in ${space}` : ''}`;
  }
  const update = /^UPDATE_(.+)$/.exec(slug);
  if (update) return `updated ${noun(update[1]!)}${named || idOf(args)}`;
  const del = /^DELETE_(.+)$/.exec(slug);
  if (del) return `deleted ${noun(del[1]!)}${idOf(args)}`;
  if (/^ADD_.*LABEL/.test(slug)) {
    const labels = list(args.labels)
      .map((l) => text(record(l).name))
      .filter((n) => n !== undefined);
    return `labelled ${slug.includes('PAGE') ? 'page' : 'content'}${idOf(args)}${labels.length ? ` with ${labels.map((l) => `"${cut(l)}"`).join(', ')}` : ''}`;
  }
  const get = /^GET_(.+?)(_BY_.+)?$/.exec(slug);
  if (get) {
    const items = results(call.result);
    if (items) return `got ${listing(get[1]!, items.length)}${titles(items)}`;
    return `read ${noun(get[1]!)}${named || idOf(args)}`;
  }
  return `${printable(call.tool)} ok`;
}

/** Several successful calls of one tool: `read 5 pages`, `labelled 3 pages`, else the tool and a count. */
function several(calls: ToolCallRecord[]): string {
  const slug = calls[0]!.tool.replace(/^CONFLUENCE_/, '');
  const n = calls.length;
  if (/^SEARCH/.test(slug)) {
    const total = calls.reduce((sum, c) => sum + (results(c.result)?.length ?? 0), 0);
    return `searched ${n} times, found ${count(total, 'result')}`;
  }
  if (/^ADD_.*LABEL/.test(slug)) return `labelled ${n} ${slug.includes('PAGE') ? 'pages' : 'items'}`;
  const verb = /^(CREATE|UPDATE|DELETE)_(.+)$/.exec(slug);
  if (verb) return `${verb[1]!.toLowerCase()}d ${n} ${noun(verb[2]!, true)}`;
  const get = /^GET_(.+?)(_BY_.+)?$/.exec(slug);
  if (get && !results(calls[0]!.result)) return `read ${n} ${noun(get[1]!, true)}`;
  return `${printable(calls[0]!.tool)} ×${n}`;
}

/** `found 12 results: "A", "B", "C", …` for a search. */
function found(result: unknown): string {
  const items = results(result);
  if (!items) return 'searched';
  return `found ${count(items.length, 'result')}${titles(items)}`;
}

function titles(items: unknown[]): string {
  const names = items
    .map((i) => text(record(i).title) ?? text(record(record(i).content).title) ?? text(record(i).key) ?? text(record(i).name))
    .filter((t) => t !== undefined);
  if (!names.length) return '';
  const shown = names.slice(0, MAX_TITLES).map((t) => `"${cut(t, 40)}"`);
  return `: ${shown.join(', ')}${names.length > MAX_TITLES ? ', …' : ''}`;
}

/** The list a listing or search result holds (`results`, `response_data.results`, `data`, or the value itself). */
function results(result: unknown): unknown[] | undefined {
  if (Array.isArray(result)) return result;
  const r = unwrap(result);
  if (!r) return undefined;
  for (const key of ['results', 'data', 'items']) if (Array.isArray(r[key])) return r[key] as unknown[];
  return undefined;
}

/** A result object, looking inside the `response_data` or `data` some backends wrap it in. */
function unwrap(result: unknown): Record<string, unknown> | undefined {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return undefined;
  const r = result as Record<string, unknown>;
  for (const key of ['response_data', 'data']) {
    const inner = r[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as Record<string, unknown>;
  }
  return r;
}

/** The space key a created item went to: from its web link, its space, or the arguments. */
function spaceOf(result: Record<string, unknown> | undefined, args: Record<string, unknown>): string | undefined {
  const webui = text(record(result?._links).webui);
  const key = webui ? /\/spaces\/([^/]+)\//.exec(webui)?.[1] : undefined;
  return cutOrUndefined(key ?? text(record(result?.space).key) ?? text(args.spaceKey) ?? text(args.space) ?? text(args.spaceId));
}

function idOf(args: Record<string, unknown>): string {
  const id = text(args.id) ?? text(args.pageId) ?? text(args.contentId) ?? text(args.blogpostId);
  return id ? ` ${cut(id, 40)}` : '';
}

function noun(slugPart: string, plural = false): string {
  const words = NOUNS[slugPart];
  if (words) return plural ? words[1] : words[0];
  const name = slugPart.toLowerCase().replaceAll('_', ' ');
  return plural && !name.endsWith('s') ? `${name}s` : name;
}

/** `3 calls`, `1 call`: `what` is a singular English word. */
function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** `3 pages`, `1 space`, `3 labels` (LABELS_FOR_PAGE); for a slug part with no known noun, `page tree: 3 items`. */
function listing(slugPart: string, n: number): string {
  // LABELS_FOR_PAGE, PAGES_IN_SPACE: the list is of the first word's kind.
  const words = NOUNS[slugPart] ?? NOUNS[slugPart.split(/_(?:FOR|IN|OF|BY)_/)[0]!];
  if (words) return `${n} ${n === 1 ? words[0] : words[1]}`;
  return `${noun(slugPart)}: ${count(n, 'item')}`;
}

function outputText(output: unknown): string {
  return typeof output === 'string' ? output : (JSON.stringify(output) ?? String(output));
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function cutOrUndefined(value: string | undefined): string | undefined {
  return value === undefined ? undefined : cut(value, 40);
}

/** One printable line of at most `max` characters. */
function cut(value: string, max = MAX_TEXT): string {
  const line = printable(value.replace(/\s*\n\s*/g, ' ').replaceAll('\t', ' '));
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
