/** Reading request bodies: small typed getters that answer 400 INVALID_REQUEST_BODY on bad input. */
import { badBody } from './errors.ts';

/** The body as an object; anything else is a 400. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badBody('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** A required non-empty string field. */
export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || !value.trim()) throw badBody(`${field} is required and must be a non-empty string`);
  return value;
}

/** An optional string field. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badBody(`${field} must be a string`);
  return value;
}

/** An id field given as a digit string (or a number); `required` makes absence a 400. */
export function idField(body: Record<string, unknown>, field: string, required: true): number;
export function idField(body: Record<string, unknown>, field: string, required?: false): number | undefined;
export function idField(body: Record<string, unknown>, field: string, required = false): number | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw badBody(`${field} is required`);
    return undefined;
  }
  if ((typeof value === 'string' && /^\d+$/.test(value)) || (typeof value === 'number' && Number.isInteger(value) && value > 0)) {
    return Number(value);
  }
  throw badBody(`${field} must be a numeric id string, got ${JSON.stringify(value)}`);
}

/** `version.number` (and message) of an update body; required. */
export function versionField(body: Record<string, unknown>): { number: number; message?: string; minorEdit?: boolean } {
  const version = body.version as { number?: unknown; message?: unknown; minorEdit?: unknown } | undefined;
  if (!version || typeof version !== 'object' || typeof version.number !== 'number' || !Number.isInteger(version.number)) {
    throw badBody('version.number is required and must be an integer');
  }
  return {
    number: version.number,
    message: typeof version.message === 'string' ? version.message : undefined,
    minorEdit: version.minorEdit === true,
  };
}

/** A status field limited to `allowed`; default when absent. */
export function statusField(body: Record<string, unknown>, allowed: string[], fallback: string | undefined): string | undefined {
  const value = body.status;
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value)) throw badBody(`status must be one of ${allowed.join(', ')}`);
  return value;
}
