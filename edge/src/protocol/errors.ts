import { type Static, Type } from '@sinclair/typebox';

/**
 * The error catalogue: every error the gateway answers a command or a request with, whether over
 * MQTT (`ReplyResult.error.code`) or HTTP (the error body, with `status` as the HTTP status). One
 * definition, so the AsyncAPI and OpenAPI documents publish the same codes.
 */
export const ERROR_CATALOGUE = {
  'alert-not-found': { status: 404, description: 'No alert has this number.' },
  'illegal-transition': {
    status: 409,
    description: 'The alert is not in a state that allows this (for example resolving before arriving).',
  },
  'not-owner': {
    status: 403,
    description: 'Only the owner of the alert (or a supervisor on shift) may do this.',
  },
  'unknown-staff': { status: 422, description: 'The staff id is not in the site register.' },
  'not-dispatched-to-you': {
    status: 403,
    description: 'The alert was not sent to you, is not waiting for you to accept it, or is closed.',
  },
  'not-on-shift': { status: 403, description: 'You, or the colleague named, are not on shift.' },
  'not-supervisor': { status: 403, description: 'Only a supervisor on shift may do this.' },
  'not-involved': {
    status: 403,
    description: 'Only someone the alert was sent to, its owner, or a supervisor on shift may do this.',
  },
  'colleague-offline': {
    status: 409,
    description:
      'The colleague named has reported their handset offline, so they would not be told: choose someone reachable.',
  },
  'invalid-handover': {
    status: 422,
    description: 'The alert cannot go to that staff member (they already own it).',
  },
  'alert-unrecorded': {
    status: 409,
    description:
      'A provisional alarm number: the gateway could not store this alarm, so nothing can be accepted or resolved on it; go, and tell the others by voice.',
  },
  'invalid-request': {
    status: 400,
    description: 'The request does not match its schema; the message says where.',
  },
  'not-found': { status: 404, description: 'No such route.' },
  'rules-invalid': {
    status: 400,
    description: 'The rules file is not valid (the problems are listed); the last good rules stay in force.',
  },
  unauthenticated: {
    status: 401,
    description: 'No valid session or bearer token: log in (or the session ended), or send a live token.',
  },
  forbidden: {
    status: 403,
    description: 'Your role does not allow this; the message names the role needed.',
  },
  csrf: {
    status: 403,
    description:
      "A request with the session cookie that changes something needs the header `x-csrf-token` with the session's token (from login or /api/v1/auth/me).",
  },
  'login-locked': {
    status: 429,
    description:
      'Too many failed logins: this login is locked for a while from here; `Retry-After` says how long.',
  },
  'rate-limited': {
    status: 429,
    description: 'Too many requests from this address; `Retry-After` says when to try again.',
  },
  'streams-full': {
    status: 503,
    description:
      'The gateway already serves as many live event streams as it allows; `Retry-After` says when to try again (or close another console tab).',
  },
  'payload-too-large': { status: 413, description: 'The request body is larger than the API accepts.' },
  'internal-error': {
    status: 500,
    description: 'The gateway could not carry this out (it is logged); please try again.',
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The codes as a schema, for ReplyResult and the HTTP error body. */
export const ErrorCodeSchema = Type.Union(
  ERROR_CODES.map((code) => Type.Literal(code)),
  {
    description: `A stable code for machines (the message is for people): ${ERROR_CODES.map(
      (c) => `\`${c}\` (${ERROR_CATALOGUE[c].status}) ${ERROR_CATALOGUE[c].description}`,
    ).join(' ')}`,
  },
);

/** The error as both protocols carry it: a code for machines, a sentence for people. */
export const ErrorBody = Type.Object(
  { code: ErrorCodeSchema, message: Type.String({ description: 'What went wrong, for people.' }) },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;
