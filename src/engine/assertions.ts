/** Checks of a tool step's result: `path` into the envelope and one of equals, contains, exists, matches. */
import { isDeepStrictEqual } from 'node:util';
import type { Assertion } from '../workflow/types.ts';

/** Reads a dotted path (`data.results.0.title`; `[0]` also accepted) from a value. */
export function readPath(value: unknown, path: string): { found: boolean; value: unknown } {
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  let cursor: unknown = value;
  for (const part of parts) {
    if (cursor === null || typeof cursor !== 'object' || !(part in (cursor as object))) return { found: false, value: undefined };
    cursor = (cursor as Record<string, unknown>)[part];
  }
  return { found: true, value: cursor };
}

/** Checks one assertion (its values already rendered); returns the failure message, or undefined when it holds. */
export function checkAssertion(result: unknown, assertion: Assertion): string | undefined {
  const { found, value } = readPath(result, assertion.path);
  const actual = found ? show(value) : '(nothing there)';
  if (assertion.exists !== undefined) {
    if (found === assertion.exists) return undefined;
    return `${assertion.path}: expected it ${assertion.exists ? 'to exist' : 'not to exist'}, ${found ? `found ${actual}` : 'found nothing'}`;
  }
  if ('equals' in assertion) {
    if (
      found &&
      (isDeepStrictEqual(value, assertion.equals) || (typeof value !== 'string' && typeof assertion.equals === 'string' && String(value) === assertion.equals))
    )
      return undefined;
    return `${assertion.path}: expected ${show(assertion.equals)}, got ${actual}`;
  }
  if ('contains' in assertion) {
    const ok =
      found &&
      (Array.isArray(value)
        ? value.some((v) => isDeepStrictEqual(v, assertion.contains))
        : typeof value === 'string' && value.includes(String(assertion.contains)));
    return ok ? undefined : `${assertion.path}: expected it to contain ${show(assertion.contains)}, got ${actual}`;
  }
  if (assertion.matches !== undefined) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return found && new RegExp(assertion.matches).test(text ?? '')
      ? undefined
      : `${assertion.path}: expected it to match /${assertion.matches}/, got ${actual}`;
  }
  return undefined;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
