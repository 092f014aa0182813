import { Liquid, type Template } from 'liquidjs';
import { dateFilters } from './template-filters.ts';

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

/** Builds the engine. `timezone` is the zone date filters use when none is passed (the workflow's, else UTC). */
export function createTemplateEngine(timezone = 'UTC'): TemplateEngine {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    fs: NO_FILES,
    greedy: false,
  });
  for (const [name, fn] of Object.entries(dateFilters(() => timezone))) liquid.registerFilter(name, fn);
  const cache = new Map<string, Template[]>();
  const parse = (text: string): Template[] => {
    let parsed = cache.get(text);
    if (!parsed) {
      parsed = liquid.parse(text);
      cache.set(text, parsed);
    }
    return parsed;
  };
  return {
    check(text) {
      if (!isTemplated(text)) return { refs: [] };
      try {
        const templates = parse(text);
        const refs = liquid.globalVariableSegmentsSync(templates).map((segments) => segments.map(segmentValue));
        return { refs };
      } catch (error) {
        return { refs: [], error: templateError(error) };
      }
    },
    render(text, scope) {
      if (!isTemplated(text)) return text;
      return String(liquid.renderSync(parse(text), scope));
    },
  };
}

function segmentValue(segment: unknown): string | number {
  if (typeof segment === 'number' || typeof segment === 'string') return segment;
  return String(segment);
}

function templateError(error: unknown): { offset: number; message: string } {
  const e = error as { message?: string; token?: { begin?: number } };
  const message = (e.message ?? String(error)).replace(/, line:\d+, col:\d+$/, '').split('\n')[0]!;
  return { offset: e.token?.begin ?? 0, message };
}
