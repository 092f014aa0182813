/**
 * A dashboard over real parts for the dashboard tests: a temp folder with workflow files, the sandbox on loopback,
 * the scripted model server, a SQLite run store, the engine behind the buttons (approvals and re-runs run in this
 * process, as `runner dashboard` does without Redis), and the dashboard itself on a free port.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadConfig, type RunnerConfig } from '../../../src/config/config.ts';
import { createActions } from '../../../src/dashboard/actions.ts';
import { type LocalLauncherOptions, localLauncher, type RunLauncher } from '../../../src/dashboard/launcher.ts';
import { type DashboardHandle, type DashboardOptions, startDashboard } from '../../../src/dashboard/server.ts';
import { runWorkflow } from '../../../src/engine/run-workflow.ts';
import { silentNotifier } from '../../../src/notify/notifier.ts';
import { RunLifecycle } from '../../../src/runs/lifecycle.ts';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord, RunStore } from '../../../src/runs/types.ts';
import { type SandboxWithMcp, startSandboxWithMcp } from '../../../src/sandbox/with-mcp.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../../../src/testing/scripted-model-server.ts';
import type { ModelRequestView, ScriptedTurn } from '../../../src/testing/scripted-model-types.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { loadWorkflowFile } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';

/** The workflow whose blog post waits for a person. */
export const HELD_POST = `version: 1
name: held-post
description: Publish the release post once a person approves it.
inputs:
  title: { type: string, default: Release notes }
tools:
  allow: [CONFLUENCE_GET_SPACES, CONFLUENCE_CREATE_BLOGPOST]
approval:
  required_for: writes
  timeout: 2h
  approvers_note: "A post titled {{ inputs.title }} goes to the whole team."
prompt: Publish a blog post titled "{{ inputs.title }}" in space TEAM saying the release shipped.
`;

/** A scheduled workflow with no runs, for the Workflows page. */
const MONDAY_DIGEST = `version: 1
name: monday-digest
description: Every Monday at nine in Paris.
schedule: { cron: "0 9 * * MON", timezone: Europe/Paris }
steps:
  - id: spaces
    tool: CONFLUENCE_GET_SPACES
    with: { limit: 5 }
`;

/** Everything a dashboard test works with. */
export interface World {
  dir: string;
  site: SandboxWithMcp;
  model: ScriptedModelServer;
  config: RunnerConfig;
  store: RunStore;
  lifecycle: RunLifecycle;
  launcher: RunLauncher;
  dashboard: DashboardHandle;
  /** The held-post workflow as loaded from its file. */
  heldPost: Workflow;
  /** Runs held-post until it waits for a person; returns the waiting record. */
  holdPost(title: string): Promise<RunRecord>;
  /** The TEAM space's blog posts titled `title`. */
  posts(title: string): Promise<Array<{ id: string; title: string; _links: { webui: string } }>>;
}

/** Options of {@link startWorld}. */
export interface WorldOptions {
  /** Extra dashboard options (a token, a clock). */
  dashboard?: Partial<DashboardOptions>;
  /** The sandbox's public URL for links (default: its own address). */
  launcher?: Partial<LocalLauncherOptions>;
}

/** Starts a world; everything is closed when the test ends. */
export async function startWorld(t: TestContext, options: WorldOptions = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
  const workflowsDir = join(dir, 'workflows');
  mkdirSync(workflowsDir);
  writeFileSync(join(workflowsDir, 'held-post.yaml'), HELD_POST);
  writeFileSync(join(workflowsDir, 'monday-digest.yaml'), MONDAY_DIGEST);
  writeFileSync(join(workflowsDir, 'broken.yaml'), 'version: 1\nname: broken\nprompt: [unclosed\n');
  const site = await startSandboxWithMcp({ dbPath: join(dir, 'site.db'), port: 0, seed: true });
  const teamId = await spaceId(site, 'TEAM');
  const model = await startScriptedModelServer({ script: poster(teamId) });
  const config = loadConfig({
    env: {
      RUNNER_SANDBOX_URL: site.url,
      OPENAI_BASE_URL: model.url,
      RUNNER_MODEL_RETRIES: '0',
      RUNNER_DB: join(dir, 'runs.db'),
      RUNNER_WORKFLOWS: workflowsDir,
    },
    cwd: dir,
  });
  const store = openSqliteRunStore(config.dbPath);
  const lifecycle = new RunLifecycle(store, { secrets: config.secrets });
  const launcher = localLauncher({ config, lifecycle, notifier: silentNotifier, ...options.launcher });
  const loadOptions = { tools: confluenceCatalogue() };
  const dashboard = await startDashboard({
    store,
    actions: createActions({ store, secrets: config.secrets, launcher, loadOptions }),
    workflowsDir,
    loadOptions,
    port: 0,
    pollMs: 100,
    zone: 'UTC',
    ...options.dashboard,
  });
  t.after(async () => {
    await dashboard.close();
    await launcher.close(10_000);
    await store.close();
    await model.close();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const loaded = await loadWorkflowFile(join(workflowsDir, 'held-post.yaml'), loadOptions);
  const heldPost = loaded.workflow!;
  return {
    dir,
    site,
    model,
    config,
    store,
    lifecycle,
    launcher,
    dashboard,
    heldPost,
    holdPost: (title) => runWorkflow(heldPost, { inputs: { title } }, { config, store }),
    async posts(title) {
      const res = await fetch(`${site.url}/wiki/api/v2/spaces/${teamId}/blogposts?limit=250`, { headers: { authorization: basic(site) } });
      const body = (await res.json()) as { results: Array<{ id: string; title: string; _links: { webui: string } }> };
      return body.results.filter((p) => p.title === title);
    },
  };
}

/** The model: first turn, post what the prompt names; then say what the tool answered. */
export function poster(teamId: string): (request: ModelRequestView) => ScriptedTurn {
  return (request) => {
    if (request.turn === 0) {
      const title = /titled "([^"]+)"/.exec(request.lastUserText ?? '')?.[1] ?? 'Untitled';
      const body = { representation: 'storage', value: `<h2>${title}</h2><p>The release <strong>shipped</strong>.</p><ul><li>Docs: Ana</li></ul>` };
      return { toolCalls: [{ name: 'CONFLUENCE_CREATE_BLOGPOST', arguments: { spaceId: teamId, title, status: 'current', body } }] };
    }
    return { text: `tool said: ${String(request.toolResults.at(-1)?.output ?? 'nothing').slice(0, 200)}` };
  };
}

/** The sandbox's HTTP Basic credentials. */
export function basic(site: SandboxWithMcp): string {
  return `Basic ${Buffer.from(`${site.email}:${site.apiToken}`).toString('base64')}`;
}

/** The id of a sandbox space by key. */
export async function spaceId(site: SandboxWithMcp, key: string): Promise<string> {
  const res = await fetch(`${site.url}/wiki/api/v2/spaces?keys=${key}`, { headers: { authorization: basic(site) } });
  const body = (await res.json()) as { results: Array<{ id: string }> };
  return body.results[0]!.id;
}
