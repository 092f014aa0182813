/**
 * e2e: `runner rerun` as a child process against a sandbox, with a tool-step workflow whose search asserts it found
 * the page titled by an input (so one title fails the run and another succeeds) and whose step title shows what
 * templates saw as run.trigger and run.scheduled_at.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteRunStore } from '../../../src/runs/sqlite-store.ts';
import type { RunRecord } from '../../../src/runs/types.ts';
import { AT, callsOf, fixture, looksClean, runIdOf, siteBed, siteClient, stepsOf } from './helpers.ts';

const files = siteBed('rerun');
const { ws } = files;

const WORKFLOW = fixture('rerun-label.yaml');
/** {@link AT} as records and templates show it. */
const AT_ISO = new Date(AT).toISOString();

const cli = (args: readonly string[]) => ws.cli(args, { RUNNER_SANDBOX_URL: files.site.url });

/** Runs `runner ...args` expecting exit `code`; returns the run id its summary names. */
async function runOk(args: readonly string[], code = 0): Promise<string> {
  const res = await cli(args);
  assert.equal(res.code, code, res.stderr);
  return runIdOf(res.stdout);
}

/** The stored run, which must exist. */
async function stored(id: string): Promise<RunRecord> {
  const run = await ws.run(id);
  assert.ok(run, `run ${id} is recorded`);
  return run;
}

/** Labels of the seeded "Q3 Planning" page. */
async function q3Labels(): Promise<string[]> {
  const rest = siteClient(files.site);
  const [page] = await rest.pagesTitled('PROD', 'Q3 Planning');
  return (await rest.get(`/wiki/api/v2/pages/${page!.id}/labels`)).json.results.map((l: { name: string }) => l.name);
}

/** A copy of the fixture in the workspace, to change under a recorded run. */
function copyOfWorkflow(name: string): string {
  const file = join(ws.dir, name);
  copyFileSync(WORKFLOW, file);
  return file;
}

