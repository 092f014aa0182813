/** The import graph of src/: every relative import (static, dynamic and type-only) of every module. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The src folder. */
export const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

/** Module path (relative to src, e.g. `engine/run-workflow.ts`) → the modules it imports. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of walk(SRC)) {
    const from = relative(SRC, file);
    const targets: string[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(specifier)) {
      const target = relative(SRC, resolve(dirname(file), match[1]!));
      if (target.endsWith('.ts')) targets.push(target);
    }
    graph.set(from, targets);
  }
  return graph;
}

/** The first top-level folder of a module path (`engine`, `workflow`, ...; files at the top are their own). */
export function layerOf(module: string): string {
  return module.split('/')[0]!;
}

/** Every import cycle, each as the list of modules around it (empty when there is none). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
