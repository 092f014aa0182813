import type { RunRecord } from '../../runs/types.ts';
import type { ContentCheck, TestExpect, ValueCheck } from '../../workflow/test-file.ts';

/** A content object as the sandbox's CQL search returns it (the parts checks read). */
export interface FoundContent {
  title: string;
  body?: { storage?: { value?: string } };
}

/** Runs a CQL query on the case's sandbox. */
export type CqlSearch = (cql: string) => Promise<FoundContent[]>;

/**
 * Every expectation the run or the sandbox does not meet, each as `expected X, got Y`. An empty list is a pass.
 */
export async function failedExpectations(run: RunRecord, expect: TestExpect, search: CqlSearch): Promise<string[]> {
  const failures: string[] = [];
  const status = expect.status ?? 'succeeded';
  if (run.status !== status) failures.push(`status: expected ${status}, got ${run.status}${run.error ? ` (${run.error.message})` : ''}`);
  const calls = (run.attempts.at(-1)?.steps ?? []).flatMap((s) => s.toolCalls);
  if (expect.calls) {
    const made = calls.filter((c) => c.status === 'ok').map((c) => c.tool);
    const missing = expect.ordered ? (isSubsequence(expect.calls, made) ? [] : expect.calls) : missingFrom(expect.calls, made);
    if (missing.length) {
      failures.push(`calls${expect.ordered ? ' (ordered)' : ''}: expected ${list(expect.calls)}, got ${list(made)}`);
    }
  }
  if (expect.refused !== undefined) {
    const refused = calls.filter((c) => c.status === 'refused');
    if (refused.length !== expect.refused) {
      const why = refused.map((c) => `${c.tool}: ${clip(c.error ?? 'refused')}`).join('; ');
      failures.push(`refused calls: expected ${expect.refused}, got ${refused.length}${why ? ` (${why})` : ''}`);
    }
  }
  for (const check of expect.confluence ?? []) failures.push(...(await contentFailures(check, search)));
  for (const [path, check] of Object.entries(expect.outputs ?? {})) {
    const failure = valueFailure(`outputs.${path}`, lookup(run.outputs, path), check);
    if (failure) failures.push(failure);
  }
  return failures;
}

async function contentFailures(check: ContentCheck, search: CqlSearch): Promise<string[]> {
  const where = `confluence '${check.cql}'`;
  let found: FoundContent[];
  try {
    found = await search(check.cql);
  } catch (error) {
    return [`${where}: expected a search result, got ${(error as Error).message}`];
  }
  const failures: string[] = [];
  if (check.count !== undefined && found.length !== check.count) failures.push(`${where}: expected ${check.count} result(s), got ${found.length}`);
  if (check.title_matches !== undefined) {
    const re = new RegExp(check.title_matches);
    const titles = found.map((c) => c.title);
    if (titles.length === 0 || !titles.every((t) => re.test(t)))
      failures.push(`${where}: expected titles matching /${check.title_matches}/, got ${list(titles)}`);
  }
  for (const text of check.body_contains ?? []) {
    const bodies = found.map((c) => c.body?.storage?.value ?? '');
    if (bodies.length === 0 || !bodies.every((b) => b.includes(text))) {
      failures.push(`${where}: expected bodies containing ${JSON.stringify(text)}, got ${list(bodies.map((b) => clip(b)))}`);
    }
  }
  return failures;
}

function valueFailure(where: string, value: unknown, check: ValueCheck): string | undefined {
  if (check.exists !== undefined && (value !== undefined) !== check.exists) {
    return `${where}: expected ${check.exists ? 'a value' : 'no value'}, got ${show(value)}`;
  }
  if ('equals' in check && JSON.stringify(value) !== JSON.stringify(check.equals)) return `${where}: expected ${show(check.equals)}, got ${show(value)}`;
  if (check.matches !== undefined) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text === undefined || !new RegExp(check.matches).test(text)) return `${where}: expected a match of /${check.matches}/, got ${show(value)}`;
  }
  return undefined;
}

/** The value at a dotted path (`publish.id`, `find.data.results.0.title`). */
function lookup(root: unknown, path: string): unknown {
  let cursor = root;
  for (const key of path.split('.')) {
    if (cursor === null || typeof cursor !== 'object' || !Object.hasOwn(cursor, key)) return undefined;
    cursor = (cursor as Record<string, unknown>)[key];
  }
  return cursor;
}

function missingFrom(wanted: string[], made: string[]): string[] {
  const left = [...made];
  return wanted.filter((tool) => {
    const i = left.indexOf(tool);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

function isSubsequence(wanted: string[], made: string[]): boolean {
  let i = 0;
  for (const tool of made) if (tool === wanted[i]) i += 1;
  return i === wanted.length;
}

function list(items: string[]): string {
  return items.length ? `[${items.join(', ')}]` : 'none';
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : clip(JSON.stringify(value));
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