/** Saves a copy of a stored run under a new id, changed by `edit` (records older code wrote, or runs still open). */
async function craft(from: RunRecord, edit: (run: RunRecord) => void): Promise<string> {
  const run: RunRecord = structuredClone({ ...from, id: randomUUID() });
  delete run.reruns;
  edit(run);
  const store = openSqliteRunStore(ws.dbPath);
  try {
    await store.save(run);
  } finally {
    await store.close();
  }
  return run.id;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('a failed run re-run with an input changed succeeds; both records link, and runs and runs show say so', async () => {
  const originalId = await runOk(['run', WORKFLOW, '--input', 'title=No Such Page', '--input', 'label=rerun-one', '--at', AT], 1);
  assert.ok(!(await q3Labels()).includes('rerun-one'));

  const res = await cli(['rerun', originalId.slice(0, 8), '--input', 'title=Q3 Planning']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /▶ rerun-label run [0-9a-f]{8}/, 'live progress on stderr');
  assert.match(res.stderr, /\[1\/2\] find — rerun at 2026-11-27T15:00:00.000Z: find Q3 Planning/);
  assert.doesNotMatch(res.stderr, /rerun:/, 'the file is unchanged: nothing to say about it');
  assert.match(res.stdout, /✓ succeeded/);
  const rerunId = runIdOf(res.stdout);
  assert.ok((await q3Labels()).includes('rerun-one'), 'the re-run labelled the page with the recorded label');

  const original = await stored(originalId);
  const rerun = await stored(rerunId);
  assert.equal(original.status, 'failed');
  assert.equal(original.error?.kind, 'assertion');
  assert.equal(original.scheduledAt, AT_ISO, 'runner run --at is recorded');
  assert.deepEqual(original.reruns, [rerunId]);
  assert.equal(rerun.status, 'succeeded', JSON.stringify(rerun.error));
  assert.deepEqual(rerun.trigger, { type: 'rerun', of: originalId });
  assert.deepEqual(rerun.inputs, { title: 'Q3 Planning', label: 'rerun-one' });
  assert.equal(rerun.scheduledAt, AT_ISO);
  assert.equal(stepsOf(rerun)[0]!.title, `rerun at ${AT_ISO}: find Q3 Planning`);
  assert.equal(rerun.workflowHash, original.workflowHash);
  assert.equal(rerun.workflowSource, original.workflowSource);
  assert.equal(rerun.reruns, undefined);

  const shownOriginal = await cli(['runs', 'show', originalId]);
  assert.equal(shownOriginal.code, 0, shownOriginal.stderr);
  assert.match(shownOriginal.stdout, new RegExp(`^ {2}re-runs {3}${rerunId.slice(0, 8)}$`, 'm'));
  const shownRerun = await cli(['runs', 'show', rerunId]);
  assert.match(shownRerun.stdout, new RegExp(`^ {2}trigger {3}rerun of ${originalId.slice(0, 8)}$`, 'm'));
  assert.doesNotMatch(shownRerun.stdout, /re-runs/);
  const listed = await cli(['runs']);
  const row = listed.stdout.split('\n').find((l) => l.startsWith(rerunId.slice(0, 8)));
  assert.match(row ?? '', new RegExp(`succeeded +rerun of ${originalId.slice(0, 8)} `));
});

test("a re-run of a re-run keeps the first run's scheduled_at and links to the run it re-ran", async () => {
  const firstId = await runOk(['run', WORKFLOW, '--input', 'label=rerun-two']);
  const secondId = await runOk(['rerun', firstId]);
  const thirdId = await runOk(['rerun', secondId]);
  const first = await stored(firstId);
  const second = await stored(secondId);
  const third = await stored(thirdId);
  // A manual run without --at: its run.scheduled_at was its start, and nothing more is recorded.
  assert.equal(first.scheduledAt, undefined);
  assert.equal(stepsOf(first)[0]!.title, `manual at ${first.startedAt}: find Q3 Planning`);
  for (const run of [second, third]) {
    assert.equal(run.scheduledAt, first.startedAt);
    assert.equal(stepsOf(run)[0]!.title, `rerun at ${first.startedAt}: find Q3 Planning`);
    assert.deepEqual(run.inputs, first.inputs);
  }
  assert.deepEqual(second.trigger, { type: 'rerun', of: firstId });
  assert.deepEqual(third.trigger, { type: 'rerun', of: secondId });
  assert.deepEqual(first.reruns, [secondId]);
  assert.deepEqual(second.reruns, [thirdId]);
  assert.equal(third.reruns, undefined);
});

test('a re-run of a run whose file changed since runs the recorded text and says so in one line', async () => {
  const file = copyOfWorkflow('changed.yaml');
  const originalId = await runOk(['run', file, '--input', 'label=rerun-three']);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('{{ run.trigger }} at {{ run.scheduled_at }}: find', 'CHANGED'));

  const res = await cli(['rerun', originalId, '--json']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stderr, `rerun: ${file} changed since run ${originalId.slice(0, 8)}; running the recorded text\n`);
  const printed = JSON.parse(res.stdout) as RunRecord;
  const original = await stored(originalId);
  const rerun = await stored(printed.id);
  assert.deepEqual(printed, rerun, '--json prints the record');
  assert.equal(rerun.status, 'succeeded', JSON.stringify(rerun.error));
  assert.equal(rerun.workflowHash, original.workflowHash);
  assert.notEqual(rerun.workflowHash, sha256(readFileSync(file, 'utf8')));
  assert.equal(rerun.workflowSource, text);
  assert.equal(stepsOf(rerun)[0]!.title, `rerun at ${original.startedAt}: find Q3 Planning`);
  assert.deepEqual(original.reruns, [rerun.id]);
});

