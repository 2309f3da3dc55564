import { filterFor, topicFor } from '@careedge/edge';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type DeniedEvent, startEmbeddedBroker } from '../src/broker/index.js';
import { openRegister } from '../src/register/register.js';
import { openTempDatabase } from './helpers/tmp.js';

const examplePath = new URL('../sites/example.yaml', import.meta.url).pathname;
const SITE = 'sunrise';
const GATEWAY_SECRET = 'test-gateway-secret-0123456789';

/** Resolves when `check` holds; the deadline only turns "never" into a clear failure. */
async function eventually(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The SUBACK return codes for a SUBSCRIBE of `filters`, one per filter. MQTT.js rejects the whole
 * call when any code is a failure, carrying the SUBACK packet on the error.
 */
async function subackCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (!granted) throw err;
    return granted;
  }
}

/** A real broker on an ephemeral port, authenticating against the example site's register. */
async function startTestBroker() {
  const { db } = openTempDatabase();
  const register = openRegister(db, examplePath);
  const denied: DeniedEvent[] = [];
  const broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    siteId: SITE,
    gatewaySecret: GATEWAY_SECRET,
    authenticate: (u, p) => register.authenticate(u, p),
    isLogin: (id) => register.isLogin(id),
    onDenied: (e) => denied.push(e),
  });
  const clients: MqttClient[] = [];
  onTestFinished(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker.close();
  });

  /** A real MQTT.js client over TCP, with a log of what it received and whether it was closed. */
  const connect = async (
    username: string | undefined,
    password: string | undefined,
    extra: IClientOptions = {},
  ) => {
    const client = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      // Client ids are bound to the login: `<login>` or `<login>-<suffix>`.
      clientId: `${username ?? 'anonymous'}-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      ...extra,
    });
    clients.push(client);
    const received: { topic: string; payload: string }[] = [];
    client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    let closed = false;
    client.on('close', () => {
      closed = true;
    });
    return { client, received, isClosed: () => closed };
  };
  const gateway = () => connect('gateway', GATEWAY_SECRET);
  /** The CONNACK return code a refused login gets. */
  const refusedWith = async (username?: string, password?: string, extra: IClientOptions = {}) => {
    const err = await connect(username, password, extra).then(
      () => undefined,
      (e: unknown) => e as { code?: number },
    );
    expect(err, 'the connection was accepted').toBeDefined();
    return err!.code;
  };
  return { broker, denied, connect, gateway, refusedWith };
}

describe('embedded broker: CONNECT', () => {
  it('refuses an anonymous client with CONNACK 0x05 and reports it', async () => {
    const t = await startTestBroker();
    expect(await t.refusedWith(undefined, undefined, { clientId: 'anon-1' })).toBe(5);
    expect(t.denied).toEqual([
      {
        kind: 'auth',
        clientId: 'anon-1',
        source: expect.stringContaining('127.0.0.1'),
        reason: 'no username: anonymous clients are not allowed',
      },
    ]);
  });

  it('refuses a wrong password with CONNACK 0x04, for devices, handsets and the gateway login', async () => {
    const t = await startTestBroker();
    expect(await t.refusedWith('wb-101', 'demo-wb-102-secret', { clientId: 'c1' })).toBe(4);
    expect(await t.refusedWith('anna', 'wrong-password-123')).toBe(4);
    expect(await t.refusedWith('gateway', 'demo-wb-101-secret')).toBe(4);
    expect(await t.refusedWith('nobody', 'demo-wb-101-secret')).toBe(4);
    expect(t.denied[0]).toEqual({
      kind: 'auth',
      clientId: 'c1',
      source: expect.stringContaining('127.0.0.1'),
      username: 'wb-101',
      reason: 'wrong username or password',
    });
    expect(t.denied.map((d) => d.username)).toEqual(['wb-101', 'anna', 'gateway', 'nobody']);
    // The right secrets get in.
    const ok = await t.connect('wb-101', 'demo-wb-101-secret');
    expect(ok.client.connected).toBe(true);
    expect((await t.gateway()).client.connected).toBe(true);
  });

  it("refuses a last will on another device's topic at CONNECT (0x05), and publishes an own will", async () => {
    const t = await startTestBroker();
    const gw = await t.gateway();
    await gw.client.subscribeAsync(filterFor('deviceStatus', SITE), { qos: 1 });
    const forgedWill = {
      topic: topicFor('deviceStatus', SITE, 'wb-102'),
      payload: Buffer.from('offline'),
      qos: 1 as const,
      retain: true,
    };
    expect(await t.refusedWith('wb-101', 'demo-wb-101-secret', { will: forgedWill })).toBe(5);
    expect(t.denied.at(-1)).toMatchObject({
      kind: 'auth',
      username: 'wb-101',
      reason: expect.stringMatching(/^last will on .*wb-102/),
    });

    const ownWill = { ...forgedWill, topic: topicFor('deviceStatus', SITE, 'wb-101') };
    const device = await t.connect('wb-101', 'demo-wb-101-secret', { will: ownWill });
    device.client.stream.destroy(); // battery pulled: no DISCONNECT, so the broker publishes the will
    await eventually('the will', () => gw.received.length > 0);
    expect(gw.received).toEqual([{ topic: ownWill.topic, payload: 'offline' }]);
  });

  it("refuses a client id that is another login's (0x02), connected or not, and keeps that login's connection", async () => {
    const t = await startTestBroker();
    // The squat: a wristband connecting first with the id Anna's handset uses.
    expect(await t.refusedWith('wb-101', 'demo-wb-101-secret', { clientId: 'anna-phone' })).toBe(2);
    expect(t.denied.at(-1)).toMatchObject({
      kind: 'auth',
      clientId: 'anna-phone',
      username: 'wb-101',
      reason: 'client id "anna-phone" is not "wb-101" or "wb-101-<suffix>"',
    });
    const anna = await t.connect('anna', 'demo-anna-handset', { clientId: 'anna-phone' });
    await anna.client.subscribeAsync(topicFor('staffDispatch', SITE, 'anna'), { qos: 1 });
    expect(await t.refusedWith('wb-101', 'demo-wb-101-secret', { clientId: 'anna-phone' })).toBe(2);
    expect(await t.refusedWith('wb-101', 'demo-wb-101-secret', { clientId: 'handset-7' })).toBe(2);
    expect(await t.refusedWith('anna', 'demo-anna-handset', { clientId: 'wb-101' })).toBe(2);
    // A login's own ids are fine: exactly its id, or its id and a suffix.
    await t.connect('wb-101', 'demo-wb-101-secret', { clientId: 'wb-101' });
    await t.connect('ben', 'demo-ben-handset', { clientId: 'ben-tablet-2' });

    const gw = await t.gateway();
    await gw.client.publishAsync(topicFor('staffDispatch', SITE, 'anna'), 'still here', { qos: 1 });
    await eventually('the dispatch', () => anna.received.length > 0);
    expect(anna.isClosed()).toBe(false);
  });

  it('binds a client id to the longest login it starts with', async () => {
    const { clientIdLogin } = await import('../src/broker/client-ids.js');
    const logins = new Set(['anna', 'anna-phone', 'wb-1']);
    const owner = (id: string) => clientIdLogin(id, (l) => logins.has(l));
    expect(owner('anna')).toBe('anna');
    expect(owner('anna-7')).toBe('anna');
    expect(owner('anna-phone')).toBe('anna-phone');
    expect(owner('anna-phone-2')).toBe('anna-phone');
    expect(owner('wb-1-x')).toBe('wb-1');
    expect(owner('wb-10')).toBeUndefined();
    expect(owner('annabel')).toBeUndefined();
    expect(owner('-anna')).toBeUndefined();
  });
});

describe('embedded broker: a faulty authenticate callback', () => {
  it('answers 0x03 when it throws and refuses a gateway principal it hands out', async () => {
    const broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      siteId: SITE,
      gatewaySecret: GATEWAY_SECRET,
      authenticate: (username) => {
        if (username === 'boom') throw new Error('register unavailable');
        return { kind: 'gateway' };
      },
      isLogin: () => true,
    });
    onTestFinished(() => broker.close());
    const codeOf = (username: string) =>
      connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username, password: 'x', reconnectPeriod: 0 }).then(
        async (c) => {
          await c.endAsync(true);
          return 0;
        },
        (e: { code?: number }) => e.code,
      );
    expect(await codeOf('boom')).toBe(3);
    expect(await codeOf('sneaky')).toBe(4);
  });
});

describe('embedded broker: PUBLISH', () => {
  it("does not deliver a device's publish on another device's event topic; its own topic is", async () => {
    const t = await startTestBroker();
    const gw = await t.gateway();
    await gw.client.subscribeAsync(filterFor('deviceEvent', SITE), { qos: 1 });
    const wb101 = await t.connect('wb-101', 'demo-wb-101-secret');
    const wb102 = await t.connect('wb-102', 'demo-wb-102-secret');

    await wb101.client.publishAsync(topicFor('deviceEvent', SITE, 'wb-101'), 'own sos', { qos: 1 });
    wb101.client.publish(topicFor('deviceEvent', SITE, 'wb-102'), 'forged sos', { qos: 1 }, () => {});
    // [MQTT-3.3.5-2]: aedes answers an unauthorised PUBLISH by closing the connection.
    await eventually('the forging device to be disconnected', wb101.isClosed);
    // A later message from the real wb-102: once it is in, a delivered forgery would be too.
    await wb102.client.publishAsync(topicFor('deviceEvent', SITE, 'wb-102'), 'real event', { qos: 1 });
    await eventually('the real event', () => gw.received.length >= 2);

    expect(gw.received).toEqual([
      { topic: topicFor('deviceEvent', SITE, 'wb-101'), payload: 'own sos' },
      { topic: topicFor('deviceEvent', SITE, 'wb-102'), payload: 'real event' },
    ]);
    expect(t.denied).toEqual([
      {
        kind: 'publish',
        clientId: wb101.client.options.clientId,
        username: 'wb-101',
        topic: topicFor('deviceEvent', SITE, 'wb-102'),
        reason: 'device "wb-101" may not publish on the topic of device "wb-102"',
      },
    ]);
  });

  it('refuses, closing the connection, an SOS on a malformed variant of an event topic, and delivers none', async () => {
    const t = await startTestBroker();
    const gw = await t.gateway();
    await gw.client.subscribeAsync('#', { qos: 1 }); // a malformed topic would match no narrower filter
    const own = topicFor('deviceEvent', SITE, 'wb-101');
    const variants = [
      `${own}/`,
      `/${own}`,
      own.replace('/wb-101/', '/wb-101//'),
      own.replace('careedge/v1/', 'careedge/v1//'),
      own.replace('careedge/v1/', 'careedge/v1/careedge/v1/'),
      `${own}/event`,
      own.replace('/device/', '/gateway/'),
      own.replace('wb-101', 'wb-101\u00e9'),
      own.replace('wb-101', 'wb-101\u0000'),
      own.replace('wb-101', 'w'.repeat(65)), // one over the id limit
    ];
    for (const topic of variants) {
      const wb101 = await t.connect('wb-101', 'demo-wb-101-secret');
      wb101.client.publish(topic, JSON.stringify({ seq: 1, ts: 1, type: 'sos' }), { qos: 1 }, () => {});
      await eventually(`the device to be disconnected for ${JSON.stringify(topic)}`, wb101.isClosed);
    }
    const wb101 = await t.connect('wb-101', 'demo-wb-101-secret');
    await wb101.client.publishAsync(own, 'own sos', { qos: 1 });
    await eventually('the own SOS', () => gw.received.length >= 1);

    expect(gw.received).toEqual([{ topic: own, payload: 'own sos' }]);
    expect(t.denied.map((d) => d.topic)).toEqual(variants);
    expect(new Set(t.denied.map((d) => d.reason))).toEqual(
      new Set(['device "wb-101" may publish only on wire protocol v1 topics']),
    );
  });

  it('refuses a retained event (it would replay to every new subscriber)', async () => {
    const t = await startTestBroker();
    const device = await t.connect('btn-101', 'demo-btn-101-secret');
    device.client.publish(
      topicFor('deviceEvent', SITE, 'btn-101'),
      'call',
      { qos: 1, retain: true },
      () => {},
    );
    await eventually('the device to be disconnected', device.isClosed);
    expect(t.denied.map((d) => d.reason)).toEqual(['deviceEvent messages may not be retained']);

    const gw = await t.gateway();
    await gw.client.subscribeAsync(filterFor('deviceEvent', SITE), { qos: 1 });
    await gw.client.subscribeAsync(topicFor('gatewayState', SITE), { qos: 1 });
    await gw.client.publishAsync(topicFor('gatewayState', SITE), 'online', { qos: 1 });
    await eventually('the gateway state', () => gw.received.length > 0);
    expect(gw.received.map((m) => m.payload)).toEqual(['online']); // no retained "call"
  });
});

describe('embedded broker: SUBSCRIBE', () => {
  it("answers a handset's subscription to another staff member's dispatch with 0x80, and it receives nothing", async () => {
    const t = await startTestBroker();
    const anna = await t.connect('anna', 'demo-anna-handset');
    const codes = await subackCodes(anna.client, [
      topicFor('staffDispatch', SITE, 'ben'),
      topicFor('staffDispatch', SITE, 'anna'),
    ]);
    // [MQTT-3.8.4-5]: one return code per filter, in order; 0x80 = Failure.
    expect(codes).toEqual([0x80, 1]);
    expect(t.denied).toEqual([
      {
        kind: 'subscribe',
        clientId: anna.client.options.clientId,
        username: 'anna',
        topic: topicFor('staffDispatch', SITE, 'ben'),
        reason:
          'staff "anna" may subscribe only to its own dispatch and result topics and the gateway state topic',
      },
    ]);

    const gw = await t.gateway();
    await gw.client.publishAsync(topicFor('staffDispatch', SITE, 'ben'), 'for ben', { qos: 1 });
    await gw.client.publishAsync(topicFor('staffDispatch', SITE, 'anna'), 'for anna', { qos: 1 });
    // Same publisher, same subscriber: had "for ben" been delivered, it would have come first.
    await eventually('the dispatch for anna', () => anna.received.length > 0);
    expect(anna.received).toEqual([{ topic: topicFor('staffDispatch', SITE, 'anna'), payload: 'for anna' }]);
    expect(anna.isClosed()).toBe(false);
  });

  it('refuses wildcard subscriptions by a device', async () => {
    const t = await startTestBroker();
    const device = await t.connect('wb-101', 'demo-wb-101-secret');
    const codes = await subackCodes(device.client, [
      '#',
      filterFor('deviceReassurance', SITE),
      topicFor('deviceReassurance', SITE, 'wb-101'),
    ]);
    expect(codes).toEqual([0x80, 0x80, 1]);
    expect(t.denied.map((d) => [d.kind, d.topic])).toEqual([
      ['subscribe', '#'],
      ['subscribe', filterFor('deviceReassurance', SITE)],
    ]);

    const gw = await t.gateway();
    await gw.client.publishAsync(topicFor('deviceReassurance', SITE, 'wb-102'), 'not yours', { qos: 1 });
    await gw.client.publishAsync(topicFor('deviceReassurance', SITE, 'wb-101'), 'help is coming', { qos: 1 });
    await eventually('the reassurance', () => device.received.length > 0);
    expect(device.received.map((m) => m.payload)).toEqual(['help is coming']);
  });

  it('lets the gateway subscribe with wildcards and receive from devices and handsets', async () => {
    const t = await startTestBroker();
    const gw = await t.gateway();
    expect(
      await subackCodes(gw.client, [filterFor('deviceTelemetry', SITE), `careedge/v1/${SITE}/staff/#`]),
    ).toEqual([1, 1]);
    const device = await t.connect('wb-203', 'demo-wb-203-secret');
    const handset = await t.connect('farah', 'demo-farah-handset');
    await device.client.publishAsync(topicFor('deviceTelemetry', SITE, 'wb-203'), 't', { qos: 1 });
    await handset.client.publishAsync(topicFor('staffReply', SITE, 'farah'), 'r', { qos: 1 });
    await eventually('both messages', () => gw.received.length >= 2);
    expect(gw.received.map((m) => m.topic).sort()).toEqual(
      [topicFor('deviceTelemetry', SITE, 'wb-203'), topicFor('staffReply', SITE, 'farah')].sort(),
    );
    expect(t.denied).toEqual([]);
  });
});

