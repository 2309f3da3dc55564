import { topicFor } from '@careedge/edge';
import { connectAsync } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('MQTT access control through the running gateway', () => {
  let g: TestGateway;
  beforeEach(async () => {
    g = await testGateway();
  });
  afterEach(async () => {
    await g.stop();
  });

  const url = () => `mqtt://127.0.0.1:${g.gateway.mqttPort}`;

  it('refuses anonymous clients and wrong passwords [MQTT-3.1.4-3]', async () => {
    await expect(connectAsync(url(), { reconnectPeriod: 0 })).rejects.toThrow(
      /Not authorized|Bad username or password/i,
    );
    await expect(
      connectAsync(url(), { reconnectPeriod: 0, username: 'wb-1', password: 'not-the-secret' }),
    ).rejects.toThrow(/Not authorized|Bad username or password/i);
    expect(await g.metric('careedge_mqtt_denied_total', { kind: 'auth' })).toBe(2);
  });

  it('a device cannot raise an alarm as another device', async () => {
    const impostor = await g.device('wb-2');
    const alice = await g.handset('alice');
    // wb-2 tries to publish an SOS on wb-1's topic: the broker refuses it and closes the
    // connection without a PUBACK [MQTT-3.3.5-2], so the misbehaving device is visible.
    const closed = new Promise<void>((resolve) => impostor.client.once('close', () => resolve()));
    impostor.client.publish(
      topicFor('deviceEvent', 'testsite', 'wb-1'),
      JSON.stringify({ seq: 0, ts: 1, type: 'sos' }),
      {
        qos: 1,
      },
    );
    await closed;
    // Its own topic still works, and is the only alert raised.
    const own = await g.device('wb-2');
    await own.send('deviceEvent', { type: 'sos' });
    expect((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload.residentId).toBe('r2');
    expect(g.alerts.open().map((a) => a.deviceId)).toEqual(['wb-2']);
    expect(await g.metric('careedge_mqtt_denied_total', { kind: 'publish' })).toBe(1);
  });

  it("a handset cannot subscribe to another staff member's dispatches", async () => {
    const bob = await g.client('bob');
    // SUBACK return code 0x80 for a refused filter [MQTT-3.9.3-2]; MQTT.js reports it as an error.
    const grantedQos = (filter: string) =>
      bob.client.subscribeAsync(filter, { qos: 1 }).then(
        (g) => g.map((x) => x.qos),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted ?? [],
      );
    expect(await grantedQos(topicFor('staffDispatch', 'testsite', 'alice'))).toEqual([128]);
    expect(await grantedQos('careedge/v1/testsite/staff/+/dispatch')).toEqual([128]);
    expect(await grantedQos(topicFor('staffDispatch', 'testsite', 'bob'))).toEqual([1]);
    expect(await g.metric('careedge_mqtt_denied_total', { kind: 'subscribe' })).toBe(2);
  });
});
