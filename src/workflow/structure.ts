import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../shared/errors.ts';
import { type CompiledValidator, workflowValidator } from './schema.ts';
import type { DocPath, YamlSource } from './source.ts';
import { didYouMean } from '../shared/suggest.ts';

/**
 * Checks the document against the workflow schema; every error is mapped to the key or value at fault, up to
 * `limit` of them (placing one costs a walk of its map, so a file of thousands of unknown keys would take minutes).
 * `validate` is the schema's validator (default: the workflow schema; workflow test files pass theirs).
 */
export function structuralDiagnostics(source: YamlSource, limit = Number.POSITIVE_INFINITY, validate: CompiledValidator = workflowValidator()): Diagnostic[] {
  if (validate(source.value)) return [];
  const errors = dropBranchNoise(validate.errors ?? []);
  const out: Diagnostic[] = [];
  for (const [index, error] of errors.entries()) {
    if (out.length >= limit) {
      out.push(source.at(0, `too many problems: only the first ${limit} are shown (and ${errors.length - index} more); fix those first`));
      break;
    }
    const path = toPath(error.instancePath, source.value);
    const d = describe(error, path, source);
    if (d) out.push(d);
  }
  return out;
}

/** oneOf/propertyNames failures report their branches' errors too; keep one readable error per failure. */
function dropBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const prefixes = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'propertyNames').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => !prefixes.some((p) => e.schemaPath.startsWith(p)));
}

function toPath(pointer: string, root: unknown): DocPath {
  if (pointer === '') return [];
  const path: Array<string | number> = [];
  let cursor: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(cursor) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(segment);
    cursor = cursor && typeof cursor === 'object' ? (cursor as Record<string, unknown>)[segment as string] : undefined;
  }
  return path;
}

/** `steps[1].with.id`, for naming a place in messages. */
export function dotted(path: DocPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s || 'the workflow';
}

const PATTERN_HINTS: Array<[RegExp, (value: string) => string]> = [
  [/^name$/, (v) => `name '${v}' must be kebab-case (lowercase letters, digits and single dashes), e.g. '${kebab(v)}'`],
  [/^steps\.\d+\.id$|^steps\[\d+\]\.id$/, (v) => `step id '${v}' must be snake_case (lowercase letters, digits and _), e.g. '${snake(v)}'`],
  [/^tools\.mcp\.url$/, (v) => `tools.mcp.url '${v}' must start with http:// or https://`],
  [/\.env$/, (v) => `'${v}' is not an environment variable name (letters, digits and _, not starting with a digit)`],
  [/\.email\.to\[\d+\]$/, (v) => `'${v}' is not an email address (like docs-team@example.com)`],
];

