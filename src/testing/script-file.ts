/**
 * Script files for `runner model serve`: a YAML (or JSON) list of turns, or `{ turns: [...], repeat: true }`,
 * checked with every problem placed at `file:line:col`.
 */
import type { Diagnostic } from '../shared/errors.ts';
import { type DocPath, parseYamlSource, type YamlSource } from '../workflow/source.ts';
import type { ScriptedTurn } from './scripted-model-types.ts';

/** A checked script file: the turns in order and what happens after the last. */
export interface ModelScriptFile {
  /** The turns, answered by `request.turn` (assistant turns already in the conversation). */
  turns: ScriptedTurn[];
  /** Start over at the first turn after the last (default false: a 500 "script exhausted" past the end). */
  repeat: boolean;
}

/** What one turn of a script file may hold. */
const TURN_KEYS = ['text', 'json', 'call', 'with', 'calls'] as const;
const TOP_KEYS = ['turns', 'repeat'] as const;
const CALL_KEYS = ['call', 'with'] as const;

/** Parses and checks a script file's text; answers the script or every problem found. */
export function parseModelScript(file: string, text: string): { ok: true; script: ModelScriptFile } | { ok: false; diagnostics: Diagnostic[] } {
  const source = parseYamlSource(file, text);
  if (source.syntaxErrors.length) return { ok: false, diagnostics: source.syntaxErrors };
  const problems: Diagnostic[] = [];
  const value = source.value;
  let list: unknown = value;
  let listPath: DocPath = [];
  let repeat = false;
  if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      if (!(TOP_KEYS as readonly string[]).includes(key)) problems.push(source.atKey([key], unknownKey(key, TOP_KEYS)));
    }
    if (value.repeat !== undefined && typeof value.repeat !== 'boolean') problems.push(source.atValue(['repeat'], 'repeat must be true or false'));
    repeat = value.repeat === true;
    list = value.turns;
    listPath = ['turns'];
    if (list === undefined) problems.push(source.atValue([], 'a script needs turns: a list of { text }, { json }, { call, with } or { calls }'));
  }
  const turns: ScriptedTurn[] = [];
  if (list !== undefined && !Array.isArray(list)) {
    problems.push(source.atValue(listPath, 'a script is a list of turns, or a map with turns: [...] and repeat: true|false'));
  } else if (Array.isArray(list)) {
    if (list.length === 0) problems.push(source.atValue(listPath, 'the script has no turns'));
    list.forEach((raw, i) => {
      const turn = checkTurn(source, [...listPath, i], i, raw, problems);
      if (turn) turns.push(turn);
    });
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return problems.length ? { ok: false, diagnostics: problems } : { ok: true, script: { turns, repeat } };
}

function checkTurn(source: YamlSource, path: DocPath, index: number, raw: unknown, problems: Diagnostic[]): ScriptedTurn | undefined {
  const where = `turn ${index + 1}`;
  if (!isRecord(raw)) {
    problems.push(source.atValue(path, `${where}: expected a map with one of text, json, call or calls`));
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!(TURN_KEYS as readonly string[]).includes(key)) problems.push(source.atKey([...path, key], `${where}: ${unknownKey(key, TURN_KEYS)}`));
  }
  const kinds = (['text', 'json', 'call', 'calls'] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    const message = kinds.length
      ? `${where}: give one of text, json, call or calls, not ${kinds.join(' and ')}`
      : `${where}: give one of text, json, call or calls`;
    problems.push(source.atValue(path, message));
    return undefined;
  }
  if (raw.with !== undefined && kinds[0] !== 'call') problems.push(source.atKey([...path, 'with'], `${where}: with goes with call`));
  switch (kinds[0]) {
    case 'text':
      if (typeof raw.text !== 'string') problems.push(source.atValue([...path, 'text'], `${where}: text must be a string`));
      return problems.length === before ? { text: raw.text as string } : undefined;
    case 'json':
      return problems.length === before ? { text: JSON.stringify(raw.json) } : undefined;
    case 'call': {
      const call = checkCall(source, path, where, raw, problems);
      return call && problems.length === before ? { toolCalls: [call] } : undefined;
    }
    default: {
      if (!Array.isArray(raw.calls) || raw.calls.length === 0) {
        problems.push(source.atValue([...path, 'calls'], `${where}: calls must be a non-empty list of { call, with }`));
        return undefined;
      }
      const calls = raw.calls.map((c, j) => {
        const callPath = [...path, 'calls', j];
        if (!isRecord(c)) {
          problems.push(source.atValue(callPath, `${where}, call ${j + 1}: expected a map { call, with }`));
          return undefined;
        }
        for (const key of Object.keys(c)) {
          if (!(CALL_KEYS as readonly string[]).includes(key))
            problems.push(source.atKey([...callPath, key], `${where}, call ${j + 1}: ${unknownKey(key, CALL_KEYS)}`));
        }
        return checkCall(source, callPath, `${where}, call ${j + 1}`, c, problems);
      });
      return problems.length === before ? { toolCalls: calls.filter((c) => c !== undefined) } : undefined;
    }
  }
}

function checkCall(
  source: YamlSource,
  path: DocPath,
  where: string,
  raw: Record<string, unknown>,
  problems: Diagnostic[],
): { name: string; arguments: Record<string, unknown> } | undefined {
  if (typeof raw.call !== 'string' || raw.call === '') {
    problems.push(source.atValue([...path, 'call'], `${where}: call must be a tool name`));
    return undefined;
  }
  if (raw.with !== undefined && !isRecord(raw.with)) {
    problems.push(source.atValue([...path, 'with'], `${where}: with must be a map of the tool's arguments`));
    return undefined;
  }
  return { name: raw.call, arguments: (raw.with as Record<string, unknown> | undefined) ?? {} };
}

/** "unknown key 'txt'; did you mean 'text'? (allowed: ...)" */
function unknownKey(key: string, allowed: readonly string[]): string {
  const close = allowed.find((a) => distance(a, key) <= 2);
  return `unknown key '${key}'${close ? `; did you mean '${close}'?` : ''} (allowed: ${allowed.join(', ')})`;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
