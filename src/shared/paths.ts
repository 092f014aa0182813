/** How file paths are shown to people. */
import { isAbsolute, relative } from 'node:path';

/** A path relative to the working folder when it lies under it, else as given (never `../..` climbs). */
export function displayPath(path: string, cwd = '.'): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
