import { Type } from '@sinclair/typebox';
import { AlertError } from '../alerts/errors.js';

// At most 2^53-1: larger numbers lose digits (1e309 parses as Infinity) and name no alert.
export const AlertParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Alert number.' }) },
  { additionalProperties: false },
);

/**
 * Ajv's coercion reads "1e309" as ±Infinity and lets it past `integer`, `minimum` and `maximum`
 * alike (SQLite's LIMIT then fails with a 500): a number the schema already checked, checked again.
 */
export function inRange(value: number, where: string, min: number, max: number): number {
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  throw new AlertError(
    'invalid-request',
    value > max ? `${where}: must be <= ${max}` : `${where}: must be >= ${min}`,
  );
}
