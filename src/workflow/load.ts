import { closeSync, fstatSync, lstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { displayPath } from '../shared/paths.ts';
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

/**
 * Largest workflow file, in bytes (1 MB). A workflow is a page or two of YAML; a bigger file is refused before it
 * is read or parsed (the YAML parser's time and memory grow with the keys it holds).
 */
export const MAX_WORKFLOW_BYTES = 1024 * 1024;

/** Most problems reported for one file; past them one more line says how many were left out. */
export const MAX_DIAGNOSTICS = 100;

/** A workflow file's text, or the one problem that kept it from being read. */
export type SourceRead = { ok: true; text: string } | { ok: false; problem: string };

/** Validates YAML text as a workflow; never throws for bad input. */
export function loadWorkflowText(file: string, text: string, options: LoadOptions): LoadResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_WORKFLOW_BYTES) return { file, diagnostics: [{ file, line: 1, col: 1, message: tooBig(bytes) }] };
  const source = parseYamlSource(file, text);
  if (source.syntaxErrors.length) return { file, diagnostics: atMost(source.syntaxErrors) };
  if (source.value === undefined || source.value === null) {
    return { file, diagnostics: [source.at(0, "the file is empty; a workflow needs at least 'version', 'name' and a 'prompt' or 'steps'")] };
  }
  if (typeof source.value !== 'object' || Array.isArray(source.value)) {
    return { file, diagnostics: [source.atValue([], 'a workflow must be a map of keys (version, name, steps, ...), not a list or a single value')] };
  }
  const raw = source.value as Record<string, any>;
  const zone = typeof raw.schedule?.timezone === 'string' && isTimeZone(raw.schedule.timezone) ? raw.schedule.timezone : 'UTC';
  const engine = createTemplateEngine(zone);
  const diagnostics = [...structuralDiagnostics(source, MAX_DIAGNOSTICS), ...semanticDiagnostics(source, engine, options.tools)];
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  const unique = diagnostics.filter((d, i) => i === 0 || formatDiagnostic(d) !== formatDiagnostic(diagnostics[i - 1]!));
  if (unique.length) return { file, diagnostics: unique };
  return { file, workflow: buildWorkflow(file, text, raw), diagnostics: [] };
}

/** The first {@link MAX_DIAGNOSTICS} diagnostics, after a line saying how many more there were. */
function atMost(diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS) return diagnostics;
  const { file } = diagnostics[0]!;
  const more = diagnostics.length - MAX_DIAGNOSTICS;
  return [
    { file, line: 1, col: 1, message: `too many problems: only the first ${MAX_DIAGNOSTICS} are shown (and ${more} more); fix those first` },
    ...diagnostics.slice(0, MAX_DIAGNOSTICS),
  ];
}

/**
 * Reads and validates one workflow file. A file that cannot be read as one (missing, a folder, a FIFO, a device, a
 * socket or a link to one, bigger than {@link MAX_WORKFLOW_BYTES}, not UTF-8 text) is one diagnostic at 1:1.
 */
export async function loadWorkflowFile(file: string, options: LoadOptions): Promise<LoadResult> {
  const read = await readWorkflowSource(file);
  if (!read.ok) return { file, diagnostics: [{ file, line: 1, col: 1, message: read.problem }] };
  return loadWorkflowText(file, read.text, options);
}

/**
 * The text of a workflow file. What it is gets checked before anything is opened (a FIFO would block the open, a
 * device never ends), its size before it is read, and it is read only up to the limit, so it cannot grow meanwhile.
 */
