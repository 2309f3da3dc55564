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
import { storageFault } from '../core/storage-probe.js';
import type { HttpError } from './schemas.js';

const body = (code: ErrorCode, message: string): HttpError => ({ error: { code, message } });

/**
 * A refusal of the API itself (not of an alert command): its code from the one catalogue, which
 * gives the status; `headers` go with the answer (Retry-After).
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Counts each refusal by its code (metrics.ts). */
export type CountRefusal = (code: ErrorCode) => void;

function refuse(count: CountRefusal, reply: FastifyReply, code: ErrorCode, message: string) {
  count(code);
  return reply.status(ERROR_CATALOGUE[code].status).send(body(code, message));
}

/**
 * Logged in full; the client gets no detail (the message may name files or SQL), except that a
 * write the storage refused (full or read-only SD card) says so: SQLite rolled it back, so nothing
 * was changed, and the person at the console knows it is not their request that is wrong.
 */
function internalError(count: CountRefusal, err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  req.log.error({ err, url: req.url }, 'HTTP request failed');
  const message = storageFault(err)
    ? "the gateway's storage refuses writes (disk full or read-only), so nothing was changed: tell the administrator"
    : 'the gateway could not answer this request; it is logged';
  return refuse(count, reply, 'internal-error', message);
}

/** Every body the API takes is a few fields: anything near this is not a request of ours. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Every error answer comes from the one catalogue (edge/src/protocol/errors.ts), with its status:
 * a refused alert command by its code; a request that fails its schema as `invalid-request`
 * saying which field; an unknown route as `not-found`; anything else as `internal-error`, logged,
 * its message kept from the client (it may name files or SQL).
 */
export function answerErrorsFromCatalogue(app: FastifyInstance, count: CountRefusal): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AlertError || err instanceof ApiError) {
      if (err instanceof ApiError) void reply.headers(err.headers);
      return refuse(count, reply, err.code, err.message);
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return refuse(
        count,
        reply,
        'payload-too-large',
        `the body is larger than the ${BODY_LIMIT_BYTES} bytes accepted`,
      );
    }
    if (err.validation || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
      return refuse(count, reply, 'invalid-request', err.message);
    }
    return internalError(count, err, req, reply);
  });
  app.setNotFoundHandler((req, reply) =>
    refuse(count, reply, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`),
  );
}

/**
 * For fastify's `frameworkErrors` option: a URL its router cannot read (a broken percent-escape,
 * a path parameter over maxParamLength) is answered before any handler, and otherwise in
 * fastify's own format; this keeps those answers in the catalogue too.
 */
export const answerFrameworkErrors =
  (count: CountRefusal) => (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const unreadable: Record<string, string> = {
      FST_ERR_BAD_URL: 'the URL is not valid (a broken percent-escape)',
      FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is too long',
    };
    const message = unreadable[err.code];
    if (message) return refuse(count, reply, 'invalid-request', message);
    return internalError(count, err, req, reply);
  };

/**
 * For fastify's `schemaErrorFormatter`: a request that fails its schema is told by the one Ajv
 * formatter (edge/src/schema-errors.ts), `querystring/state: must be one of open, recent (got
 * "closed")`, as wire payloads, the configuration and the site file are. Needs Ajv's `verbose`.
 */
export const validationError = (errors: FastifySchemaValidationError[], dataVar: string): Error =>
  new Error(formatSchemaErrors(errors as ErrorObject[], { path: (p) => `${dataVar}${p}` }).join('; '));
