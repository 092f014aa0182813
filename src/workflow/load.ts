import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { formatDiagnostic, UserError, WorkflowInvalidError, type Diagnostic } from '../shared/errors.ts';
import { buildWorkflow } from './build.ts';
import { semanticDiagnostics, type ToolLookup } from './semantics.ts';
import { parseYamlSource } from './source.ts';
import { structuralDiagnostics } from './structure.ts';
import { createTemplateEngine } from './templates.ts';
import { isTimeZone } from './timezone.ts';
import type { Workflow } from './types.ts';

/** Options of workflow loading. */
export interface LoadOptions {
  /** The tools workflows may name (the embedded Confluence catalogue in the CLI). */
  tools: ToolLookup;
}

/** The outcome of checking one file: the workflow when valid, every diagnostic otherwise. */
export interface LoadResult {
  file: string;
  workflow?: Workflow;
  diagnostics: Diagnostic[];
}

/** Validates YAML text as a workflow; never throws for bad input. */
export function loadWorkflowText(file: string, text: string, options: LoadOptions): LoadResult {
  const source = parseYamlSource(file, text);
  if (source.syntaxErrors.length) return { file, diagnostics: source.syntaxErrors };
  if (source.value === undefined || source.value === null) {
    return { file, diagnostics: [source.at(0, "the file is empty; a workflow needs at least 'version', 'name' and a 'prompt' or 'steps'")] };
  }
  if (typeof source.value !== 'object' || Array.isArray(source.value)) {
    return { file, diagnostics: [source.atValue([], 'a workflow must be a map of keys (version, name, steps, ...), not a list or a single value')] };
  }
  const raw = source.value as Record<string, any>;
  const zone = typeof raw.schedule?.timezone === 'string' && isTimeZone(raw.schedule.timezone) ? raw.schedule.timezone : 'UTC';
  const engine = createTemplateEngine(zone);
  const diagnostics = [...structuralDiagnostics(source), ...semanticDiagnostics(source, engine, options.tools)];
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  const unique = diagnostics.filter((d, i) => i === 0 || formatDiagnostic(d) !== formatDiagnostic(diagnostics[i - 1]!));
  if (unique.length) return { file, diagnostics: unique };
  return { file, workflow: buildWorkflow(file, text, raw), diagnostics: [] };
}

/** Reads and validates one workflow file. A missing or unreadable file is a diagnostic at 1:1. */
export async function loadWorkflowFile(file: string, options: LoadOptions): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? 'error'})`;
    return { file, diagnostics: [{ file, line: 1, col: 1, message: why }] };
  }
  return loadWorkflowText(file, text, options);
}

/** Loads one file and returns its workflow, or throws {@link WorkflowInvalidError} with every diagnostic. */
export async function loadWorkflow(file: string, options: LoadOptions): Promise<Workflow> {
  const result = await loadWorkflowFile(file, options);
  if (!result.workflow) throw new WorkflowInvalidError(result.diagnostics);
  return result.workflow;
}

/** Expands files and folders (recursively) into the `*.yaml`/`*.yml` files they hold, sorted. */
export async function findWorkflowFiles(paths: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UserError(`${path}: no such file or directory`);
    }
    if (info.isDirectory()) for (const f of await walk(path)) found.add(f);
    else found.add(path);
  }
  return [...found].sort();
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
  }
  return out;
}

/** Validates many files; also reports workflow names used by more than one file. */
export async function loadWorkflowFiles(files: readonly string[], options: LoadOptions): Promise<LoadResult[]> {
  const results = await Promise.all(files.map((f) => loadWorkflowFile(f, options)));
  const byName = new Map<string, LoadResult>();
  for (const result of results) {
    const wf = result.workflow;
    if (!wf) continue;
    const first = byName.get(wf.name);
    if (!first) {
      byName.set(wf.name, result);
      continue;
    }
    const here = parseYamlSource(result.file, wf.source).atValue(['name'], '');
    const there = parseYamlSource(first.file, first.workflow!.source).atValue(['name'], '');
    result.diagnostics.push({
      ...here,
      message: `duplicate workflow name '${wf.name}' (also in ${relative('.', first.file) || first.file}:${there.line}:${there.col}); names must be unique, so rename one`,
    });
    delete result.workflow;
  }
  return results;
}
