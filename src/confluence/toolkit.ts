/**
 * The Confluence toolkit: the 57 catalogue tools run directly against the REST API, behind the
 * {@link ToolExecutor} interface. Arguments are checked against each tool's input schema before any request,
 * and every call resolves to the `{data, error, successful}` envelope; nothing throws.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { confluenceCatalogue, type ToolCatalogue } from '../toolkit/catalogue.ts';
import type { ExecuteOptions, ToolDefinition, ToolEnvelope, ToolExecutor, ToolFailure } from '../toolkit/types.ts';
import { coerceBody } from './body.ts';
import { ConfluenceClient, type ConfluenceClientOptions } from './client.ts';
import { describeFailure } from './describe-error.ts';
import { ConfluenceHttpError } from './errors.ts';
import { ExternalError } from '../shared/errors.ts';
import { toolImplementations } from './tools/index.ts';
import type { ToolFn } from './tools/types.ts';

/** Options of {@link createConfluenceToolkit}: an existing client, or the options to build one. */
export type ConfluenceToolkitOptions = ({ client: ConfluenceClient } | ConfluenceClientOptions) & {
  /** The tool catalogue (definitions, effects, schemas). Default: the embedded Confluence catalogue. */
  catalogue?: ToolCatalogue;
};

/** Builds the REST-backed toolkit. */
export function createConfluenceToolkit(options: ConfluenceToolkitOptions): ToolExecutor {
  const client = 'client' in options ? options.client : new ConfluenceClient(options);
  const catalogue = options.catalogue ?? confluenceCatalogue();
  const validators = new Map<string, ValidateFunction>();
  let ajv: Ajv | undefined;

  const validatorFor = (tool: ToolDefinition): ValidateFunction => {
    let v = validators.get(tool.slug);
    if (!v) {
      ajv ??= createAjv();
      v = ajv.compile(tool.input);
      validators.set(tool.slug, v);
    }
    return v;
  };

  return {
    list: () => catalogue.tools,
    async execute(slug: string, rawArgs: Record<string, unknown>, execOptions: ExecuteOptions = {}): Promise<ToolEnvelope> {
      const tool = catalogue.get(slug);
      const impl: ToolFn | undefined = toolImplementations[slug];
      if (!tool || !impl) return failure(unknownToolMessage(slug, catalogue), INVALID);
      if (rawArgs !== undefined && (rawArgs === null || typeof rawArgs !== 'object' || Array.isArray(rawArgs))) {
        return failure('invalid arguments: the arguments must be a JSON object', INVALID);
      }
      const args = coerceBody(slug, rawArgs ?? {});
      let validate: ValidateFunction;
      try {
        validate = validatorFor(tool);
      } catch (error) {
        return failure(`internal error: the input schema of ${slug} does not compile (${(error as Error).message})`, { kind: 'tool', retryable: false });
      }
      if (!validate(args)) return failure(`invalid arguments: ${formatAjvErrors(validate.errors ?? [])}`, INVALID);
      try {
        const data = await impl(client, args, execOptions.signal);
        return { data: data ?? {}, error: null, successful: true };
      } catch (error) {
        return failure(client.redact(describeFailure(error, { slug, args })), failureOf(error, execOptions.signal));
      }
    },
  };
}

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv;
}

/** Arguments the tool cannot take: the caller must change them. */
const INVALID: ToolFailure = { kind: 'validation', retryable: false };

function failure(error: string, kind: ToolFailure): ToolEnvelope {
  return { data: null, error, successful: false, failure: kind };
}

/** The structured kind of a thrown error: read from its type and fields. */
function failureOf(error: unknown, signal: AbortSignal | undefined): ToolFailure {
  if (signal?.aborted) return { kind: 'cancelled', retryable: false };
  if (error instanceof ConfluenceHttpError) return { kind: 'tool', retryable: error.retryable, status: error.status };
  if (error instanceof ExternalError) return { kind: 'tool', retryable: error.retryable };
  return { kind: 'tool', retryable: false };
}

/** Ajv errors as one line: "/labels/0/prefix must be one of global, team, my; /title is required". */
export function formatAjvErrors(errors: readonly ErrorObject[]): string {
  const lines = errors.map((e) => {
    const path = e.instancePath || '';
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        return `${path}/${String(p.missingProperty)} is required`;
      case 'additionalProperties':
        return `${path}/${String(p.additionalProperty)} is not an allowed field`;
      case 'enum':
        return `${path || 'value'} must be one of ${(p.allowedValues as unknown[]).map((v) => (v === null ? 'null' : String(v))).join(', ')}`;
      case 'const':
        return `${path || 'value'} must be ${JSON.stringify(p.allowedValue)}`;
      case 'type':
        return `${path || 'arguments'} must be ${String(p.type).split(',').join(' or ')}`;
      default:
        return `${path || 'arguments'} ${e.message ?? 'is invalid'}`;
    }
  });
  return [...new Set(lines)].join('; ');
}

/** "unknown tool" with the closest slugs, so a model can correct a typo. */
function unknownToolMessage(slug: string, catalogue: ToolCatalogue): string {
  const wanted = String(slug).toUpperCase();
  const words = new Set(wanted.split('_').filter((w) => w && w !== 'CONFLUENCE'));
  const scored = catalogue.tools
    .map((t) => {
      const parts = t.slug.split('_');
      const shared = parts.filter((w) => words.has(w)).length;
      // Prefer slugs that extend what was typed, then those with the fewest extra words.
      return { slug: t.slug, score: shared * 10 + (t.slug.startsWith(wanted) ? 5 : 0) - (parts.length - shared) };
    })
    .filter((s) => s.score > 5)
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .map((s) => s.slug);
  return `unknown tool '${slug}'${scored.length ? `; did you mean ${scored.join(', ')}?` : '; list the tools to see what exists'}`;
}