describe('embedded broker: lifecycle', () => {
  it('will not start with a short gateway secret (anyone could log in as the gateway)', async () => {
    await expect(
      startEmbeddedBroker({
        host: '127.0.0.1',
        port: 0,
        siteId: SITE,
        gatewaySecret: '',
        authenticate: () => undefined,
        isLogin: () => false,
      }),
    ).rejects.toThrow(/gatewaySecret/);
  });

  it('listens on an ephemeral port and closes with its clients', async () => {
    const t = await startTestBroker();
    expect(t.broker.port).toBeGreaterThan(0);
    const device = await t.connect('wb-101', 'demo-wb-101-secret');
    await t.broker.close();
    await eventually('the client to be disconnected', device.isClosed);
    await expect(t.connect('wb-101', 'demo-wb-101-secret')).rejects.toThrow();
  });
});

describe('embedded broker: retained messages', () => {
  it('hands a new subscriber the retained message of an exact topic or of a wildcard filter, and none once it is cleared', async () => {
    const t = await startTestBroker();
    const state = topicFor('gatewayState', SITE);
    const status = (id: string) => topicFor('deviceStatus', SITE, id);
    const gw = await t.gateway();
    await gw.client.publishAsync(state, 'online', { qos: 1, retain: true });
    await gw.client.publishAsync(status('wb-101'), 'online', { qos: 1, retain: true });
    await gw.client.publishAsync(status('wb-102'), 'offline', { qos: 1, retain: true });

    // [MQTT-3.3.1-6]: a new subscription gets the retained message of each matching topic.
    const exact = await t.gateway();
    await exact.client.subscribeAsync([state, status('wb-102')], { qos: 1 });
    await eventually('both retained messages', () => exact.received.length === 2);
    expect(exact.received.map((m) => m.payload).sort()).toEqual(['offline', 'online']);

    const wildcard = await t.gateway();
    await wildcard.client.subscribeAsync(filterFor('deviceStatus', SITE), { qos: 1 });
    await eventually('the retained statuses', () => wildcard.received.length === 2);
    expect(wildcard.received.map((m) => m.topic).sort()).toEqual([status('wb-101'), status('wb-102')]);

    // [MQTT-3.3.1-10]: an empty retained payload clears the topic's retained message.
    await gw.client.publishAsync(state, '', { qos: 1, retain: true });
    await gw.client.publishAsync(status('wb-101'), 'later', { qos: 1, retain: true });
    const late = await t.gateway();
    await late.client.subscribeAsync([state, status('wb-101')], { qos: 1 });
    await eventually('the replaced status', () => late.received.length > 0);
    await gw.client.publishAsync(state, 'marker', { qos: 1 }); // not retained: comes after any retained
    await eventually('the marker', () => late.received.some((m) => m.payload === 'marker'));
    expect(late.received.map((m) => m.payload)).toEqual(['later', 'marker']);
  });
});
