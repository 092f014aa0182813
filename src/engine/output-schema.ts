/**
 * Structured output: the JSON schema sent to the model, and the ajv check of its answer (models in non-strict
 * mode, and OpenAI-compatible servers, do not always keep to the schema).
 */
import type { JsonSchemaDefinition } from '@openai/agents';
import { compileSchema } from '../shared/compile-schema.ts';

const WRAP_KEY = 'value';

/** A step's output contract: what the SDK gets, and how to read and check the answer. */
export interface OutputContract {
  definition: JsonSchemaDefinition;
  /** Parses and validates the final answer; returns the value or the list of problems. */
  read(finalOutput: unknown): { ok: true; value: unknown } | { ok: false; problems: string[] };
}

/** Builds the contract of a step's `output.schema`. Non-object schemas are wrapped in `{value: ...}`, which the API requires. */
export function outputContract(stepId: string, schema: Record<string, unknown>): OutputContract {
  const wrapped = schema.type !== 'object';
  const sent = wrapped ? { type: 'object', properties: { [WRAP_KEY]: schema }, required: [WRAP_KEY], additionalProperties: false } : schema;
  const validate = compileSchema(schema);
  return {
    definition: { type: 'json_schema', name: `${stepId.replace(/[^A-Za-z0-9_-]/g, '_')}_output`, strict: isStrictCompatible(sent), schema: sent as never },
    read(finalOutput) {
      let value: unknown = finalOutput;
      if (typeof value === 'string') {
        try {
          value = JSON.parse(value);
        } catch {
          return { ok: false, problems: [`the final answer is not JSON: ${(finalOutput as string).slice(0, 120)}`] };
        }
      }
      if (wrapped) value = (value as Record<string, unknown> | null)?.[WRAP_KEY];
      if (validate(value)) return { ok: true, value };
      return { ok: false, problems: (validate.errors ?? []).map((e) => `${e.instancePath || '(answer)'} ${e.message}`) };
    },
  };
}

/** OpenAI's strict mode needs every object closed and every property required. */
export function isStrictCompatible(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return true;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' || s.properties) {
    const props = Object.keys((s.properties ?? {}) as object);
    const required = new Set((s.required ?? []) as string[]);
    if (s.additionalProperties !== false || props.some((p) => !required.has(p))) return false;
  }
  for (const key of ['properties', '$defs', 'definitions'] as const) {
    const children = s[key];
    if (children && typeof children === 'object' && !Object.values(children).every(isStrictCompatible)) return false;
  }
  if (s.items && !isStrictCompatible(s.items)) return false;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key]) && !(s[key] as unknown[]).every(isStrictCompatible)) return false;
  }
  return true;
}
