import { Type } from '@sinclair/typebox';

/** Serial base stations and wired kiosks (gateway/src/serial/, docs/serial-protocol.md). */
export const SerialSettings = Type.Object(
  {
    ports: Type.Array(
      Type.Object(
        {
          path: Type.String({
            minLength: 1,
            description:
              'Serial device path; a /dev/serial/by-id/… path survives replugging into another socket.',
          }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Serial ports to open; empty: the serial module does not start.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Serial base stations and wired devices.' },
);
