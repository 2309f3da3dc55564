import type { RecordedMessage } from '@careedge/edge';

/**
 * One message a device sent, as the gateway would receive it: `ts` is when it arrived (for a last
 * will, when the broker published it; otherwise the device's own `payload.ts`), `payload` is
 * the wire payload of `channel` (edge's schemas; seq and ts included). The line format of the
 * gateway's own ingest recordings too (edge's `RecordedMessage`), so both replay the same way.
 */
export type HistoryMessage = RecordedMessage;

export const INCIDENT_KINDS = [
  'fall-no-motion',
  'daytime-inactivity',
  'late-rising',
  'night-wandering',
  'dead-battery',
  'band-off',
  'tachycardia',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/**
 * A labelled incident: what a rule should find. `startTs` is when the data first shows it,
 * `endTs` when it is over; an alert for this resident or device between `startTs` and
 * `startTs + deadlineS * 1000` detects it. `marks` name kind-specific moments (e.g.
 * `fallTs`, `batteryZeroTs`, `usualWakeTs`), epoch milliseconds.
 */
export interface Incident {
  id: string;
  kind: IncidentKind;
  residentId: string;
  deviceId: string;
  startTs: number;
  endTs: number;
  deadlineS: number;
  marks: Record<string, number>;
}

/**
 * An hour with no messages from a band that is not an incident (out of Wi-Fi range): the baseline
 * must survive it, and a device-offline alert inside it (from `fromTs` to `toTs` plus the
 * supervision delay) is expected, neither a detection nor a false alert.
 */
export interface Gap {
  residentId: string;
  deviceId: string;
  fromTs: number;
  toTs: number;
}
