import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

// Defaults: offline after 3 missed intervals plus 10 s grace, so 190 s for a 60 s heartbeat.
const OFFLINE_AFTER_MS = (3 * 60 + 10) * 1000;

describe('heartbeat supervision (EN 50134 / BS 8521: a missed check-in is an alarm of its own)', () => {
  let g: TestGateway;
  beforeEach(async () => {
    g = await testGateway();
  });
  afterEach(async () => {
    await g.stop();
  });

  const offlineAlerts = () => g.alerts.open().filter((a) => a.kind === 'device-offline');

  it('a band silent after a 60 s heartbeat raises device-offline after 3 intervals + grace, not before, to the zone responder', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    // The last will on a Wi-Fi blip is not an alarm by itself: the heartbeat deadline decides.
    await band.send('deviceStatus', { state: 'offline' });
    expect(await g.metric('careedge_devices_supervised')).toBe(1);

    await g.tick(OFFLINE_AFTER_MS - 1);
    expect(offlineAlerts()).toEqual([]);
    expect(alice.drain().filter(onTopic('dispatch'))).toEqual([]);

    await g.tick(1);
    const dispatch = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
    expect(dispatch).toMatchObject({
      reason: 'new',
      kind: 'device-offline',
      priority: 'medium',
      level: 0,
      residentId: 'r1',
      homeRoom: 'Room N1',
      zone: 'North wing',
    });
    expect(offlineAlerts()).toHaveLength(1);
    expect(await g.metric('careedge_devices_offline')).toBe(1);

    // Still silent: one alert per silence, not one per missed interval.
    await g.tick(10 * 60_000);
    expect(offlineAlerts()).toHaveLength(1);
    expect(g.alerts.get(dispatch.alertId as number).count).toBe(1);
  });

  it('hearing the band again cancels an untaken offline alert and withdraws it from the handsets', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    await g.tick(OFFLINE_AFTER_MS);
    const { alertId } = (await alice.next(onTopic('dispatch', { kind: 'device-offline' }))).payload;

    await band.send('deviceTelemetry', { activity: 3, worn: true, batteryPct: 80, rssiDbm: -60 });
    expect((await alice.next(onTopic('dispatch', { type: 'withdrawn' }))).payload).toMatchObject({
      alertId,
      reason: 'cancelled',
    });
    expect(g.alerts.get(alertId as number)).toMatchObject({ state: 'cancelled', outcome: 'cancelled' });
    const audit = g.gateway.context.alertStore.audit(alertId as number);
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['raised', 'device:wb-1'],
      ['dispatched', 'system'],
      ['cancelled', 'device:wb-1'],
    ]);
    expect(await g.metric('careedge_devices_offline')).toBe(0);

    // Supervised again from the return: silent once more, a new alert.
    await g.tick(OFFLINE_AFTER_MS);
    const again = (await alice.next(onTopic('dispatch', { kind: 'device-offline', reason: 'new' }))).payload;
    expect(again.alertId).not.toBe(alertId);
  });

  it('an offline alert a carer accepted stays theirs to resolve; the return is noted in its audit', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    await g.tick(OFFLINE_AFTER_MS);
    const { alertId } = (await alice.next(onTopic('dispatch', { kind: 'device-offline' }))).payload;
    const ack = await alice.send('staffReply', { action: 'ack', alertId });
    expect((await alice.next(onTopic('result', { transaction: ack.seq }))).payload.status).toBe('ok');

    await band.send('deviceHeartbeat', { intervalS: 60 });
    await g.settled();
    const alert = g.alerts.get(alertId as number);
    expect(alert).toMatchObject({ state: 'acknowledged', ownerId: 'alice' });
    const last = g.gateway.context.alertStore.audit(alertId as number).at(-1);
    expect(last).toMatchObject({ action: 'cancel-requested', actor: 'device:wb-1' });
    expect(await g.metric('careedge_devices_offline')).toBe(0);

    // The resident never called, so the accepted offline alert told the band nothing: the first
    // reassurance it gets (delivered in order) is for its own SOS, a separate alert.
    await band.send('deviceEvent', { type: 'sos' });
    const sos = (await alice.next(onTopic('dispatch', { kind: 'sos' }))).payload;
    expect(sos.alertId).not.toBe(alertId);
    await alice.send('staffReply', { action: 'ack', alertId: sos.alertId });
    expect((await band.next(onTopic('reassure'))).payload).toMatchObject({
      alertId: sos.alertId,
      kind: 'help-coming',
    });
  });

  it('telemetry keeps a band alive without further heartbeats; silence after the last message raises it', async () => {
    const band = await g.device('wb-1');
    await g.handset('alice');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    for (let minute = 0; minute < 10; minute++) {
      await g.tick(60_000);
      await band.send('deviceTelemetry', { activity: 5, worn: true, batteryPct: 80, rssiDbm: -60 });
    }
    expect(offlineAlerts()).toEqual([]);

    await g.tick(OFFLINE_AFTER_MS - 1);
    expect(offlineAlerts()).toEqual([]);
    await g.tick(1);
    expect(offlineAlerts()).toMatchObject([{ deviceId: 'wb-1', zoneId: 'north', priority: 'medium' }]);
  });

  it('telemetry at 1 msg/s moves last-heard only: the device timer is re-armed once per window, not per message', async () => {
    const clock = g.gateway.context.clock;
    const setTimeout = clock.setTimeout;
    let timersSet = 0;
    clock.setTimeout = (fn, ms) => {
      // Only the supervision's timers (the dispatcher's sweep runs every 15 s too).
      if (new Error().stack?.includes('rules/supervision.ts')) timersSet++;
      return setTimeout(fn, ms);
    };
    const band = await g.device('wb-1');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    for (let second = 0; second < 300; second++) {
      await g.tick(1000);
      await band.send('deviceTelemetry', { activity: 5, worn: true, batteryPct: 80, rssiDbm: -60 });
    }
    expect(offlineAlerts()).toEqual([]);
    // Armed by the heartbeat, re-armed when that timer found the band heard since (at 190 s).
    expect(timersSet).toBe(2);
  });

  it("writes a device's interval to SQLite when it changes, not per heartbeat or telemetry", async () => {
    const db = g.gateway.context.db;
    db.exec(`
      CREATE TEMP TABLE writes (n INTEGER);
      CREATE TEMP TRIGGER count_insert AFTER INSERT ON main.device_supervision
        BEGIN INSERT INTO writes VALUES (1); END;
      CREATE TEMP TRIGGER count_update AFTER UPDATE ON main.device_supervision
        BEGIN INSERT INTO writes VALUES (1); END;
    `);
    const writes = () => (db.prepare('SELECT count(*) AS n FROM writes').get() as { n: number }).n;
    const band = await g.device('wb-1');
    for (let i = 0; i < 3; i++) await band.send('deviceHeartbeat', { intervalS: 60 });
    for (let i = 0; i < 5; i++)
      await band.send('deviceTelemetry', { activity: 5, worn: true, batteryPct: 80, rssiDbm: -60 });
    await g.settled();
    expect(writes()).toBe(1);
    await band.send('deviceHeartbeat', { intervalS: 30 });
    await g.settled();
    expect(writes()).toBe(2);
    expect(db.prepare('SELECT device_id, interval_s FROM device_supervision').all()).toEqual([
      { device_id: 'wb-1', interval_s: 30 },
    ]);
  });

  it('a care button is supervised too; its offline alert is for its room', async () => {
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    await button.send('deviceHeartbeat', { intervalS: 300 });
    await g.tick((3 * 300 + 10) * 1000);
    const dispatch = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
    expect(dispatch).toMatchObject({ kind: 'device-offline', room: 'Room N1', zone: 'North wing' });
    expect(dispatch.residentId).toBeUndefined();
  });

  it('a shorter heartbeat interval brings the deadline forward at once', async () => {
    const band = await g.device('wb-1');
    await band.send('deviceHeartbeat', { intervalS: 600 });
    await band.send('deviceHeartbeat', { intervalS: 10 });
    await g.tick((3 * 10 + 10) * 1000 - 1);
    expect(offlineAlerts()).toEqual([]);
    await g.tick(1);
    expect(offlineAlerts()).toHaveLength(1);
  });

  it('a restart keeps supervising: a band heard before it and silent after it is raised, counted from the restart', async () => {
    const band = await g.device('wb-1');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    await g.tick(100_000);

    await g.restart();
    const alice = await g.handset('alice');
    expect(await g.metric('careedge_devices_supervised')).toBe(1);
    await g.tick(OFFLINE_AFTER_MS - 1);
    expect(offlineAlerts()).toEqual([]);
    await g.tick(1);
    expect((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload).toMatchObject({
      kind: 'device-offline',
      residentId: 'r1',
    });
  });

  it('a band offline across a restart stays offline without a second alert, and its return still closes it', async () => {
    const band = await g.device('wb-1');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    await g.tick(OFFLINE_AFTER_MS);
    const [alert] = offlineAlerts();
    expect(alert).toBeDefined();

    await g.restart();
    expect(await g.metric('careedge_devices_offline')).toBe(1);
    await g.tick(OFFLINE_AFTER_MS * 2);
    expect(offlineAlerts().map((a) => [a.id, a.count])).toEqual([[alert!.id, 1]]);

    const back = await g.device('wb-1');
    await back.send('deviceStatus', { state: 'online' });
    expect(g.alerts.get(alert!.id).state).toBe('cancelled');
    expect(await g.metric('careedge_devices_offline')).toBe(0);
  });

  it('a device never heard from, or one that never declared a heartbeat interval, is not raised', async () => {
    const band = await g.device('wb-1');
    await band.send('deviceTelemetry', { activity: 5, worn: true, batteryPct: 80, rssiDbm: -60 });
    await g.tick(24 * 3_600_000);
    expect(offlineAlerts()).toEqual([]);
    expect(await g.metric('careedge_devices_supervised')).toBe(0);
  });
});
