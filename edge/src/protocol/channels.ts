import type { Static, TSchema } from '@sinclair/typebox';
import { DeviceEvent, DeviceStatus, Heartbeat, Reassurance, WristbandTelemetry } from './device-messages.js';
import { DeviceConfiguration, KioskTap, KioskThanks, LocationReport } from './kiosk-messages.js';
import { GatewayState, HandsetMessage, HandsetReply, ReplyResult } from './staff-messages.js';

export const PROTOCOL_ROOT = 'careedge/v1';

/** Who publishes on a channel: a device or handset ("up", to the gateway) or the gateway ("down"). */
export type Direction = 'up' | 'down';
export type Party = 'device' | 'staff' | 'gateway';

export interface ChannelSpec {
  /** `careedge/v1/{siteId}/<party>/{id}/<leaf>`; the gateway's own channel has no id. */
  readonly party: Party;
  readonly leaf: string;
  readonly direction: Direction;
  readonly schema: TSchema;
  /** For unions: the property whose value picks the member schema (gives precise errors). */
  readonly discriminator?: string;
  readonly qos: 0 | 1;
  readonly retained: boolean;
  readonly description: string;
}

/** Every channel of wire protocol v1: the one source for topic parsing, validation and AsyncAPI. */
export const channels = {
  deviceTelemetry: {
    party: 'device',
    leaf: 'telemetry',
    direction: 'up',
    schema: WristbandTelemetry,
    qos: 1,
    retained: false,
    description: 'Wristband readings: heart rate, activity, skin contact, battery, signal.',
  },
  deviceEvent: {
    party: 'device',
    leaf: 'event',
    direction: 'up',
    schema: DeviceEvent,
    discriminator: 'type',
    qos: 1,
    retained: false,
    description: 'Wristband events (sos, fall, off-wrist) and care-button events (call, presence, cancel).',
  },
  deviceHeartbeat: {
    party: 'device',
    leaf: 'heartbeat',
    direction: 'up',
    schema: Heartbeat,
    qos: 1,
    retained: false,
    description: 'Periodic check-in carrying the interval until the next one.',
  },
  deviceStatus: {
    party: 'device',
    leaf: 'status',
    direction: 'up',
    schema: DeviceStatus,
    qos: 1,
    retained: true,
    description: 'online after connect; offline as the MQTT last will. Retained.',
  },
  deviceTap: {
    party: 'device',
    leaf: 'tap',
    direction: 'up',
    schema: KioskTap,
    qos: 1,
    retained: false,
    description: 'Feedback kiosk taps: a face and optionally a reason. Anonymous.',
  },
  deviceLocation: {
    party: 'device',
    leaf: 'location',
    direction: 'up',
    schema: LocationReport,
    qos: 1,
    retained: false,
    description: 'Where a wristband was last heard (room or zone), for night wandering.',
  },
  deviceReassurance: {
    party: 'device',
    leaf: 'reassure',
    direction: 'down',
    schema: Reassurance,
    qos: 1,
    retained: false,
    description: '"Help is coming" to the resident\'s device once staff acknowledged.',
  },
  deviceThanks: {
    party: 'device',
    leaf: 'thanks',
    direction: 'down',
    schema: KioskThanks,
    qos: 1,
    retained: false,
    description: 'Thank-you to the kiosk for each tap.',
  },
  deviceConfiguration: {
    party: 'device',
    leaf: 'config',
    direction: 'down',
    schema: DeviceConfiguration,
    qos: 1,
    retained: true,
    description: 'Settings for the device (intervals, kiosk reasons). Retained.',
  },
  staffDispatch: {
    party: 'staff',
    leaf: 'dispatch',
    direction: 'down',
    schema: HandsetMessage,
    discriminator: 'type',
    qos: 1,
    retained: false,
    description: "Alerts dispatched to this staff member's handset, and withdrawals of them.",
  },
  staffReply: {
    party: 'staff',
    leaf: 'reply',
    direction: 'up',
    schema: HandsetReply,
    discriminator: 'action',
    qos: 1,
    retained: false,
    description: 'What the carer does: received, ack, decline, arrived, resolve, handover.',
  },
  staffResult: {
    party: 'staff',
    leaf: 'result',
    direction: 'down',
    schema: ReplyResult,
    qos: 1,
    retained: false,
    description: "The gateway's answer to each reply, matched by `transaction` = the reply's `seq`.",
  },
  staffStatus: {
    party: 'staff',
    leaf: 'status',
    direction: 'up',
    schema: DeviceStatus,
    qos: 1,
    retained: true,
    description: 'Handset online / offline (last will). Retained.',
  },
  gatewayState: {
    party: 'gateway',
    leaf: 'state',
    direction: 'down',
    schema: GatewayState,
    qos: 1,
    retained: true,
    description: 'Gateway online / offline (last will). Retained.',
  },
} as const satisfies Record<string, ChannelSpec>;

export type ChannelKey = keyof typeof channels;
export const channelKeys = Object.keys(channels) as ChannelKey[];

/** The payload type of a channel, read off its schema: what may be published and what decodes. */
export type PayloadOf<C extends ChannelKey> = Static<(typeof channels)[C]['schema']>;

/** A payload with its channel; testing `channel` narrows `payload` to that channel's type. */
export type ChannelMessage<C extends ChannelKey = ChannelKey> = {
  [K in C]: { channel: K; payload: PayloadOf<K> };
}[C];

/** Omit applied to each member of a union on its own, so the discriminant survives. */
export type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The channels devices and handsets publish on, towards the gateway. */
export type UpChannel = {
  [K in ChannelKey]: (typeof channels)[K]['direction'] extends 'up' ? K : never;
}[ChannelKey];

export const isUpChannel = (key: ChannelKey): key is UpChannel => channels[key].direction === 'up';
