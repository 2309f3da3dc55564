import { Priority } from '@careedge/edge';
import { Type } from '@sinclair/typebox';

/**
 * Heartbeat supervision (EN 50134): the `heartbeat-missed` rule's params, whose defaults these
 * settings give (one definition for both).
 */
export const SupervisionSettings = Type.Object(
  {
    missedHeartbeats: Type.Integer({
      minimum: 1,
      maximum: 10,
      default: 3,
      description:
        'A device heard from by no message for this many of its heartbeat intervals is offline (EN 50134 supervision). 3: one or two lost heartbeats are ordinary Wi-Fi (a roam, an access point restart); three in a row is a device that is not there.',
    }),
    graceS: Type.Integer({
      minimum: 0,
      maximum: 300,
      default: 10,
      description:
        'Added to the missed intervals before a device counts as offline, for network and clock jitter.',
    }),
    priority: {
      ...Priority,
      default: 'medium',
      description:
        'Priority of the device-offline alert: the resident cannot call for help until someone looks (IEC 60601-1-8 medium: prompt response).',
    },
  },
  { additionalProperties: false, default: {} },
);
