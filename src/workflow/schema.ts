import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** Where the published workflow schema lives (also the file editors point `$schema` at). */
export const WORKFLOW_SCHEMA_URL = new URL('../../schemas/workflow.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

/** The workflow schema as a plain object. */
export function workflowSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(WORKFLOW_SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

/** The compiled validator for workflow files (compiled once per process, all errors, verbose for messages). */
export function workflowValidator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: false }).compile(workflowSchema());
  return compiled;
}

/** A fresh ajv instance for user-supplied JSON Schemas (output schemas), which must themselves compile. */
export function userSchemaAjv(): Ajv2020 {
  return new Ajv2020({ allErrors: true, strict: false });
}
