import { Counter, Gauge, type Registry } from 'prom-client';

/** What the serial module counts, on the gateway's registry; `port` is the configured path. */
export function serialMetrics(registry: Registry) {
  const reg = { registers: [registry] };
  return {
    linkUp: new Gauge({
      ...reg,
      name: 'careedge_serial_link_up',
      help: 'Whether a serial port is open (1) or not (0: unplugged, failing, being reopened).',
      labelNames: ['port'] as const,
    }),
    loggedIn: new Gauge({
      ...reg,
      name: 'careedge_serial_logged_in',
      help: 'Whether a base station has logged in on a serial port (1) or not (0).',
      labelNames: ['port'] as const,
    }),
    frames: new Counter({
      ...reg,
      name: 'careedge_serial_frames_total',
      help: 'Frames by port, direction (in, out), type and result (in: accepted, refused, login, ack, nack; out: sent, resent, dropped, given-up).',
      labelNames: ['port', 'direction', 'type', 'result'] as const,
    }),
    rejections: new Counter({
      ...reg,
      name: 'careedge_serial_rejections_total',
      help: 'Frames refused by port and reason: undecodable (bad-crc, oversize, unknown-type, bad-version, malformed; not acknowledged, so the base station sends them again) and refused with a NACK (not-logged-in, bad-login, unknown-device, not-via-this-base-station, wrong-direction).',
      labelNames: ['port', 'reason'] as const,
    }),
    bytes: new Counter({
      ...reg,
      name: 'careedge_serial_bytes_total',
      help: 'Bytes read (in) and written (out) by port.',
      labelNames: ['port', 'direction'] as const,
    }),
    reconnects: new Counter({
      ...reg,
      name: 'careedge_serial_reconnects_total',
      help: 'Times a serial port was opened again after it closed or failed to open.',
      labelNames: ['port'] as const,
    }),
    downlinksDropped: new Counter({
      ...reg,
      name: 'careedge_serial_downlinks_dropped_total',
      help: 'Downlinks not delivered, by reason (queue-full: too many while the base station was away; given-up: never acknowledged; refused: the base station answered NACK; write-queue-full: a frame the port could not take, sent again if unacknowledged).',
      labelNames: ['reason'] as const,
    }),
  };
}

export type SerialMetrics = ReturnType<typeof serialMetrics>;
