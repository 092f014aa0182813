import { Liquid, Tag, type Template, type TagToken, type TopLevelToken } from 'liquidjs';
import { didYouMean } from '../shared/suggest.ts';
import { dateFilters, textFilters } from './template-filters.ts';

/** A reference found in a template: the variable path as segments, e.g. ['steps', 'gather', 'output']. */
export type TemplateRef = ReadonlyArray<string | number>;

/** Result of checking one template string at load time. */
export interface TemplateCheck {
  /** Syntax problem, with the character offset into the string where it was found. */
  error?: { offset: number; message: string };
  /** Global variables the template reads (loop variables and assigns excluded). */
  refs: TemplateRef[];
}

/** A sandboxed Liquid engine: strict variables and filters, no file system, our date filters, in one time zone. */
export interface TemplateEngine {
  /** Parses `text` and lists what it reads; never throws. */
  check(text: string): TemplateCheck;
  /** Renders `text` against `scope`; throws on unknown variables or filter errors. */
  render(text: string, scope: object): string;
}

/** Whether a string contains template syntax at all (cheap pre-check before parsing). */
export function isTemplated(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

/** Templates may not read files: `include` and `render` find nothing. */
const NO_FILES = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string): Promise<string> => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file: string): string => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir: string, file: string) => file,
};

/** Stands in for `include`, `render` and `layout`, so a template naming a file fails when it is parsed (at load time). */
class NoFileTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    throw new Error(`'${token.name}' is not available: templates cannot read files; write the text into the workflow or pass it as an input`);
  }
  *render(): Generator<unknown, void, unknown> {}
}

/** Longest one render may take, ms, whatever time the run has left: rendering blocks the process while it runs. */
export const MAX_RENDER_MS = 10_000;
/** Most template text one parse may read (characters): a workflow file is at most 1 MB. */
export const MAX_TEMPLATE_CHARS = 1_000_000;
/** Most allocation units (array elements, string characters) one render may create. */
export const MAX_TEMPLATE_MEMORY = 10_000_000;

/** Options of {@link createTemplateEngine}. */
export interface TemplateEngineOptions {
  /** When the run must end (ms since epoch): renders stop there too (default: none, {@link MAX_RENDER_MS} only). */
  deadline?: number;
  /** Clock for the deadline (default Date.now). */
  now?: () => number;
}

/** Templates parsed per Liquid instance, at most this many (oldest dropped first). */
const MAX_PARSED = 2000;

/** A Liquid instance and its parsed templates. */
interface SharedLiquid {
  liquid: Liquid;
  parse(text: string): Template[];
}

/**
 * One Liquid instance per time zone, shared by every engine of the process: a worker's runs (and the validation
 * that loaded their workflow) parse each template once instead of building an instance and parsing again per run.
 * Nothing in it is per run: limits are given per render.
 */
const byZone = new Map<string, SharedLiquid>();

function sharedLiquid(timezone: string): SharedLiquid {
  const found = byZone.get(timezone);
  if (found) return found;
  const liquid = new Liquid({
    parseLimit: MAX_TEMPLATE_CHARS,
    memoryLimit: MAX_TEMPLATE_MEMORY,
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    fs: NO_FILES,
    greedy: false,
    // Given explicitly: otherwise liquidjs builds an Intl.DateTimeFormat to find it, which costs ~12 ms of ICU start-up.
    locale: 'en-US',
  });
  for (const [name, fn] of Object.entries({ ...dateFilters(() => timezone), ...textFilters() })) liquid.registerFilter(name, fn);
  for (const name of ['include', 'render', 'layout']) liquid.registerTag(name, NoFileTag);
  const cache = new Map<string, Template[]>();
  const shared: SharedLiquid = {
    liquid,
    parse(text) {
      let parsed = cache.get(text);
      if (!parsed) {
        parsed = liquid.parse(text);
        if (cache.size >= MAX_PARSED) cache.delete(cache.keys().next().value!);
        cache.set(text, parsed);
      }
      return parsed;
    },
  };
  byZone.set(timezone, shared);
  return shared;
}

