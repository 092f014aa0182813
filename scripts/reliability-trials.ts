/**
 * Reliability trials: the three ways a write's outcome becomes uncertain, each repeated N times with real worker
 * processes on real Redis against the embedded sandbox, counting blog posts by title on the site afterwards.
 * - kill after commit: the site commits the post and holds its answer; the worker is SIGKILLed meanwhile
 * - kill during the journal write: the site commits; Redis is paused for writes (CLIENT PAUSE WRITE) before the
 *   site answers, so the worker's journal write of the outcome hangs; the worker is SIGKILLed then
 * - timeout with a late commit: the client gives up (RUNNER_TOOL_TIMEOUT=200ms), the site commits 700 ms after
 * Every run must end succeeded with exactly one post. Figures go to docs/RELIABILITY.md.
 *
 *   node scripts/reliability-trials.ts [trials=30]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSandboxWithMcp } from '../src/sandbox/with-mcp.ts';
import { writeHook } from '../test/fixtures/write-hooks.ts';
import { siteClient } from '../test/integration/e2e/helpers.ts';
import { testbed, until, type WorkerProcess } from '../test/integration/queue/helpers.ts';

const trials = Number(process.argv[2] ?? 30);
const bed = testbed('reliability');
const hook = writeHook('POST', /^\/wiki\/api\/v2\/blogposts$/);
const site = await startSandboxWithMcp({ dbPath: join(bed.ws.dir, 'site.db'), port: 0, seed: true, handlers: [hook.handler] });
const rest = siteClient(site);
const teamId = await rest.spaceId('TEAM');
const file = join(bed.ws.dir, 'post.yaml');
writeFileSync(
  file,
  `version: 1
name: post-once
inputs:
  title: { type: string, required: true }
tools:
  allow: [CONFLUENCE_CREATE_BLOGPOST]
retry: { attempts: 3, backoff: 100ms }
steps:
  - id: post
    tool: CONFLUENCE_CREATE_BLOGPOST
    with:
      spaceId: "${teamId}"
      title: "{{ inputs.title }}"
      status: current
      body: { representation: storage, value: "<p>once</p>" }
`,
);
const env = { RUNNER_SANDBOX_URL: site.url, RUNNER_JOB_LOCK: '1s', RUNNER_WRITE_SETTLE: '1500ms' };

type Scenario = 'kill after commit' | 'kill during the journal write' | 'timeout with a late commit';
const results: Array<{ scenario: Scenario; trials: number; duplicates: number; lost: number; failed: number; attempts: number }> = [];
let worker: WorkerProcess = await bed.worker(env);

for (const scenario of ['kill after commit', 'kill during the journal write', 'timeout with a late commit'] as Scenario[]) {
  const row = { scenario, trials, duplicates: 0, lost: 0, failed: 0, attempts: 0 };
  for (let i = 0; i < trials; i++) {
    const title = `${scenario} ${i} ${Date.now()}`;
    const timeout = scenario === 'timeout with a late commit' ? { RUNNER_TOOL_TIMEOUT: '200ms' } : {};
    if (scenario === 'timeout with a late commit' && i === 0) {
      worker.child.kill('SIGKILL');
      await worker.exited;
      worker = await bed.worker({ ...env, ...timeout });
    }
    hook.mode =
      scenario === 'kill after commit'
        ? { kind: 'hold-answer', ms: 5_000 }
        : scenario === 'timeout with a late commit'
          ? { kind: 'late-commit', ms: 700 }
          : { kind: 'hold-answer', ms: 400 };
    const committed = hook.nextCommit();
    const queued = await bed.cli(['enqueue', file, '--input', `title=${title}`, '--json'], env);
    if (queued.code !== 0) throw new Error(queued.stderr);
    const { runId } = JSON.parse(queued.stdout) as { runId: string };
    await committed;
    if (scenario !== 'timeout with a late commit') {
      if (scenario === 'kill during the journal write') {
        // Paused before the answer leaves the site: the worker's journal write of the outcome must wait, and dies.
        await bed.redis.call('CLIENT', 'PAUSE', '4000', 'WRITE');
        await sleep(900);
      }
      worker.child.kill('SIGKILL');
      await worker.exited;
      if (scenario === 'kill during the journal write') await bed.redis.call('CLIENT', 'UNPAUSE');
      hook.mode = { kind: 'pass' };
      worker = await bed.worker({ ...env, ...timeout });
    }
    const run = await until(
      `run ${runId} to end`,
      async () => {
        const r = await bed.store.get(runId);
        return r && r.status !== 'running' && r.status !== 'queued' ? r : undefined;
      },
      60_000,
    );
    const posts = (await rest.blogposts('TEAM')).filter((p) => p.title === title).length;
    row.duplicates += Math.max(0, posts - 1);
    row.lost += posts === 0 ? 1 : 0;
    row.failed += run.status === 'succeeded' ? 0 : 1;
    row.attempts += run.attempts.length;
    process.stdout.write(`${scenario} #${i + 1}: ${run.status} after ${run.attempts.length} attempt(s), ${posts} post(s)\n`);
  }
  results.push(row);
}

worker.child.kill('SIGKILL');
await bed.close();
await site.close();
console.log('\nscenario                       trials  duplicates  lost  failed  attempts (mean)');
for (const r of results) {
  console.log(
    `${r.scenario.padEnd(30)} ${String(r.trials).padStart(6)}  ${String(r.duplicates).padStart(10)}  ${String(r.lost).padStart(4)}  ${String(r.failed).padStart(6)}  ${(r.attempts / r.trials).toFixed(2)}`,
  );
}
process.exit(results.some((r) => r.duplicates || r.lost || r.failed) ? 1 : 0);
