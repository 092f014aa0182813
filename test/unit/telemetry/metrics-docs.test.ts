/**
 * docs/OPERATIONS.md stays true: its metrics table names exactly the runner_* metrics the code registers, and its
 * example alert rules pass `promtool check rules` (Debian's package prometheus).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRunMetrics } from '../../../src/telemetry/metrics.ts';
import { createStateMetrics } from '../../../src/telemetry/metrics-state.ts';

const DOC = readFileSync(new URL('../../../docs/OPERATIONS.md', import.meta.url), 'utf8');

test('the metrics table names every runner_* metric the code registers, and no other', () => {
  const documented = [...DOC.matchAll(/^\| `(runner_[a-z_]+)` \|/gm)].map((m) => m[1]!);
  const runs = createRunMetrics({ processMetrics: false, channels: false });
  const state = createStateMetrics();
  const registered = [...runs.registry.getMetricsAsArray(), ...state.registry.getMetricsAsArray()].map((m) => m.name);
  assert.deepEqual([...documented].sort(), [...registered].sort());
});

test('the example alert rules pass promtool check rules', (t) => {
  const rules = /### Alert rules[\s\S]*?```yaml\n([\s\S]*?)```/.exec(DOC)?.[1];
  assert.ok(rules, 'the Alert rules section has a yaml block');
  const dir = mkdtempSync(join(tmpdir(), 'alert-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rules.yml');
  writeFileSync(file, rules);
  const checked = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
  if ((checked.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    t.skip('promtool is not installed (Debian package prometheus; .ci/run installs it): the rules were not checked');
    return;
  }
  assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`);
  assert.match(checked.stdout, /SUCCESS: 6 rules found/);
});