function describe(error: ErrorObject, path: DocPath, source: YamlSource): Diagnostic | undefined {
  const where = dotted(path);
  const value = error.data;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {}).filter((k) => k !== '$schema');
      const hint = didYouMean(key, allowed) || `; allowed keys${path.length ? ` in ${where}` : ''}: ${allowed.join(', ')}`;
      return source.atKey([...path, key], `unknown key '${key}'${hint}`);
    }
    case 'required': {
      const key = (error.params as { missingProperty: string }).missingProperty;
      const property = (error.parentSchema as { properties?: Record<string, PropertySchema> })?.properties?.[key];
      return source.atValue(path, `missing required key '${key}'${path.length ? ` in ${where}` : ''}${expectation(key, property)}`);
    }
    case 'type': {
      const types = String((error.params as { type: string | string[] }).type).split(',');
      const forms = types.length > 1 ? (error.parentSchema as PropertySchema)?.description : undefined;
      return source.atValue(path, `${where} must be ${types.map(article).join(' or ')}, got ${describeValue(value)}${forms ? ` (${sentence(forms)})` : ''}`);
    }
    case 'if':
      // The branch's own errors say what is wrong; "must match then" adds nothing.
      return undefined;
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return source.atValue(path, `invalid ${where} ${describeValue(value)}${didYouMean(String(value), allowed)} (allowed: ${allowed.join(', ')})`);
    }
    case 'const': {
      const allowed = (error.params as { allowedValue: unknown }).allowedValue;
      const quoted = typeof value === 'string' && value === String(allowed) ? '; write it without quotes' : '';
      return source.atValue(path, `${where} must be ${JSON.stringify(allowed)}, got ${describeValue(value)}${quoted}`);
    }
    case 'pattern': {
      // A tool slug that breaks the pattern is also an unknown tool; the semantic check names the closest real one.
      if (/\.tool$|^tools\.allow\[\d+\]$/.test(where)) return undefined;
      const hint = PATTERN_HINTS.find(([re]) => re.test(where));
      return source.atValue(
        path,
        hint ? hint[1](String(value)) : `${where} ${describeValue(value)} does not match ${(error.params as { pattern: string }).pattern}`,
      );
    }
    case 'propertyNames': {
      const name = String((error.params as { propertyName: string }).propertyName);
      return source.atKey(
        [...path, name],
        `${where === 'inputs' ? 'input' : 'key'} name '${name}' must be snake_case (lowercase letters, digits and _), e.g. '${snake(name)}'`,
      );
    }
    case 'oneOf':
    case 'anyOf':
      return source.atValue(
        path,
        `${where} must be ${String((error.parentSchema as { description?: string })?.description ?? 'one of the allowed forms')
          .replace(/\.$/, '')
          .replace(/^[A-Z]/, (c) => c.toLowerCase())}, got ${describeValue(value)}`,
      );
    case 'minItems': {
      const limit = (error.params as { limit: number }).limit;
      return source.atValue(path, limit === 1 ? `${where} must not be an empty list` : `${where} must have at least ${limit} items`);
    }
    case 'minLength':
      return source.atValue(path, `${where} must not be empty`);
    case 'uniqueItems':
      return source.atValue(
        path,
        `${where} lists the same item twice (items ${(error.params as { j: number; i: number }).j} and ${(error.params as { i: number }).i})`,
      );
    case 'minimum':
    case 'maximum':
    case 'maxLength':
      return source.atValue(path, `${where} ${error.message ?? 'is out of range'}, got ${describeValue(value)}`);
    default:
      return source.atValue(path, `${where} ${error.message ?? 'is invalid'}`);
  }
}

/** The parts of a property's schema a message can quote. */
interface PropertySchema {
  description?: string;
  enum?: unknown[];
  const?: unknown;
}

/** What a missing key should hold: its allowed values, or the first sentence of its description. */
function expectation(key: string, property: PropertySchema | undefined): string {
  if (!property) return '';
  if (property.const !== undefined) return `; add ${key}: ${JSON.stringify(property.const)}`;
  if (property.enum) return `; set it to one of ${property.enum.map(String).join(', ')}`;
  return property.description ? ` — ${sentence(property.description)}` : '';
}

/** A schema description as a clause: first sentence, lower-case start, no final period or backticks. */
function sentence(text: string): string {
  // A sentence ends at a period before a capital letter or the end, so "e.g. `0 16 * * FRI`" stays whole.
  const first = /^.*?\.(?=\s+[A-Z]|\s*$)/.exec(text)?.[0] ?? text;
  return first
    .trim()
    .replace(/\.$/, '')
    .replace(/`/g, '')
    .replace(/^[A-Z](?![A-Z])/, (c) => c.toLowerCase());
}

/** Types as YAML users know them: a map, a list. */
function article(type: string): string {
  if (type === 'object') return 'a map';
  if (type === 'array') return 'a list';
  if (type === 'integer') return 'an integer';
  if (type === 'null') return 'null';
  return `a ${type}`;
}

/** A value as it reads in a message: `string 'ten'`, `number 3`, `a list`, `a map`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `'${value}'`;
  return `${typeof value} ${String(value)}`;
}

function kebab(s: string): string {
  return (
    s
      .trim()
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'my-workflow'
  );
}

function snake(s: string): string {
  return (
    s
      .trim()
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .replace(/^(\d)/, '_$1') || 'step'
  );
}
