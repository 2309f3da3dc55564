import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { describeValue, formatSchemaErrors, pointerPath, printable } from '../schema-errors.js';
import { type ChannelKey, type ChannelMessage, channelKeys, channels, type PayloadOf } from './channels.js';

export type Decoded<T = unknown> = { ok: true; value: T } | { ok: false; errors: string[] };

// verbose: errors carry the offending value, so an enum error can say what it got.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });

const wireStyle = { path: pointerPath };

/** A validator for a schema; unions with a discriminator validate the one member the value names. */
function compile(schema: TSchema, discriminator?: string): (value: unknown) => Decoded {
  if (!discriminator) {
    const validate = ajv.compile(schema);
    return (value) =>
      validate(value)
        ? { ok: true, value }
        : { ok: false, errors: formatSchemaErrors(validate.errors, wireStyle) };
  }
  const members = new Map<string, ValidateFunction>();
  for (const member of (schema as unknown as { anyOf: TSchema[] }).anyOf) {
    const tag = (member.properties as Record<string, { const: string }>)[discriminator]!.const;
    members.set(tag, ajv.compile(member));
  }
  const allowed = [...members.keys()].join(', ');
  return (value) => {
    const tag =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[discriminator]
        : undefined;
    const validate = typeof tag === 'string' ? members.get(tag) : undefined;
    if (!validate) {
      const got = tag === undefined ? 'missing' : describeValue(tag);
      return { ok: false, errors: [`/${discriminator}: must be one of ${allowed} (got ${got})`] };
    }
    return validate(value)
      ? { ok: true, value }
      : { ok: false, errors: formatSchemaErrors(validate.errors, wireStyle) };
  };
}

const validators = new Map(
  channelKeys.map((k) => {
    const c = channels[k];
    return [k, compile(c.schema, 'discriminator' in c ? c.discriminator : undefined)] as const;
  }),
);

/** Checks an already-parsed value against a channel's schema. */
export function validatePayload<C extends ChannelKey>(channel: C, value: unknown): Decoded<PayloadOf<C>> {
  // The one place a payload gets its type: the channel's own schema has just accepted it.
  return validators.get(channel)!(value) as Decoded<PayloadOf<C>>;
}

/** Parses and validates an MQTT payload for a channel; errors name the JSON path and what is wrong. */
export function decodePayload<C extends ChannelKey>(
  channel: C,
  payload: Buffer | string,
): Decoded<PayloadOf<C>> {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (err) {
    // The parser's message quotes the start of the payload.
    return { ok: false, errors: [`/: payload is not JSON (${printable((err as Error).message, 200)})`] };
  }
  return validatePayload(channel, value);
}

/**
 * decodePayload for a channel known only at run time (from a topic): the result carries the
 * channel, so testing `message.channel` narrows `message.payload`.
 */
export function decodeMessage<C extends ChannelKey>(
  channel: C,
  payload: Buffer | string,
): Decoded<ChannelMessage<C>> {
  const decoded = decodePayload(channel, payload);
  return decoded.ok ? { ok: true, value: { channel, payload: decoded.value } as ChannelMessage<C> } : decoded;
}
