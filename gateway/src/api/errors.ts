import { ERROR_CATALOGUE, type ErrorCode, formatSchemaErrors } from '@careedge/edge';
import type { ErrorObject } from 'ajv';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { AlertError } from '../alerts/errors.js';
import type { HttpError } from './schemas.js';

const body = (code: ErrorCode, message: string): HttpError => ({ error: { code, message } });

/** Logged in full; the client gets no detail (the message may name files or SQL). */
function internalError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  req.log.error({ err, url: req.url }, 'HTTP request failed');
  return reply
    .status(ERROR_CATALOGUE['internal-error'].status)
    .send(body('internal-error', 'the gateway could not answer this request; it is logged'));
}

/**
 * Every error answer comes from the one catalogue (edge/src/protocol/errors.ts), with its status:
 * a refused alert command by its code; a request that fails its schema as `invalid-request`
 * saying which field; an unknown route as `not-found`; anything else as `internal-error`, logged,
 * its message kept from the client (it may name files or SQL).
 */
export function answerErrorsFromCatalogue(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AlertError) {
      return reply.status(ERROR_CATALOGUE[err.code].status).send(body(err.code, err.message));
    }
    if (err.validation || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
      return reply
        .status(ERROR_CATALOGUE['invalid-request'].status)
        .send(body('invalid-request', err.message));
    }
    return internalError(err, req, reply);
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(ERROR_CATALOGUE['not-found'].status)
      .send(body('not-found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
}

/**
 * For fastify's `frameworkErrors` option: a URL its router cannot read (a broken percent-escape,
 * a path parameter over maxParamLength) is answered before any handler, and otherwise in
 * fastify's own format; this keeps those answers in the catalogue too.
 */
export function answerFrameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const unreadable: Record<string, string> = {
    FST_ERR_BAD_URL: 'the URL is not valid (a broken percent-escape)',
    FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is too long',
  };
  const message = unreadable[err.code];
  if (message)
    return reply.status(ERROR_CATALOGUE['invalid-request'].status).send(body('invalid-request', message));
  return internalError(err, req, reply);
}

/**
 * For fastify's `schemaErrorFormatter`: a request that fails its schema is told by the one Ajv
 * formatter (edge/src/schema-errors.ts), `querystring/state: must be one of open, recent (got
 * "closed")`, as wire payloads, the configuration and the site file are. Needs Ajv's `verbose`.
 */
export const validationError = (errors: FastifySchemaValidationError[], dataVar: string): Error =>
  new Error(formatSchemaErrors(errors as ErrorObject[], { path: (p) => `${dataVar}${p}` }).join('; '));