/**
 * Builds the engine. `timezone` is the zone date filters use when none is passed (the workflow's, else UTC).
 * Every render is bounded: in time (the run's deadline, and at most {@link MAX_RENDER_MS}), in memory and in the
 * text parsed, so a template like `{% for i in (1..100000000) %}` fails at once instead of taking the process.
 */
export function createTemplateEngine(timezone = 'UTC', options: TemplateEngineOptions = {}): TemplateEngine {
  const now = options.now ?? Date.now;
  const { liquid, parse } = sharedLiquid(timezone);
  return {
    check(text) {
      if (!isTemplated(text)) return { refs: [] };
      try {
        const templates = parse(text);
        const refs = liquid.globalVariableSegmentsSync(templates).map((segments) => segments.map(segmentValue));
        return { refs };
      } catch (error) {
        return { refs: [], error: templateError(error, liquid) };
      }
    },
    render(text, scope) {
      if (!isTemplated(text)) return text;
      const left = options.deadline === undefined ? MAX_RENDER_MS : Math.min(MAX_RENDER_MS, options.deadline - now());
      if (left <= 0) throw new Error('the run has no time left to render it (limits.timeout)');
      try {
        return String(liquid.renderSync(parse(text), scope, { renderLimit: left }));
      } catch (error) {
        const message = (error as Error).message ?? '';
        if (message.startsWith('template render limit exceeded')) {
          const why = left < MAX_RENDER_MS ? 'the time left of limits.timeout' : `${MAX_RENDER_MS / 1000} s, the most one template may take`;
          throw new Error(`rendering took longer than ${why}; make the template do less work (loops over large ranges?)`);
        }
        if (message.startsWith('memory alloc limit exceeded')) {
          throw new Error(
            `the template builds more than ${MAX_TEMPLATE_MEMORY.toLocaleString('en-US')} items or characters; make it do less work (large ranges or repeated appends?)`,
          );
        }
        throw error;
      }
    },
  };
}

function segmentValue(segment: unknown): string | number {
  if (typeof segment === 'number' || typeof segment === 'string') return segment;
  return String(segment);
}

function templateError(error: unknown, liquid: Liquid): { offset: number; message: string } {
  const e = error as { message?: string; token?: { begin?: number } };
  const message = (e.message ?? String(error)).replace(/, line:\d+, col:\d+$/, '').split('\n')[0]!;
  return { offset: e.token?.begin ?? 0, message: explain(message, liquid) };
}

/** Rewrites liquidjs messages into ones that say what would be right. */
function explain(message: string, liquid: Liquid): string {
  const filter = /^undefined filter: (\S+)$/.exec(message);
  if (filter) {
    const custom = Object.keys(dateFilters(() => 'UTC'));
    const text = Object.keys(textFilters());
    const hint =
      didYouMean(filter[1]!, Object.keys(liquid.filters)) ||
      ` (date filters: ${custom.join(', ')}; text filters: ${text.join(', ')}; plus Liquid's standard filters)`;
    return `unknown filter '${filter[1]}'${hint}`;
  }
  const tag = /^tag "(\S+)" not found$/.exec(message);
  if (tag) return `unknown tag '${tag[1]}'${didYouMean(tag[1]!, Object.keys(liquid.tags))}`;
  const open = /^tag \{%-?\s*(\w+).*%\} not closed$/.exec(message);
  if (open) return `${message}; close it with {% end${open[1]} %}`;
  if (/^output .* not closed$/.test(message)) return `${message}; close it with }}`;
  if (message.startsWith('parse length limit exceeded')) return `the template is longer than ${MAX_TEMPLATE_CHARS.toLocaleString('en-US')} characters`;
  return message;
}
