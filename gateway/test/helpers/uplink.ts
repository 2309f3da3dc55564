import { readFileSync } from 'node:fs';
import { connect, type MqttClient } from 'mqtt';
import { onTestFinished } from 'vitest';
import type { DeepPartial } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { SECRET } from './forwarding.js';
import { type TestGateway, testGateway } from './gateway.js';
import { type Mosquitto, type MosquittoOptions, startMosquitto } from './mosquitto.js';

/** A real mosquitto for the current test, closed when it finishes. */
export async function mosquittoForTest(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const m = await startMosquitto(opts);
  onTestFinished(() => m.close());
  return m;
}

export interface Received {
  topic: string;
  text: string;
  body: Record<string, unknown> & { id: string; seq: number };
}

/**
 * The head office: a persistent session (clean: false, fixed client id) subscribed at QoS 1 to
 * every site's uplink, so the broker keeps what arrives while it reconnects after a restart.
 */
export async function headOffice(
  url: string,
  caFile?: string,
): Promise<{ client: MqttClient; received: Received[] }> {
  const received: Received[] = [];
  const client = connect(url, {
    clientId: 'head-office',
    clean: false,
    reconnectPeriod: 100,
    ...(caFile ? { ca: readFileSync(caFile) } : {}),
  });
  client.on('message', (topic, payload) => {
    const text = payload.toString();
    received.push({ topic, text, body: JSON.parse(text) });
  });
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync('careedge/uplink/v1/#', { qos: 1 });
  onTestFinished(() => client.endAsync(true));
  return { client, received };
}

/** A test gateway with the uplink on, short reconnect waits (on its fake clock). */
export async function uplinkGateway(
  url: string,
  uplink: DeepPartial<GatewayConfig['uplink']> = {},
  opts: { start?: number } = {},
): Promise<TestGateway> {
  const g = await testGateway(
    {
      forwarding: { residentKeySecret: SECRET },
      uplink: { url, retryMinMs: 20, retryMaxMs: 200, ...uplink },
    },
    opts,
  );
  onTestFinished(() => g.stop());
  return g;
}

/** Raises an SOS for a test resident and takes it through to resolved: five or six changes. */
export function sosCycle(
  g: TestGateway,
  who: { band: string; resident: string; room: string; zone: string; carer: string },
) {
  const { alert } = g.alerts.raise({
    kind: 'sos',
    priority: 'high',
    deviceId: who.band,
    residentId: who.resident,
    roomId: who.room,
    zoneId: who.zone,
    joins: ['sos'],
  });
  g.alerts.acknowledge(alert.id, who.carer);
  g.alerts.attend(alert.id, who.carer);
  g.alerts.resolve(alert.id, who.carer, 'assisted');
  return alert.id;
}

export const ROSE = { band: 'wb-1', resident: 'r1', room: 'n1', zone: 'north', carer: 'alice' };
export const ADA = { band: 'wb-3', resident: 'r3', room: 's1', zone: 'south', carer: 'dave' };
