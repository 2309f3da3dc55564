import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type ChannelKey, channelKeys, channels } from './channels.js';

export type Decoded<T = unknown> = { ok: true; value: T } | { ok: false; errors: string[] };

// verbose: errors carry the offending value, so an enum error can say what it got.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });

/** A value quoted in an error message, cut short so a hostile payload cannot flood the log. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

/**
 * An enum written as a union of literals fails in every branch; Ajv then reports a `const` (and
 * maybe a `type`) error per allowed value plus the `anyOf`. Fold those into one line, the way the
 * discriminator error reads. Maps each folded error to its new message, or null to drop it.
 */
function foldLiteralUnions(errors: ErrorObject[]): Map<ErrorObject, string | null> {
  const folded = new Map<ErrorObject, string | null>();
  for (const e of errors) {
    const members = e.keyword === 'anyOf' ? (e.schema as { const?: unknown }[]) : [];
    if (members.length === 0 || !members.every((m) => 'const' in m)) continue;
    for (const b of errors) if (b.schemaPath.startsWith(`${e.schemaPath}/`)) folded.set(b, null);
    const allowed = members.map((m) => m.const).join(', ');
    folded.set(e, `must be one of ${allowed} (got ${show(e.data)})`);
  }
  return folded;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  const list = errors ?? [];
  const folded = foldLiteralUnions(list);
  return list.flatMap((e) => {
    const where = e.instancePath || '/';
    const foldedMessage = folded.get(e);
    if (foldedMessage === null) return [];
    if (foldedMessage !== undefined) return [`${where}: ${foldedMessage}`];
    if (e.keyword === 'additionalProperties') {
      return [
        `${where}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`,
      ];
    }
    if (e.keyword === 'const') return [`${where}: must be ${JSON.stringify(e.params.allowedValue)}`];
    return [`${where}: ${e.message}`];
  });
}

/** A validator for a schema; unions with a discriminator validate the one member the value names. */
function compile(schema: TSchema, discriminator?: string): (value: unknown) => Decoded {
  if (!discriminator) {
    const validate = ajv.compile(schema);
    return (value) =>
      validate(value) ? { ok: true, value } : { ok: false, errors: formatErrors(validate.errors) };
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
      const got = tag === undefined ? 'missing' : show(tag);
      return { ok: false, errors: [`/${discriminator}: must be one of ${allowed} (got ${got})`] };
    }
    return validate(value) ? { ok: true, value } : { ok: false, errors: formatErrors(validate.errors) };
  };
}

const validators = new Map(
  channelKeys.map((k) => {
    const c = channels[k];
    return [k, compile(c.schema, 'discriminator' in c ? c.discriminator : undefined)] as const;
  }),
);

/** Checks an already-parsed value against a channel's schema. */
export function validatePayload(channel: ChannelKey, value: unknown): Decoded {
  return validators.get(channel)!(value);
}

/** Parses and validates an MQTT payload for a channel; errors name the JSON path and what is wrong. */
export function decodePayload(channel: ChannelKey, payload: Buffer | string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (err) {
    return { ok: false, errors: [`/: payload is not JSON (${(err as Error).message})`] };
  }
  return validatePayload(channel, value);
}
