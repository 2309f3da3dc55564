import { DEVICE_KINDS, IdPattern } from '@careedge/edge';
import { type Static, Type } from '@sinclair/typebox';
import { E164Pattern } from '../config/sms.js';
import { PasswordHashPattern } from '../core/password-format.js';
import { SecretHashPattern } from './credentials.js';

/**
 * The site file's JSON Schema: the one place that says what a site file may contain. Problems
 * Ajv cannot see (references between lists, unique ids, device kind rules, time zones) are
 * checked in site-file-checks.ts. `x-message` replaces Ajv's wording for a pattern that would
 * otherwise be shown to an administrator as a regular expression.
 */

const closed = { additionalProperties: false } as const;

const Id = (description: string) =>
  Type.String({ pattern: IdPattern, 'x-message': 'must be 1-64 letters, digits, "_" or "-"', description });

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

/** A string enum as `enum` (not TypeBox's anyOf of consts) so Ajv reports one clear error. */
const OneOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description });

export const deviceKinds = DEVICE_KINDS;
export const staffRoles = ['carer', 'nurse', 'supervisor'] as const;
/** Index + 1 is the ISO weekday number. */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const Secret = Type.String({
  minLength: 16,
  maxLength: 256,
  description:
    'Plaintext MQTT password, hashed on import. Use a random token (at least 16 characters); the gateway stores only a salted hash.',
});
const SecretHash = Type.String({
  pattern: SecretHashPattern,
  'x-message': 'must be sha256$<salt>$<hash> as made by the gateway',
  description: 'Salted SHA-256 of the MQTT password, as made by the gateway (sha256$<salt>$<hash>).',
});

const Clock = (end: boolean) =>
  Type.String({
    pattern: end ? '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' : '^([01][0-9]|2[0-3]):[0-5][0-9]$',
    'x-message': end ? 'must be HH:MM (00:00 to 24:00)' : 'must be HH:MM (00:00 to 23:59)',
    description: 'Local time in the site time zone.',
  });

export const SiteFileSchema = Type.Object(
  {
    site: Type.Object(
      {
        id: Id('Site id; part of every MQTT topic.'),
        name: Name('Name shown to staff and administrators.'),
        timezone: Type.String({ minLength: 1, description: 'IANA time zone, e.g. Europe/London.' }),
      },
      closed,
    ),
    zones: Type.Array(
      Type.Object({ id: Id('Zone id.'), name: Name('Zone name, e.g. "East wing".') }, closed),
      { minItems: 1, description: 'Areas of the building; each has its own responders.' },
    ),
    rooms: Type.Array(
      Type.Object(
        { id: Id('Room id.'), name: Name('Room name.'), zone: Id('The zone the room is in.') },
        closed,
      ),
    ),
    residents: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Id('Resident id.'),
            name: Name('Full name.'),
            room: Id('The room the resident lives in.'),
            forwardVitals: Type.Optional(
              Type.Boolean({
                description:
                  'Consent to forward wristband vitals (heart rate, activity, steps) to InfluxDB; default true. false: none leave the gateway (alerts still count, without vitals).',
              }),
            ),
            nightWanderingRisk: Type.Optional(
              Type.Boolean({
                description:
                  'Flagged by the care team as at risk of wandering at night: the night-wandering rule watches this resident (default false).',
              }),
            ),
          },
          closed,
        ),
      ),
    ),
    devices: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Id('Device id = its MQTT username.'),
            kind: OneOf(
              deviceKinds,
              'wristband (needs resident), care-button or kiosk (need room), base-station (room optional).',
            ),
            resident: Type.Optional(Id('Wristbands: the resident who wears it.')),
            room: Type.Optional(
              Id(
                'Care buttons, pull cords and kiosks: the room they are in; base stations: where it is mounted.',
              ),
            ),
            via: Type.Optional(
              Id(
                'The base station (a `base-station` device) this device talks through on serial; a frame from a base station naming a device not assigned to it is refused.',
              ),
            ),
            secret: Type.Optional(Secret),
            secretHash: Type.Optional(SecretHash),
          },
          closed,
        ),
      ),
    ),
    staff: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Id('Staff id = the MQTT username of their handset.'),
            name: Name('Full name.'),
            firstName: Type.Optional(
              Name('Told to the resident ("Anna is on her way"); default: first word of name.'),
            ),
            role: OneOf(staffRoles, 'carer, nurse or supervisor.'),
            admin: Type.Optional(
              Type.Boolean({
                description:
                  'Administers the centre in the staff console: the register, the rules, devices and their credentials (default false). Independent of role and roster.',
              }),
            ),
            phone: Type.Optional(
              Type.String({
                pattern: E164Pattern,
                description:
                  'Mobile number in E.164 form (+ and country code, no spaces: +4915112345678), for SMS through the GSM modem (sms).',
              }),
            ),
            secret: Type.Optional(Secret),
            secretHash: Type.Optional(SecretHash),
            consolePasswordHash: Type.Optional(
              Type.String({
                pattern: PasswordHashPattern,
                'x-message':
                  'must be scrypt$N$r$p$<salt>$<key> as made by careedge-gateway staff hash-password',
                description:
                  'Console password, hashed (careedge-gateway staff hash-password prints one). Sets the password when the account has none or when this value changed since it was last applied; a password set later with staff set-password stays until this value changes again.',
              }),
            ),
          },
          closed,
        ),
      ),
    ),
    roster: Type.Optional(
      Type.Array(
        Type.Object(
          {
            staff: Id('Staff id.'),
            zones: Type.Optional(
              Type.Array(Id('Zone id.'), {
                minItems: 1,
                uniqueItems: true,
                description: 'Zones this person responds to (a responder line).',
              }),
            ),
            supervisor: Type.Optional(
              Type.Boolean({ description: 'true: a shift supervisor line (no zones).' }),
            ),
            rank: Type.Optional(
              Type.Integer({
                minimum: 1,
                description: 'Lower is asked first in a zone; default: position in the roster.',
              }),
            ),
            days: Type.Optional(
              Type.Array(OneOf(weekdays, 'Weekday the shift starts on.'), {
                minItems: 1,
                uniqueItems: true,
                description: 'Days the shift starts on; default: every day.',
              }),
            ),
            from: Type.Optional(Clock(false)),
            to: Type.Optional(Clock(true)),
          },
          closed,
        ),
      ),
    ),
  },
  { ...closed, description: 'A CareEdge site file: who and what is in the building, and who is on call.' },
);

export type SiteFileDocument = Static<typeof SiteFileSchema>;
