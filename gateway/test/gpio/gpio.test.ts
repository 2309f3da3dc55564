import { afterEach, describe, expect, it } from 'vitest';
import type { DeepPartial } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { FakePinBank } from '../../src/gpio/fake-pins.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

/**
 * GPIO buttons, dome lights and buzzers in the real gateway (broker, SQLite, handsets over MQTT)
 * with a fake pin bank and fake time.
 */
const BUTTON = 17; // btn-n1, room n1
const LIGHT = 22; // dome light above n1's door, one lamp
const BUZZER = 23; // buzzer for n1
const CORRIDOR = 24; // corridor light of zone north
const SOUTH = 25; // corridor light of zone south

const gpio = (over: DeepPartial<GatewayConfig['gpio']> = {}): DeepPartial<GatewayConfig> => ({
  gpio: {
    inputs: [{ pin: BUTTON, device: 'btn-n1' }],
    outputs: [
      { pin: LIGHT, kind: 'dome-light', room: 'n1' },
      { pin: BUZZER, kind: 'buzzer', room: 'n1' },
      { pin: CORRIDOR, kind: 'dome-light', zone: 'north' },
      { pin: SOUTH, kind: 'dome-light', zone: 'south' },
    ],
    ...over,
  } as DeepPartial<GatewayConfig['gpio']>,
});

/** Gaps between the times an output went on, from `from`. */
const periods = (ons: number[]) => ons.slice(1).map((t, i) => t - ons[i]!);

