import { DEVICE_KINDS } from '@careedge/edge';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import type { SiteRegister } from '../../../register/site-register.js';
import { AUTH_ERRORS, ERROR_RESPONSES } from '../../schemas.js';

const Id = (description: string) => Type.String({ description });
const obj = (props: Parameters<typeof Type.Object>[0], description: string) =>
  Type.Object(props, { additionalProperties: false, description });

const Zone = obj({ id: Id('Site file id.'), name: Type.String() }, 'A zone (a wing, a floor).');
const Room = obj({ id: Id('Site file id.'), name: Type.String(), zoneId: Type.String() }, 'A room.');
const Resident = obj(
  {
    id: Id('Site file id.'),
    name: Type.String(),
    roomId: Type.String(),
    forwardVitals: Type.Optional(
      Type.Literal(false, { description: 'No consent to vitals leaving the gateway.' }),
    ),
    nightWanderingRisk: Type.Optional(Type.Literal(true)),
  },
  'A resident.',
);
// Devices and staff without their secrets (the register keeps only hashes, and never hands them here).
const Device = obj(
  {
    id: Id('Site file id; the MQTT login.'),
    kind: Type.Unsafe<string>({ type: 'string', enum: [...DEVICE_KINDS], description: 'Device kind.' }),
    residentId: Type.Optional(Type.String()),
    roomId: Type.Optional(Type.String()),
    via: Type.Optional(Type.String({ description: 'Its base station, on serial.' })),
  },
  'A device (no secret).',
);
const Staff = obj(
  {
    id: Id('Site file id; the handset login.'),
    name: Type.String(),
    firstName: Type.String(),
    role: Type.Union([Type.Literal('carer'), Type.Literal('nurse'), Type.Literal('supervisor')]),
    admin: Type.Optional(Type.Literal(true)),
  },
  'A staff member (no secret).',
);
const RosterEntry = obj(
  {
    staffId: Type.String(),
    zoneIds: Type.Array(Type.String(), { description: 'Zones answered first; empty for a supervisor.' }),
    supervisor: Type.Boolean(),
    rank: Type.Integer({ description: 'Lower is asked first in a zone.' }),
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      description: 'ISO weekdays the shift starts.',
    }),
    fromMin: Type.Integer({ description: 'Shift start, minutes after local midnight.' }),
    toMin: Type.Integer({ description: 'Shift end; not after the start means past midnight.' }),
  },
  'One line of the on-call roster.',
);

export type RegisterReading = Pick<
  SiteRegister,
  'allZones' | 'allRooms' | 'allResidents' | 'allDevices' | 'allStaff' | 'rosterEntries'
>;

/**
 * The site register, read-only, for every console role (docs/design/console.md): who and what is
 * in the building. Writing it is the site file's (and later the admin API's).
 */
export const registerRoutes: FastifyPluginAsyncTypebox<{ register: RegisterReading }> = async (
  app,
  { register },
) => {
  const list = (path: string, key: string, item: TSchema, summary: string, read: () => readonly unknown[]) =>
    app.get(
      `/api/v1/${path}`,
      {
        config: { access: 'staff' },
        schema: {
          summary,
          tags: ['register'],
          response: {
            200: Type.Object({ [key]: Type.Array(item) }, { additionalProperties: false }),
            ...AUTH_ERRORS.read,
            500: ERROR_RESPONSES[500],
          },
        },
      },
      async () => ({ [key]: [...read()] }),
    );
  list('zones', 'zones', Zone, 'The zones', () => register.allZones());
  list('rooms', 'rooms', Room, 'The rooms', () => register.allRooms());
  list('residents', 'residents', Resident, 'The residents', () => register.allResidents());
  list('devices', 'devices', Device, 'The devices, without their secrets', () => register.allDevices());
  list('staff', 'staff', Staff, 'The staff, without their secrets', () => register.allStaff());
  list('roster', 'roster', RosterEntry, 'The on-call roster', () => register.rosterEntries());
};
