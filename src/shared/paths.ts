/** Where the package's own files are, and how file paths are shown to people. */
import { isAbsolute, relative } from 'node:path';

/**
 * The package's root folder (with package.json, schemas/, workflows/), as a `file:` URL ending in `/`. Found from
 * this module's own location: it sits two folders below the root, both as source (src/shared/paths.ts) and in the
 * build, where esbuild may put it in any emitted file, all of which sit two folders below the root too
 * (dist/cli/main.js, dist/chunks/*.js: scripts/build.ts checks it). Resolve the package's files from here only.
 */
export const PACKAGE_ROOT = new URL('../../', import.meta.url);

/** A path relative to the working folder when it lies under it, else as given (never `../..` climbs). */
export function displayPath(path: string, cwd = '.'): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
