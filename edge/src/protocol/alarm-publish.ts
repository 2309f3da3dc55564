import { channels } from './channels.js';
import { isAlarmEventType } from './device-messages.js';
import { parseTopic } from './topics.js';

const EVENT_LEAF = `/${channels.deviceEvent.leaf}`;

/**
 * The device whose alarm this publish is, if it is one: a device event whose JSON `type` is an
 * alarm type. Telemetry, heartbeats and status are told apart by the topic's last level, so the
 * thousands of messages a second that are not events are never parsed here. A payload that is
 * not JSON is no alarm here; the gateway's ingest judges it (and salvages what it can).
 */
export function alarmDeviceOf(topic: string, payload: Buffer | string): string | undefined {
  if (!topic.endsWith(EVENT_LEAF)) return undefined;
  const parsed = parseTopic(topic);
  if (parsed?.channel !== 'deviceEvent') return undefined;
  let type: unknown;
  try {
    type = (JSON.parse(payload.toString()) as { type?: unknown } | null)?.type;
  } catch {
    return undefined;
  }
  return isAlarmEventType(type) ? parsed.id : undefined;
}
