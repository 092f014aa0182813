/**
 * The architecture as a test: src/ has no import cycle, and every import points down the layers drawn in
 * docs/ARCHITECTURE.md. A new top-level folder must be given its place here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cycles, importGraph, layerOf } from './imports.ts';

/** Each folder's floor; a module may import its own folder and folders on lower floors only. */
const FLOOR: Record<string, number> = {
  shared: 0,
  toolkit: 1,
  config: 1,
  workflow: 2,
  confluence: 2,
  runs: 3,
  schedules: 3,
  mcp: 3,
  backends: 3,
  agent: 4,
  telemetry: 4,
  sandbox: 4,
  engine: 5,
  notify: 5,
  queue: 6,
  serve: 6,
  dashboard: 6,
  testing: 6,
  cli: 7,
};

const graph = importGraph();

test('src/ has no import cycle', () => {
  assert.deepEqual(
    cycles(graph).map((c) => c.join(' → ')),
    [],
  );
});

test('every folder of src/ has a floor', () => {
  const folders = new Set([...graph.keys()].map(layerOf));
  assert.deepEqual(
    [...folders].filter((f) => FLOOR[f] === undefined),
    [],
  );
});

test('imports point down: no module imports a folder above its own', () => {
  const upward: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = layerOf(from);
      const b = layerOf(to);
      if (a !== b && (FLOOR[b] ?? 99) >= (FLOOR[a] ?? -1)) upward.push(`${from} → ${to}`);
    }
  }
  assert.deepEqual(upward, []);
});

test('the ground floor stays pure: workflow/ and toolkit/ import only shared/, toolkit/ and themselves', () => {
  const allowed: Record<string, string[]> = { workflow: ['workflow', 'toolkit', 'shared'], toolkit: ['toolkit', 'shared'], shared: ['shared'] };
  const wrong: string[] = [];
  for (const [from, targets] of graph) {
    const rule = allowed[layerOf(from)];
    if (!rule) continue;
    for (const to of targets) if (!rule.includes(layerOf(to))) wrong.push(`${from} → ${to}`);
  }
  assert.deepEqual(wrong, []);
});