export async function readWorkflowSource(file: string): Promise<SourceRead> {
  try {
    const stats = await stat(file);
    const problem = problemOf(stats, specialKind(stats) !== undefined && (await lstat(file)).isSymbolicLink());
    if (problem) return { ok: false, problem };
    const handle = await open(file, 'r');
    try {
      // Checked again on what was opened: the path may have been replaced since.
      const openedStats = await handle.stat();
      const opened = problemOf(openedStats, false);
      if (opened) return { ok: false, problem: opened };
      const reader = new BoundedRead(openedStats.size);
      for (let n = -1; n !== 0 && reader.wants(); reader.took(n)) n = (await handle.read(reader.buffer, reader.length, reader.room(), reader.length)).bytesRead;
      return decode(reader.bytes());
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { ok: false, problem: unreadable(error) };
  }
}

/** {@link readWorkflowSource} for synchronous callers. */
export function readWorkflowSourceSync(file: string): SourceRead {
  try {
    const stats = statSync(file);
    const problem = problemOf(stats, specialKind(stats) !== undefined && lstatSync(file).isSymbolicLink());
    if (problem) return { ok: false, problem };
    const fd = openSync(file, 'r');
    try {
      const openedStats = fstatSync(fd);
      const opened = problemOf(openedStats, false);
      if (opened) return { ok: false, problem: opened };
      const reader = new BoundedRead(openedStats.size);
      for (let n = -1; n !== 0 && reader.wants(); reader.took(n)) n = readSync(fd, reader.buffer, reader.length, reader.room(), reader.length);
      return decode(reader.bytes());
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return { ok: false, problem: unreadable(error) };
  }
}

/**
 * A read of at most {@link MAX_WORKFLOW_BYTES} + 1 bytes into a buffer sized for the file as it was when opened
 * (a 1 MB buffer per file cost `validate` a tenth of its start-up in garbage collection), grown if the file grows.
 */
class BoundedRead {
  buffer: Buffer;
  length = 0;
  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(Math.min(size, MAX_WORKFLOW_BYTES) + 1);
  }
  /** Room left in the buffer. */
  room(): number {
    return this.buffer.length - this.length;
  }
  /** Counts `n` bytes read (negative: none yet). */
  took(n: number): void {
    if (n > 0) this.length += n;
  }
  /** Whether to read on: room left, or a full buffer below the limit (the file grew since it was opened). */
  wants(): boolean {
    if (this.room() > 0) return true;
    if (this.buffer.length > MAX_WORKFLOW_BYTES) return false;
    const grown = Buffer.allocUnsafe(Math.min(this.buffer.length * 2, MAX_WORKFLOW_BYTES + 1));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    return true;
  }
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Why a file is no workflow file before it is read (undefined: a regular file within the limit). */
function problemOf(stats: Stats, viaLink: boolean): string | undefined {
  const kind = specialKind(stats);
  if (kind === undefined) return stats.size > MAX_WORKFLOW_BYTES ? tooBig(stats.size) : undefined;
  if (kind === 'a directory' && !viaLink) return 'is a directory';
  return `not a regular file (${viaLink ? `a symbolic link to ${kind}` : kind}); a workflow is a YAML file`;
}

/** What a file that is no regular file is. */
function specialKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'a special file';
}

function tooBig(bytes: number): string {
  return `the file is ${(bytes / (1024 * 1024)).toFixed(1)} MB, more than the ${MAX_WORKFLOW_BYTES / (1024 * 1024)} MB a workflow file may be`;
}

/** UTF-8 text, or why the bytes are not. */
function decode(bytes: Buffer): SourceRead {
  if (bytes.length > MAX_WORKFLOW_BYTES) return { ok: false, problem: tooBig(bytes.length) };
  if (bytes.includes(0)) return { ok: false, problem: 'not a text file (it holds NUL bytes); a workflow is UTF-8 YAML' };
  try {
    // ignoreBOM keeps a leading BOM in the text, as reading it as UTF-8 always did (the workflow hash covers it).
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { ok: false, problem: 'not a text file (it is not valid UTF-8); a workflow is UTF-8 YAML' };
  }
}

function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read (permission denied)';
  return `cannot read (${code ?? (error as Error).message})`;
}

/** Loads one file and returns its workflow, or throws {@link WorkflowInvalidError} with every diagnostic. */
export async function loadWorkflow(file: string, options: LoadOptions): Promise<Workflow> {
  const result = await loadWorkflowFile(file, options);
  if (!result.workflow) throw new WorkflowInvalidError(result.diagnostics);
  return result.workflow;
}

/** Expands files and folders (recursively) into the workflow files (`*.yaml`/`*.yml`, not `*.test.yaml`) they hold, sorted. */
export function findWorkflowFiles(paths: readonly string[]): Promise<string[]> {
  return findYamlFiles(paths, (name) => !isWorkflowTestFile(name));
}

/** Whether a file name is a workflow test file (`*.test.yaml`, `*.test.yml`), which folder searches for workflows skip. */
export function isWorkflowTestFile(name: string): boolean {
  return /\.test\.ya?ml$/i.test(name);
}

/**
 * Expands files and folders into the YAML files `keep` accepts by name, sorted: a file named directly is taken as
 * it is; folders are searched recursively, skipping hidden folders and node_modules.
 */
export async function findYamlFiles(paths: readonly string[], keep: (name: string) => boolean): Promise<string[]> {
  const found = new Set<string>();
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UserError(`${path}: no such file or directory`);
    }
    if (info.isDirectory()) for (const f of await walk(path, keep)) found.add(f);
    else found.add(path);
  }
  return [...found].sort();
}

async function walk(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full, keep)));
    else if (/\.ya?ml$/i.test(entry.name) && keep(entry.name)) out.push(full);
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
      message: `duplicate workflow name '${wf.name}' (also in ${displayPath(first.file)}:${there.line}:${there.col}); names must be unique, so rename one`,
    });
    delete result.workflow;
  }
  return results;
}
