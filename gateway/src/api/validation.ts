import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// fastify's own defaults, but for removeAdditional (an unknown field is refused, not silently
// dropped) and verbose (errors carry the value and the schema, so a message can say what it got:
// errors.ts). allErrors stays off: with it, one request could make Ajv do unbounded work.
const OPTIONS: Options = { useDefaults: true, removeAdditional: false, allErrors: false, verbose: true };

/**
 * Request validation with two Ajv instances. A path, query string or header is text: its numbers
 * and repeated keys are read from it (coercion, as fastify does). A JSON body has types of its
 * own: a list or a number where a string belongs is refused, never converted (fastify's one
 * instance would turn `{"staffId": ["sam"]}` into "sam").
 */
export function requestValidation(): FastifySchemaCompiler<unknown> {
  // The formats fastify's own instance knows (date-time in the Happy Index's range, say).
  const text = addFormats(new Ajv({ ...OPTIONS, coerceTypes: 'array' }));
  const json = addFormats(new Ajv({ ...OPTIONS, coerceTypes: false }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? json : text).compile(schema as object);
}
