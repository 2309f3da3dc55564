import { type Static, Type } from '@sinclair/typebox';
import { type ChannelKey, channels, type PayloadOf } from '../protocol/channels.js';

/**
 * Serial link protocol v1 (docs/serial-protocol.md, generated from this folder): what travels
 * between a base station or wired kiosk and the gateway over a serial line.
 */
export const SERIAL_PROTOCOL_VERSION = 1;

/** Largest frame before SLIP escaping: header, id, link sequence, payload and CRC. */
export const MAX_FRAME_BYTES = 512;

/** Name → type byte. Link control below 0x10, device messages up from 0x10, down from 0x20. */
export const FRAME_TYPES = {
  hello: 0x01,
  ack: 0x02,
  nack: 0x03,
  telemetry: 0x10,
  event: 0x11,
  heartbeat: 0x12,
  status: 0x13,
  tap: 0x14,
  location: 0x15,
  reassurance: 0x20,
  thanks: 0x21,
  configuration: 0x22,
} as const;

export type FrameTypeName = keyof typeof FRAME_TYPES;
export const FRAME_TYPE_NAMES = Object.keys(FRAME_TYPES) as FrameTypeName[];

const NAME_OF_BYTE = new Map<number, FrameTypeName>(FRAME_TYPE_NAMES.map((n) => [FRAME_TYPES[n], n]));

/** The frame type a type byte stands for, if v1 knows it. */
export const frameTypeOfByte = (byte: number): FrameTypeName | undefined => NAME_OF_BYTE.get(byte);

/** Frame type → the MQTT channel whose payload (wire protocol v1) it carries, unchanged. */
export const FRAME_CHANNELS = {
  telemetry: 'deviceTelemetry',
  event: 'deviceEvent',
  heartbeat: 'deviceHeartbeat',
  status: 'deviceStatus',
  tap: 'deviceTap',
  location: 'deviceLocation',
  reassurance: 'deviceReassurance',
  thanks: 'deviceThanks',
  configuration: 'deviceConfiguration',
} as const satisfies Partial<Record<FrameTypeName, ChannelKey>>;

/** The frame types that carry a device message. */
export type MessageFrameName = keyof typeof FRAME_CHANNELS;
/** The channels a serial link carries. */
export type SerialChannel = (typeof FRAME_CHANNELS)[MessageFrameName];

const FRAME_OF_CHANNEL = new Map<ChannelKey, MessageFrameName>(
  (Object.keys(FRAME_CHANNELS) as MessageFrameName[]).map((n) => [FRAME_CHANNELS[n], n]),
);

/** The frame type that carries a channel's messages; undefined for channels a serial link does not carry. */
export function frameTypeForChannel<C extends SerialChannel>(
  channel: C,
): { [N in MessageFrameName]: (typeof FRAME_CHANNELS)[N] extends C ? N : never }[MessageFrameName];
export function frameTypeForChannel(channel: ChannelKey): MessageFrameName | undefined;
export function frameTypeForChannel(channel: ChannelKey): MessageFrameName | undefined {
  return FRAME_OF_CHANNEL.get(channel);
}

export const isMessageFrame = (type: FrameTypeName): type is MessageFrameName => type in FRAME_CHANNELS;

/** Device → gateway message frames (telemetry … location). */
export type UpFrameName = {
  [N in MessageFrameName]: (typeof channels)[(typeof FRAME_CHANNELS)[N]]['direction'] extends 'up'
    ? N
    : never;
}[MessageFrameName];
/** Gateway → device message frames (reassurance, thanks, configuration). */
export type DownFrameName = Exclude<MessageFrameName, UpFrameName>;
/** The payload a message frame carries: its channel's MQTT payload. */
export type FramePayload<N extends MessageFrameName> = PayloadOf<(typeof FRAME_CHANNELS)[N]>;

export const isDownFrame = (type: FrameTypeName): type is DownFrameName =>
  isMessageFrame(type) && channels[FRAME_CHANNELS[type]].direction === 'down';
export const isUpFrame = (type: FrameTypeName): type is UpFrameName =>
  isMessageFrame(type) && channels[FRAME_CHANNELS[type]].direction === 'up';

/**
 * A gateway that has no accepted hello on a link (it restarted, the port was reopened) answers
 * nothing, since NACK means "drop" and the frame may be an alarm. So a sender whose frame stays
 * unanswered after this many retransmissions says hello again before sending it once more.
 */
export const HELLO_AGAIN_AFTER_RETRANSMISSIONS = 2;

/** Every frame but ack and nack is answered with one of them; ack and nack are never answered. */
export const expectsAck = (type: FrameTypeName): boolean => type !== 'ack' && type !== 'nack';

export const HelloPayload = Type.Object(
  {
    secret: Type.String({
      minLength: 1,
      maxLength: 128,
      description:
        "The base station's secret from the site file; the gateway checks it before anything else.",
    }),
    firmware: Type.Optional(
      Type.String({ maxLength: 64, description: 'Firmware version, for the register.' }),
    ),
  },
  {
    $id: 'SerialHello',
    additionalProperties: false,
    description: 'Base station → gateway, first frame on a link: who is on the line (the frame deviceId).',
  },
);
export type HelloPayload = Static<typeof HelloPayload>;

export const AckPayload = Type.Object(
  {},
  {
    $id: 'SerialAck',
    additionalProperties: false,
    description: 'Receipt of the frame with the same deviceId and linkSeq: the sender forgets it.',
  },
);
export type AckPayload = Static<typeof AckPayload>;

export const NackPayload = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Why the frame was refused, in words (unknown device, not behind this base station…).',
    }),
  },
  {
    $id: 'SerialNack',
    additionalProperties: false,
    description:
      'Refusal of the frame with the same deviceId and linkSeq: the sender drops it, no retransmit.',
  },
);
export type NackPayload = Static<typeof NackPayload>;

/** The payload schemas of the link's own frames; device message payloads are the MQTT schemas. */
export const LINK_PAYLOADS = { hello: HelloPayload, ack: AckPayload, nack: NackPayload } as const;

/**
 * One frame. `payload` is a hello/ack/nack payload or, for a device message, the exact MQTT
 * payload of its channel (`FRAME_CHANNELS`), which the gateway's ingest validates.
 */
export interface SerialFrame {
  type: FrameTypeName;
  /** The device the frame is about: the base station in a hello, the device behind it otherwise. */
  deviceId: string;
  /** Sender's link sequence number (u32, per direction); an ack or nack repeats the answered one. */
  linkSeq: number;
  payload: Record<string, unknown>;
}

/** The ACK of a frame: its deviceId and linkSeq, an empty payload. */
export const ackFrame = (to: SerialFrame): SerialFrame => ({
  type: 'ack',
  deviceId: to.deviceId,
  linkSeq: to.linkSeq,
  payload: {},
});

/** The NACK of a frame: its deviceId and linkSeq, and why, in words. */
export const nackFrame = (to: SerialFrame, reason: string): SerialFrame => ({
  type: 'nack',
  deviceId: to.deviceId,
  linkSeq: to.linkSeq,
  payload: { reason } satisfies NackPayload,
});
