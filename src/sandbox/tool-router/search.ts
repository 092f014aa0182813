import type { ToolDefinition } from '../../toolkit/types.ts';

/**
 * Ranks catalogue tools against a free-text use case: words are lower-cased, stemmed and folded onto the
 * catalogue's verbs and nouns ("list" → get, "remove" → delete, "blog" → blogpost), then a tool scores three
 * points per query word found in its slug or name and one per word found in its description.
 */

const STOP_WORDS = new Set(
  'a an and the of to in on for with from by at is are be it this that my our your all any some me i we please into as or about'.split(' '),
);

// Everyday words folded onto the words the catalogue's slugs use.
const SYNONYMS: Record<string, string> = {
  list: 'get',
  fetch: 'get',
  read: 'get',
  show: 'get',
  retrieve: 'get',
  view: 'get',
  see: 'get',
  find: 'search',
  look: 'search',
  lookup: 'search',
  query: 'search',
  add: 'create',
  new: 'create',
  make: 'create',
  write: 'create',
  publish: 'create',
  post: 'blogpost',
  blog: 'blogpost',
  article: 'blogpost',
  remove: 'delete',
  trash: 'delete',
  erase: 'delete',
  edit: 'update',
  modify: 'update',
  change: 'update',
  rename: 'update',
  tag: 'label',
  document: 'page',
  doc: 'page',
  people: 'user',
  person: 'user',
  me: 'current',
  who: 'user',
  history: 'version',
  revision: 'version',
  parent: 'ancestor',
  subpage: 'child',
  children: 'child',
  metadata: 'property',
  attribute: 'property',
  permission: 'restriction',
  access: 'restriction',
  file: 'attachment',
  log: 'audit',
  workspace: 'space',
};

/** Lower-case, singular, synonym-folded form of one word. */
export function canonicalWord(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('es') && /(ch|sh|x|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  return SYNONYMS[w] ?? w;
}

/** The canonical words of a text, without stop words. */
export function wordsOf(text: string): string[] {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0 && !STOP_WORDS.has(w.toLowerCase()))
    .map(canonicalWord);
}

/** One scored tool. */
export interface RankedTool {
  /** The tool. */
  tool: ToolDefinition;
  /** Relevance; 0 means no word matched. */
  score: number;
  /** Query words the tool matched. */
  matched: string[];
}

/** Scores every tool against the text, best first; tools matching nothing are left out. */
export function rankTools(text: string, tools: readonly ToolDefinition[]): RankedTool[] {
  const query = [...new Set(wordsOf(text))];
  const ranked: RankedTool[] = [];
  for (const tool of tools) {
    const strong = new Set([...wordsOf(tool.slug.replace(/^[A-Z]+_/, '')), ...wordsOf(tool.name)]);
    const weak = new Set(wordsOf(tool.description));
    let score = 0;
    const matched: string[] = [];
    for (const word of query) {
      const points = strong.has(word) ? 3 : weak.has(word) ? 1 : 0;
      if (points > 0) matched.push(word);
      score += points;
    }
    // Among equal matches, prefer the tool with fewer extra words: "get pages" should beat "get page versions".
    if (score > 0) ranked.push({ tool, score: score - strong.size * 0.01, matched });
  }
  return ranked.sort((a, b) => b.score - a.score);
}

/** Edit distance between two strings (insertions, deletions and substitutions each cost 1). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** Up to `limit` known slugs most alike a (missing) slug, by edit distance relative to length. */
export function similarSlugs(slug: string, known: readonly string[], limit = 3): string[] {
  const wanted = slug.toUpperCase();
  return known
    .map((candidate) => ({ candidate, score: 1 - editDistance(wanted, candidate) / Math.max(wanted.length, candidate.length) }))
    .filter((c) => c.score > 0.5)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((c) => c.candidate);
}