describe('GPIO module', () => {
  let g: TestGateway;
  let pins: FakePinBank;
  afterEach(async () => {
    await g.stop();
  });

  const start = async (over: DeepPartial<GatewayConfig> = gpio()) => {
    g = await testGateway(over, { pins: (clock) => (pins = new FakePinBank(() => clock.now())) });
  };
  /** Lets a press go through the journal's commit and ingest (real I/O, not timers). */
  const flush = async () => {
    for (let i = 0; i < 3; i++) await g.settled();
  };
  /** Holds the button for `ms`, releases it, and lets the gateway handle it. */
  const press = async (ms = 200, pin = BUTTON) => {
    pins.in(pin).set(1);
    await g.tick(ms);
    pins.in(pin).set(0);
    await g.tick(60);
    await flush();
  };
  const open = (kind?: string) => g.alerts.open().filter((a) => !kind || a.kind === kind);
  const light = () => pins.out(LIGHT);
  /** A carer takes the alert, arrives and resolves it. */
  const close = (id: number) => {
    g.alerts.acknowledge(id, 'alice');
    g.alerts.attend(id, 'alice');
    g.alerts.resolve(id, 'alice', 'assisted');
  };

  it('a press raises a call for the button’s room, written ahead to the journal, and the handset gets it as from MQTT', async () => {
    await start();
    const alice = await g.handset('alice');
    await press();
    const d = (await alice.next(onTopic('dispatch', { kind: 'call' }))).payload;
    expect(g.alerts.get(d.alertId as number)).toMatchObject({
      kind: 'call',
      priority: 'medium',
      deviceId: 'btn-n1',
      roomId: 'n1',
      zoneId: 'north',
    });
    expect(await g.metric('careedge_alarm_journal_records_total', { result: 'ok' })).toBe(1);
    expect(g.gateway.context.alertStore.audit(d.alertId as number)[0]?.detail).toMatchObject({
      source: 'button',
    });
  });

  it('bouncing contacts give one call; a pull cord says so', async () => {
    await start(gpio({ inputs: [{ pin: BUTTON, device: 'btn-n1', source: 'pull-cord' }] }));
    const contact = pins.in(BUTTON);
    for (const level of [1, 0, 1, 0, 1, 0, 1] as const) {
      contact.set(level);
      await g.tick(4);
    }
    await g.tick(300);
    for (const level of [0, 1, 0, 1, 0] as const) {
      contact.set(level);
      await g.tick(3);
    }
    await g.tick(100);
    await flush();
    expect(open('call')).toHaveLength(1);
    expect(open('call')[0]!.count).toBe(1);
    const events = (result: string) =>
      g.metric('careedge_ingest_messages_total', { channel: 'deviceEvent', result });
    expect(await events('accepted')).toBe(1);
    expect(await events('duplicate')).toBe(0);
    expect(g.gateway.context.alertStore.audit(open('call')[0]!.id)[0]?.detail).toMatchObject({
      source: 'pull-cord',
    });
  });

  it('a long press cancels the room’s call; with no call open a long press is a call', async () => {
    await start();
    await press(2500);
    expect(open('call'), 'held with nothing to cancel: someone needs help').toHaveLength(1);
    await press(2500);
    expect(open('call')).toEqual([]);
    await press(100);
    expect(open('call')).toHaveLength(1);
  });

  it('a long press sets staff presence and another clears it (longPress: presence)', async () => {
    await start(gpio({ inputs: [{ pin: BUTTON, device: 'btn-n1', longPress: 'presence' }] }));
    const store = g.gateway.context.alertStore;
    await press(2100);
    expect(store.presenceSince('n1')).not.toBeNull();
    await press(100);
    expect(open('emergency-call'), 'a call while presence is set').toHaveLength(1);
    await press(2100);
    expect(store.presenceSince('n1')).toBeNull();
  });

  it('with longPress none a call goes at the press, before the release', async () => {
    await start(gpio({ inputs: [{ pin: BUTTON, device: 'btn-n1', longPress: 'none' }] }));
    pins.in(BUTTON).set(1);
    await g.tick(60);
    await flush();
    expect(open('call')).toHaveLength(1);
    await g.tick(5000);
    pins.in(BUTTON).set(0);
    await g.tick(60);
    await flush();
    expect(open('call')).toHaveLength(1);
  });

  it('the room’s dome light flashes yellow ~0.6 Hz for a medium call, red ~2 Hz when a high SOS joins, and goes off on resolve', async () => {
    await start();
    expect(light().level).toBe(0);
    await press();
    let t0 = g.fake.now;
    await g.tick(8000);
    const medium = periods(light().onsSince(t0));
    expect(medium.length).toBeGreaterThanOrEqual(4);
    for (const p of medium) expect(1000 / p).toBeCloseTo(0.625, 2); // IEC 60601-1-8: 0.4–0.8 Hz

    const band = await g.device('wb-1');
    await band.send('deviceEvent', { type: 'sos' });
    await flush();
    const sos = open('sos')[0]!;
    expect(sos.roomId).toBe('n1');
    t0 = g.fake.now;
    await g.tick(3000);
    const high = periods(light().onsSince(t0));
    expect(high.length).toBeGreaterThanOrEqual(4);
    for (const p of high) expect(1000 / p).toBeCloseTo(2, 2); // 1.4–2.8 Hz

    close(sos.id);
    t0 = g.fake.now;
    await g.tick(5000);
    for (const p of periods(light().onsSince(t0))) expect(p).toBe(1600);

    const call = open('call')[0]!;
    close(call.id);
    t0 = g.fake.now;
    await g.tick(5000);
    expect(light().level).toBe(0);
    expect(light().onsSince(t0)).toEqual([]);
  });

  it('a low-priority alert holds the light steady', async () => {
    await start({ ...gpio(), rules: { priority: { call: 'low' } } });
    await press();
    const t0 = g.fake.now;
    await g.tick(5000);
    expect(light().level).toBe(1);
    expect(light().writes.filter((w) => w.at > t0)).toEqual([]);
  });

  it('a light with one lamp per colour: red only for high, yellow for medium', async () => {
    await start(
      gpio({
        outputs: [
          { pin: 30, kind: 'dome-light', colour: 'red', room: 'n1' },
          { pin: 31, kind: 'dome-light', colour: 'yellow', room: 'n1' },
        ],
      }),
    );
    await press();
    await g.tick(4000);
    expect(pins.out(30).onsSince(0)).toEqual([]);
    expect(pins.out(31).onsSince(0).length).toBeGreaterThanOrEqual(2);
    const band = await g.device('wb-1');
    await band.send('deviceEvent', { type: 'fall' });
    await flush();
    const t0 = g.fake.now;
    await g.tick(2000);
    expect(pins.out(30).onsSince(t0).length).toBeGreaterThanOrEqual(3);
    expect(pins.out(31).onsSince(t0)).toEqual([]);
    expect(pins.out(31).level).toBe(0);
  });

  it('accepting the call silences the buzzer but the light flashes on until resolved', async () => {
    await start();
    const alice = await g.handset('alice');
    await press();
    const d = (await alice.next(onTopic('dispatch', { kind: 'call' }))).payload;
    let t0 = g.fake.now;
    await g.tick(16_000);
    expect(pins.out(BUZZER).onsSince(t0).length, 'three pulses every 8 s').toBeGreaterThanOrEqual(6);

    const ack = await alice.send('staffReply', { action: 'ack', alertId: d.alertId });
    expect((await alice.next(onTopic('result', { transaction: ack.seq }))).payload.status).toBe('ok');
    await flush();
    t0 = g.fake.now;
    await g.tick(10_000);
    expect(pins.out(BUZZER).level).toBe(0);
    expect(pins.out(BUZZER).onsSince(t0 + 1)).toEqual([]);
    expect(light().onsSince(t0).length).toBeGreaterThanOrEqual(5);
  });

  it('a corridor light shows its zone’s alerts and no other zone’s', async () => {
    await start();
    await press();
    const t0 = g.fake.now;
    await g.tick(4000);
    expect(pins.out(CORRIDOR).onsSince(t0).length).toBeGreaterThanOrEqual(2);
    expect(pins.out(SOUTH).onsSince(0)).toEqual([]);
    // In step with the room's light: one timer per pattern.
    expect(pins.out(CORRIDOR).onsSince(t0)).toEqual(light().onsSince(t0));
  });

  it('a stopping gateway leaves the light on; after the restart the alerts still open light the lamps, and the button raises a new call', async () => {
    await start();
    await press();
    await g.tick(900); // the yellow flash in its off phase, the buzzer between pulses
    const [lamp, buzzer] = [light(), pins.out(BUZZER)];
    await g.restart();
    expect(lamp.closed && lamp.level, 'a stopped gateway leaves the call showing, steady').toBe(1);
    expect(buzzer.level).toBe(0);
    const t0 = g.fake.now;
    await g.tick(4000);
    expect(light().onsSince(t0).length).toBeGreaterThanOrEqual(2);
    const call = open('call')[0]!;
    close(call.id);
    await press();
    expect(open('call')).toHaveLength(1);
    expect(open('call')[0]!.id).not.toBe(call.id);
  });

  it('a pin the kernel will not give is named on /healthz; the other pins work and it is tried again', async () => {
    g = await testGateway(gpio(), {
      pins: (clock) => {
        pins = new FakePinBank(() => clock.now());
        pins.refuse(LIGHT, 'EBUSY');
        return pins;
      },
    });
    const warning = g.gateway.context.health.listWarnings().find((w) => w.warning === 'gpio');
    expect(warning?.reason).toContain(`GPIO ${LIGHT} (gpio.outputs[0], dome-light) cannot be opened: EBUSY`);
    await press();
    expect(open('call')).toHaveLength(1);
    expect(pins.out(BUZZER).onsSince(0).length).toBeGreaterThanOrEqual(1);
    pins.refuse(LIGHT, undefined);
    await g.tick(30_000);
    expect(g.gateway.context.health.listWarnings().find((w) => w.warning === 'gpio')).toBeUndefined();
    const t0 = g.fake.now;
    await g.tick(4000);
    expect(light().onsSince(t0).length).toBeGreaterThanOrEqual(2);
  });

  it('pinBase is added to every pin number', async () => {
    await start({ ...gpio(), gpio: { ...gpio().gpio, pinBase: 512 } } as DeepPartial<GatewayConfig>);
    pins.in(512 + BUTTON).set(1);
    await g.tick(200);
    pins.in(512 + BUTTON).set(0);
    await g.tick(60);
    await flush();
    expect(open('call')).toHaveLength(1);
    expect(pins.out(512 + LIGHT).level === 1 || pins.out(512 + LIGHT).writes.length > 1).toBe(true);
  });
});

describe('GPIO on a machine without GPIO (the real onoff adapter)', () => {
  it('says so once on /healthz and stays off while the alarm path runs', async () => {
    const g = await testGateway(gpio());
    try {
      const warning = g.gateway.context.health.listWarnings().find((w) => w.warning === 'gpio');
      expect(warning?.reason).toMatch(/^no GPIO on this machine/);
      const band = await g.device('wb-1');
      await band.send('deviceEvent', { type: 'sos' });
      await g.settled();
      expect(g.alerts.open().map((a) => a.kind)).toEqual(['sos']);
    } finally {
      await g.stop();
    }
  });
});
