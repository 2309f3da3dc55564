import { type Static, type TLiteral, type TSchema, type TUnion, Type } from '@sinclair/typebox';

/** Identifiers used in topics: site, device and staff ids. MQTT wildcards and `/` are excluded. */
export const IdPattern = '^[A-Za-z0-9_-]{1,64}$';
export const Id = (description: string) => Type.String({ pattern: IdPattern, description });

/**
 * Fields every device-originated message carries. `seq` lets the gateway drop retransmissions
 * (QoS 1 redelivery, device retries) and notice gaps; `ts` tells a retransmission (same seq, same
 * ts) from a device that rebooted and restarted its counter (same seq, newer ts).
 */
export const Sequenced = {
  seq: Type.Integer({
    minimum: 0,
    maximum: 4_294_967_295,
    description:
      'Per-device sequence number: +1 for every message the device sends; restarts at 0 after a reboot.',
  }),
  ts: Type.Integer({
    minimum: 0,
    description: 'Device clock when the message was made, Unix epoch milliseconds.',
  }),
};

/** The values a union of literals allows, for code that checks or lists them outside Ajv. */
export const literalsOf = <T extends TLiteral[]>(union: TUnion<T>): Array<T[number]['const']> =>
  union.anyOf.map((m) => m.const);

export const Priority = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')], {
  description: 'Alarm priority after IEC 60601-1-8: high latches until acknowledged.',
});
export type Priority = Static<typeof Priority>;

/** The kinds of device the protocol knows; what each may send is in device-messages.ts. */
/**
 * `kiosk`: feedback kiosk (taps, and a "call staff" key that sends a `call` event) in a room;
 * `base-station`: a radio base station on USB serial that relays wristbands and kiosks (serial
 * protocol, docs/serial-protocol.md); it sends nothing on MQTT itself.
 */
export const DEVICE_KINDS = ['wristband', 'care-button', 'kiosk', 'base-station'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** A closed object: unknown properties are refused so that typos surface at the device, not in the data. */
export const Message = <P extends Record<string, TSchema>>(
  properties: P,
  options: { $id: string; description: string },
) => Type.Object(properties, { additionalProperties: false, ...options });
