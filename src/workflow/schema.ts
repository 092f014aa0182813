import type { ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../shared/paths.ts';
import { validateJsonSchema, validateWorkflow, validateWorkflowTest } from './generated/validators.ts';

/** Where the published workflow schema lives (also the file editors point `$schema` at). */
export const WORKFLOW_SCHEMA_URL = new URL('schemas/workflow.schema.json', PACKAGE_ROOT);

/** A precompiled validator: returns true or leaves its errors on `.errors`, like an ajv ValidateFunction. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** The workflow schema as a plain object. */
export function workflowSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(WORKFLOW_SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

/**
 * The validator for workflow files (all errors, verbose), precompiled from the schema by
 * scripts/generate-validators.ts so start-up does not pay for ajv's compiler.
 */
export function workflowValidator(): CompiledValidator {
  return validateWorkflow as CompiledValidator;
}

/** The validator for workflow test files (`*.test.yaml`, schemas/workflow-test.schema.json), precompiled likewise. */
export function workflowTestValidator(): CompiledValidator {
  return validateWorkflowTest as CompiledValidator;
}

/** Checks that a user-supplied object is a JSON Schema (2020-12 meta-schema); returns the first error or undefined. */
export function jsonSchemaError(schema: unknown): ErrorObject | undefined {
  const validate = validateJsonSchema as CompiledValidator;
  if (validate(schema)) return undefined;
  return validate.errors?.[0] ?? { instancePath: '', schemaPath: '', keyword: 'false schema', params: {}, message: 'is invalid' };
}
