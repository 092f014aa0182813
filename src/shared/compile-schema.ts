/**
 * JSON Schema validators compiled once per process: compiling costs about a millisecond, and runs (especially in
 * a worker) check the same tool-argument and step-output schemas over and over.
 */
import { Ajv, type ValidateFunction } from 'ajv';

// Formats are not checked: no format plug-in is loaded, and tool and output schemas use them as hints only.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new Map<string, ValidateFunction | Error>();
const bySchema = new WeakMap<object, ValidateFunction | Error>();

/** The validator of `schema`, compiled on first use; throws the compile error (also cached) for a broken schema. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  // The same schema object (a catalogue tool's, a loaded step's) is looked up without serialising it again.
  let found = bySchema.get(schema);
  if (found === undefined) {
    found = compiledByText(schema);
    bySchema.set(schema, found);
  }
  if (found instanceof Error) throw found;
  return found;
}

/** The validator of `schema` by its JSON text, compiled on first use (a compile error is kept as the result). */
function compiledByText(schema: Record<string, unknown>): ValidateFunction | Error {
  const key = JSON.stringify(schema);
  let found = compiled.get(key);
  if (found === undefined) {
    try {
      found = ajv.compile(schema);
    } catch (error) {
      found = error as Error;
    }
    compiled.set(key, found);
  }
  return found;
}
