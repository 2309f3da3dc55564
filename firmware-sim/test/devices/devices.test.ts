import { decodePayload, parseTopic, topicFor } from '@careedge/edge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CareButton } from '../../src/devices/care-button.js';
import { Wristband } from '../../src/devices/wristband.js';
import { seededRandom } from '../../src/random.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { type FakeClock, fakeClock } from '../helpers/fake-clock.js';
import { type Observed, Observer } from '../helpers/observer.js';

const SITE = 'testsite';
const fromDevice = (id: string) => (m: Observed) => parseTopic(m.topic)?.id === id;

/** Every message must pass the same schema check the gateway applies. */
function expectValid(m: Observed) {
  const parsed = parseTopic(m.topic);
  expect(parsed, `topic ${m.topic}`).toBeDefined();
  const decoded = decodePayload(parsed!.channel, m.payload);
  expect(decoded.ok ? [] : decoded.errors, `${m.topic} ${m.payload}`).toEqual([]);
}

describe('simulated devices on a real broker', () => {
  let broker: TestBroker;
  let observer: Observer;
  let clock: FakeClock;
  const closers: (() => unknown)[] = [];

  beforeEach(async () => {
    broker = await startBroker();
    observer = await Observer.start(broker.url, `careedge/v1/${SITE}/device/#`);
    clock = fakeClock();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await observer.close();
    await broker.close();
  });

  function wristband(id = 'wb-1', heartbeatS: number | false = false) {
    // Seeded: the readings differ from call to call but every run is the same.
    const random = seededRandom(42);
    const band = new Wristband({
      url: broker.url,
      siteId: SITE,
      id,
      secret: 's3cret-s3cret-123',
      clock,
      heartbeatS,
      random,
    });
    closers.push(() => band.close());
    return band;
  }

  it('wristband messages validate against the protocol schemas and carry seq +1 and the clock ts', async () => {
    const band = wristband();
    await band.connect();
    await band.telemetry();
    clock.tick(1000);
    await band.telemetry({ heartRateBpm: 72 });
    await band.sos();
    await band.fall(0.9);
    await band.offWrist();
    await band.telemetry();

    const got = await observer.waitForCount(fromDevice('wb-1'), 7, 'seven wristband messages');
    for (const m of got) expectValid(m);
    expect(got.map((m) => parseTopic(m.topic)!.channel)).toEqual([
      'deviceStatus',
      'deviceTelemetry',
      'deviceTelemetry',
      'deviceEvent',
      'deviceEvent',
      'deviceEvent',
      'deviceTelemetry',
    ]);
    // seq 0 went into the last will registered with the CONNECT; `online` is the first published.
    expect(got.map((m) => m.json.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const start = Date.UTC(2025, 0, 6, 9, 0, 0);
    expect(got.map((m) => m.json.ts)).toEqual([
      start,
      start,
      start + 1000,
      start + 1000,
      start + 1000,
      start + 1000,
      start + 1000,
    ]);
    expect(got[0]!.json).toMatchObject({ state: 'online' });
    expect(got[2]!.json.heartRateBpm).toBe(72);
    expect(got[4]!.json).toMatchObject({ type: 'fall', confidence: 0.9 });
    // Off the wrist: worn false and no heart rate (the schema's rule for an unworn band).
    expect(got[6]!.json.worn).toBe(false);
    expect(got[6]!.json).not.toHaveProperty('heartRateBpm');
  });

  it('care button call / presence / cancel validate and are sequenced', async () => {
    const button = new CareButton({
      url: broker.url,
      siteId: SITE,
      id: 'btn-1',
      secret: 'x'.repeat(16),
      clock,
      heartbeatS: false,
    });
    closers.push(() => button.close());
    await button.connect();
    await button.presence(true);
    await button.call('pull-cord');
    await button.cancel();
    await button.presence(false);
    const got = await observer.waitForCount(fromDevice('btn-1'), 5);
    for (const m of got) expectValid(m);
    expect(got.slice(1).map((m) => m.json)).toMatchObject([
      { type: 'presence', on: true, seq: 2 },
      { type: 'call', source: 'pull-cord', seq: 3 },
      { type: 'cancel', seq: 4 },
      { type: 'presence', on: false, seq: 5 },
    ]);
    expect(button.presenceSet).toBe(false);
  });

  it('heartbeats go out at the configured interval on the injected clock', async () => {
    const band = wristband('wb-hb', 30);
    await band.connect();
    const isHeartbeat = (m: Observed) => m.topic === topicFor('deviceHeartbeat', SITE, 'wb-hb');
    await observer.waitForCount(isHeartbeat, 1, 'the heartbeat sent on connect');
    clock.tick(29_999);
    // The 30 s timer has not fired: the device has still sent exactly one heartbeat.
    expect(band.nextSeq).toBe(3);
    clock.tick(1);
    const beats = await observer.waitForCount(isHeartbeat, 2, 'the second heartbeat');
    for (const m of beats) expectValid(m);
    expect(beats.map((m) => m.json)).toMatchObject([
      { intervalS: 30, uptimeS: 0 },
      { intervalS: 30, uptimeS: 30 },
    ]);
  });

  it('an abrupt disconnect makes the broker publish the retained offline last will', async () => {
    const band = wristband('wb-will');
    await band.connect();
    await band.telemetry();
    band.kill();
    const will = await observer.waitFor(
      (m) => m.topic === topicFor('deviceStatus', SITE, 'wb-will') && m.json.state === 'offline',
      'the offline will',
    );
    expectValid(will);
    expect(will.json.seq).toBe(0);

    // Retained: a client subscribing afterwards (the gateway after a restart) still learns it.
    const late = await Observer.start(broker.url, topicFor('deviceStatus', SITE, 'wb-will'));
    const retained = await late.waitFor(() => true, 'the retained status');
    await late.close();
    expect(retained.retain).toBe(true);
    expect(retained.json.state).toBe('offline');
  });

  it('a clean close publishes a retained offline itself (no will on a normal DISCONNECT)', async () => {
    const band = wristband('wb-bye');
    await band.connect();
    await band.close();
    const statuses = await observer.waitForCount(
      (m) => m.topic === topicFor('deviceStatus', SITE, 'wb-bye'),
      2,
    );
    expect(statuses.map((m) => [m.json.state, m.json.seq])).toEqual([
      ['online', 1],
      ['offline', 2],
    ]);
  });

  it('emits the reassurance the gateway sends to the device', async () => {
    const band = wristband('wb-r');
    await band.connect();
    const heard = new Promise((resolve) => band.once('reassurance', resolve));
    const msg = {
      ts: clock.now(),
      alertId: 7,
      kind: 'help-coming',
      staffFirstName: 'Anna',
      text: 'Help is coming — Anna',
    };
    await observer.publish(topicFor('deviceReassurance', SITE, 'wb-r'), msg);
    expect(await heard).toEqual(msg);
  });
});
