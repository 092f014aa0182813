/**
 * What the notification tests share: a configuration read from a given environment (never the developer's),
 * workflows with notify rules, and real runs ended through the lifecycle in a temporary SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type RunnerConfig } from '../../../src/config/config.ts';
import { type NewRunFields, RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunFailure, RunRecord, RunStore } from '../../../src/runs/types.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowText } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';

/** A failure a run can end with. */
export const FAILURE: RunFailure = { kind: 'tool', message: 'the backend said no', step: 'summarise', retryable: false };

/** A workflow named `name` with the YAML `notify` block `notify` (indented as a top-level key's value). */
export function workflowWith(notify: string, name = 'weekly-summary'): Workflow {
  const text = `version: 1\nname: ${name}\nnotify:\n${notify}\nprompt: Summarise the week.\n`;
  const { workflow, diagnostics } = loadWorkflowText(`${name}.yaml`, text, { tools: confluenceCatalogue() });
  if (!workflow) throw new Error(`the test workflow does not load: ${diagnostics.map((d) => d.message).join('; ')}`);
  return workflow;
}

/** A temporary folder with a runs SQLite file, a configuration and a lifecycle over it. */
export interface Bench {
  dir: string;
  dbPath: string;
  config: RunnerConfig;
  store: RunStore;
  lifecycle: RunLifecycle;
  /** A run of `workflow` that ended: succeeded without a failure, else failed. */
  ended(workflow: Workflow, failure?: RunFailure, fields?: Partial<NewRunFields>): Promise<RunRecord>;
  /** The stored record. */
  record(id: string): Promise<RunRecord>;
  /** Closes the store and removes the folder. */
  remove(): Promise<void>;
}

let counter = 0;

/** A bench whose configuration reads only `env` (plus fast retries: RUNNER_NOTIFY_BACKOFF 10ms). */
export function bench(env: Record<string, string> = {}): Bench {
  const dir = mkdtempSync(join(tmpdir(), 'notify-'));
  const dbPath = join(dir, 'runs.db');
  const config = loadConfig({ env: { RUNNER_NOTIFY_BACKOFF: '10ms', RUNNER_DB: dbPath, ...env }, cwd: dir });
  const store = openSqliteRunStore(dbPath);
  // A clock that moves a second per reading keeps runs in order whatever the machine's speed.
  let tick = 0;
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets, now: () => new Date(Date.UTC(2026, 10, 27, 15, 0, ++tick)) });
  return {
    dir,
    dbPath,
    config,
    store,
    lifecycle,
    async ended(workflow, failure, fields = {}) {
      const attempt = await lifecycle.begin(workflow, {
        id: `run-${process.pid}-${++counter}`,
        trigger: { type: 'manual' },
        inputs: {},
        mode: 'live',
        backend: 'sandbox',
        model: 'gpt-5',
        ...fields,
      });
      return attempt.finish(failure);
    },
    async record(id) {
      const run = await store.get(id);
      if (!run) throw new Error(`no run ${id}`);
      return run;
    },
    async remove() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
