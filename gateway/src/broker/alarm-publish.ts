import { parseTopic } from '@careedge/edge';

const ALARMS: ReadonlySet<unknown> = new Set(['sos', 'fall', 'call']);

/**
 * Whether a publish is a device's alarm (an SOS, fall or call on its event topic). Parsed only
 * when a limit would refuse the message: an alarm is never refused for a rate.
 */
export function isAlarmPublish(topic: string, payload: Buffer | string): boolean {
  const parsed = parseTopic(topic);
  if (parsed?.channel !== 'deviceEvent') return false;
  try {
    return ALARMS.has((JSON.parse(payload.toString()) as { type?: unknown }).type);
  } catch {
    return false;
  }
}
