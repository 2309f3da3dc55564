import { IdPattern } from '@careedge/edge';
import { Type } from '@sinclair/typebox';

const Ms = (def: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 3_600_000, default: def, description });

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
          baudRate: Type.Integer({
            minimum: 1200,
            maximum: 4_000_000,
            default: 115_200,
            description: 'Baud rate.',
          }),
          baseStation: Type.Optional(
            Type.String({
              pattern: IdPattern,
              description:
                'The base station (its device id in the site file) expected on this port; another one that logs in is refused. Absent: any base station of the site file may log in here.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      {
        default: [],
        description:
          'Serial ports to open, each `{ path, baudRate (115200), baseStation (optional) }`; empty: the serial module does not start.',
      },
    ),
    reconnectMinMs: Ms(
      500,
      'First wait before opening a port again after it closed (unplugged, failed); it doubles per failure, with jitter.',
    ),
    reconnectMaxMs: Ms(10_000, 'Longest wait between attempts to open a port.'),
    ackTimeoutMs: Ms(
      1000,
      'A downlink frame (reassurance, thank-you, configuration) not acknowledged by the base station within this is sent again (same linkSeq). Base stations are expected to do the same with their frames: retransmit an unacknowledged frame after about 1 s, at least 5 times, and keep alarms queued while the link is down, since the gateway acknowledges an alarm only once it is in the journal.',
    ),
    downlinkTries: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 5,
      description: 'Times a downlink frame is sent before it is given up (counted).',
    }),
    downlinkQueue: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 64,
      description:
        'Downlinks kept per base station while it is not logged in (port unplugged): a reassurance is worth keeping across a short unplug. Beyond this the oldest is dropped (counted).',
    }),
    writeQueue: Type.Integer({
      minimum: 1,
      maximum: 100_000,
      default: 256,
      description:
        'Frames held per port while the serial driver asks to wait (write backpressure); beyond this a frame is dropped (counted): an unacknowledged one is sent again.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Serial base stations and wired devices.' },
);

/** Rules between serial settings that the schema cannot state, as `path: message` lines. */
export function serialProblems(s: {
  ports: { path: string; baseStation?: string }[];
  reconnectMinMs: number;
  reconnectMaxMs: number;
}): string[] {
  const problems: string[] = [];
  if (s.reconnectMinMs > s.reconnectMaxMs)
    problems.push('serial.reconnectMinMs: must not be above serial.reconnectMaxMs');
  const paths = new Map<string, number>();
  const stations = new Map<string, number>();
  s.ports.forEach((p, i) => {
    const samePath = paths.get(p.path);
    if (samePath !== undefined)
      problems.push(`serial.ports[${i}].path: "${p.path}" is already serial.ports[${samePath}]`);
    else paths.set(p.path, i);
    if (p.baseStation === undefined) return;
    const sameStation = stations.get(p.baseStation);
    if (sameStation !== undefined)
      problems.push(
        `serial.ports[${i}].baseStation: "${p.baseStation}" is already expected on serial.ports[${sameStation}]`,
      );
    else stations.set(p.baseStation, i);
  });
  return problems;
}
