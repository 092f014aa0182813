import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { Document, isSeq, parseDocument, YAMLSeq } from 'yaml';
import { UserError } from '../../shared/errors.ts';
import { displayPath } from '../../shared/paths.ts';
import { caseFromRun } from '../../testing/workflow-test/record-case.ts';
import { loadWorkflowTestFile } from '../../workflow/test-file.ts';
import { loadOptions } from '../context.ts';
import { err, out } from '../output.ts';
import { requireRun, withStore } from './runs.ts';

/**
 * `runner test --record <run-id> [--out FILE]`: writes a test case that replays a recorded run (appended to the
 * file when it exists, comments kept); default file `<workflow dir>/<workflow name>.test.yaml`. Warnings go to
 * stderr and into a comment on the case. The file is checked afterwards and left as it was when it does not validate.
 */
export async function recordTestCommand(runId: string, outFile: string | undefined): Promise<void> {
  const run = await withStore((store) => requireRun(store, runId));
  const workflowFile = resolve(run.workflowFile);
  const file = resolve(outFile ?? join(dirname(workflowFile), `${basename(workflowFile, extname(workflowFile))}.test.yaml`));
  const workflowRef = relative(dirname(file), workflowFile) || basename(workflowFile);
  const previous = existsSync(file) ? await readFile(file, 'utf8') : undefined;
  const doc = previous === undefined ? newTestDocument(workflowRef) : parseDocument(previous);
  if (doc.errors.length) throw new UserError(`${displayPath(file)}: ${doc.errors[0]!.message}; not changed`);
  const existing = doc.get('workflow');
  if (typeof existing === 'string' && resolve(dirname(file), existing) !== workflowFile) {
    throw new UserError(`${displayPath(file)} tests '${existing}', not ${displayPath(workflowFile)}; choose another file with --out`);
  }
  const cases = doc.get('cases');
  if (!isSeq(cases)) throw new UserError(`${displayPath(file)} has no 'cases' list; not changed`);
  const names = new Set(cases.items.map((c) => String((c as { get?: (k: string) => unknown }).get?.('name') ?? '')));
  let name = `recorded run ${run.id.slice(0, 8)} (${run.workflow}, ${run.status})`;
  for (let n = 2; names.has(name); n += 1) name = `recorded run ${run.id.slice(0, 8)} #${n}`;
  const { testCase, warnings } = caseFromRun(run, name);
  const node = doc.createNode(testCase);
  node.commentBefore = [` recorded from run ${run.id}`, ...warnings.map((w) => ` warning: ${w}`)].join('\n');
  cases.items.push(node);
  await writeFile(file, doc.toString({ lineWidth: 0 }));
  const loaded = await loadWorkflowTestFile(displayPath(file), loadOptions());
  if (!loaded.test) {
    await (previous === undefined ? import('node:fs/promises').then((fs) => fs.rm(file)) : writeFile(file, previous));
    const d = loaded.diagnostics[0];
    throw new UserError(`the recorded case does not validate${d ? ` (${d.file}:${d.line}:${d.col}: ${d.message})` : ''}; ${displayPath(file)} not changed`);
  }
  for (const w of warnings) err(`warning: ${w}`);
  out(`${previous === undefined ? 'wrote' : 'added a case to'} ${displayPath(file)}: '${name}'`);
}

/** A new test file for the workflow at `workflowRef`, with no cases yet. */
function newTestDocument(workflowRef: string): Document {
  const doc = new Document({ workflow: workflowRef, cases: new YAMLSeq() });
  doc.commentBefore = ' workflow test cases recorded from runs (`runner test --record <run-id>`)';
  return doc;
}