test('a record without its workflow text re-runs from the file only while the file holds that text', async () => {
  const file = copyOfWorkflow('legacy.yaml');
  const template = await stored(await runOk(['run', file, '--input', 'label=rerun-four']));
  const legacyId = await craft(template, (run) => delete run.workflowSource);

  const again = await runOk(['rerun', legacyId]);
  const rerun = await stored(again);
  assert.equal(rerun.status, 'succeeded');
  assert.equal(rerun.workflowHash, template.workflowHash);
  assert.equal(rerun.workflowSource, readFileSync(file, 'utf8'));
  assert.deepEqual((await stored(legacyId)).reruns, [again]);

  writeFileSync(file, `${readFileSync(file, 'utf8')}\n# edited\n`);
  const before = (await ws.runs()).length;
  const res = await cli(['rerun', legacyId]);
  assert.equal(res.code, 2, res.stderr);
  assert.equal(res.stdout, '');
  assert.equal(res.stderr, `error: run ${legacyId.slice(0, 8)} cannot be re-run: the workflow text it ran is not recorded, and ${file} changed since\n`);
  assert.equal((await ws.runs()).length, before, 'nothing recorded');
});

test('a recorded text that no longer validates is reported as file:line:col (exit 2); an open run is not re-run', async () => {
  const template = await stored(await runOk(['run', WORKFLOW, '--input', 'label=rerun-five']));
  const invalid = template.workflowSource!.replace('CONFLUENCE_ADD_CONTENT_LABEL\n\nsteps', 'CONFLUENCE_ADD_CONTENT_LABELS\n\nsteps');
  assert.notEqual(invalid, template.workflowSource);
  const invalidId = await craft(template, (run) => Object.assign(run, { workflowSource: invalid, workflowHash: sha256(invalid) }));
  const runningId = await craft(template, (run) => Object.assign(run, { status: 'running' }));
  const before = (await ws.runs()).length;

  const res = await cli(['rerun', invalidId]);
  assert.equal(res.code, 2, res.stderr);
  assert.equal(
    res.stderr,
    [
      `error: ${WORKFLOW}:21:7: unknown tool 'CONFLUENCE_ADD_CONTENT_LABELS'; did you mean 'CONFLUENCE_ADD_CONTENT_LABEL'? (see 'runner tools' for the catalogue)`,
      `error: ${WORKFLOW}:37:11: step 'label' calls CONFLUENCE_ADD_CONTENT_LABEL, which is not in tools.allow; add it there`,
      '',
    ].join('\n'),
  );
  assert.ok(looksClean(res.stderr), res.stderr);

  const open = await cli(['rerun', runningId]);
  assert.equal(open.code, 2, open.stderr);
  assert.match(open.stderr, new RegExp(`^error: run ${runningId.slice(0, 8)} is running; re-run it once it has ended .*\\n$`));
  assert.equal((await ws.runs()).length, before, 'nothing recorded');
});

test('an unknown id is one line (exit 2) and records nothing', async () => {
  const before = (await ws.runs()).length;
  const res = await cli(['rerun', 'deadbeef-not-a-run', '--input', 'title=Q3 Planning']);
  assert.equal(res.code, 2, res.stderr);
  assert.equal(res.stdout, '');
  assert.equal(res.stderr, "error: no run with id 'deadbeef-not-a-run'; `runner runs` lists them\n");
  assert.equal((await ws.runs()).length, before);
});

test('--preview re-runs with writes simulated; it runs in this process only', async () => {
  const originalId = await runOk(['run', WORKFLOW, '--input', 'title=No Such Page', '--input', 'label=preview-only'], 1);
  const res = await cli(['rerun', originalId, '--preview', '--input', 'title=Q3 Planning']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /preview: 1 write\(s\) not executed:\n {4}would have labelled content \S+ with "[^"]*" +\(CONFLUENCE_ADD_CONTENT_LABEL /);
  const rerun = await stored(runIdOf(res.stdout));
  assert.equal(rerun.mode, 'preview');
  assert.deepEqual(rerun.trigger, { type: 'rerun', of: originalId });
  assert.deepEqual(
    callsOf(rerun).map((c) => [c.tool, c.status]),
    [
      ['CONFLUENCE_SEARCH_CONTENT', 'ok'],
      ['CONFLUENCE_ADD_CONTENT_LABEL', 'simulated'],
    ],
  );
  assert.ok(!(await q3Labels()).includes('preview-only'), 'the label was not written');

  const both = await cli(['rerun', originalId, '--preview', '--enqueue']);
  assert.equal(both.code, 2);
  assert.equal(both.stderr, 'error: --preview re-runs in this process only; drop --enqueue (or --preview)\n');
});
