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
    // wb-2 tries to publish an SOS on wb-1's topic; the broker refuses it.
    await impostor.client
      .publishAsync(
        topicFor('deviceEvent', 'testsite', 'wb-1'),
        JSON.stringify({ seq: 0, ts: 1, type: 'sos' }),
        {
          qos: 1,
        },
      )
      .catch(() => undefined);
    // Its own topic still works, and is the only alert raised.
    const own = await g.device('wb-2');
    await own.send('deviceEvent', { type: 'sos' });
    expect((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload.residentId).toBe('r2');
    expect(g.alerts.open().map((a) => a.deviceId)).toEqual(['wb-2']);
    expect(await g.metric('careedge_mqtt_denied_total', { kind: 'publish' })).toBe(1);
  });

  it("a handset cannot subscribe to another staff member's dispatches", async () => {
    const bob = await g.client('bob');
    const granted = await bob.client.subscribeAsync(topicFor('staffDispatch', 'testsite', 'alice'), {
      qos: 1,
    });
    expect(granted[0]?.qos).toBe(128);
    const wildcard = await bob.client.subscribeAsync('careedge/v1/testsite/staff/+/dispatch', { qos: 1 });
    expect(wildcard[0]?.qos).toBe(128);
    expect(await g.metric('careedge_mqtt_denied_total', { kind: 'subscribe' })).toBe(2);
  });
});
