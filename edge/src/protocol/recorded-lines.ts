import type { ChannelMessage } from './channels.js';
import { validatePayload } from './decode.js';

/** The device channels a recording holds: what the gateway's rules see. */
export const RECORDED_CHANNELS = [
  'deviceTelemetry',
  'deviceEvent',
  'deviceHeartbeat',
  'deviceStatus',
] as const;
export type RecordedChannel = (typeof RECORDED_CHANNELS)[number];

/**
 * One device message as the gateway received it: `ts` is when it arrived (gateway time), `payload`
 * the wire payload of `channel` (seq and the device's own ts included). The one line format of the
 * gateway's ingest recordings and of firmware-sim's simulated histories (docs/ground-truth.md), so
 * either replays through the rules the same way.
 */
export type RecordedMessage = { ts: number; deviceId: string } & ChannelMessage<RecordedChannel>;

/** One JSON line, without its newline: `{"ts":…,"deviceId":…,"channel":…,"payload":{…}}`. */
export function formatRecordedLine(m: RecordedMessage): string {
  return JSON.stringify({ ts: m.ts, deviceId: m.deviceId, channel: m.channel, payload: m.payload });
}

/**
 * Reads back one line, checked against the edge schemas: the inverse of formatRecordedLine.
 * Throws naming `where` (file:line) and what is wrong.
 */
export function parseRecordedLine(line: string, where = 'line'): RecordedMessage {
  let value: Partial<RecordedMessage>;
  try {
    value = JSON.parse(line) as Partial<RecordedMessage>;
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  const { ts, deviceId, channel } = value ?? {};
  if (
    typeof ts !== 'number' ||
    typeof deviceId !== 'string' ||
    !(RECORDED_CHANNELS as readonly unknown[]).includes(channel)
  )
    throw new Error(
      `${where}: needs ts (number), deviceId (string) and a device channel (${RECORDED_CHANNELS.join(', ')})`,
    );
  const decoded = validatePayload(channel as RecordedChannel, value.payload);
  if (!decoded.ok) throw new Error(`${where}: ${channel} payload: ${decoded.errors.join('; ')}`);
  return value as RecordedMessage;
}
