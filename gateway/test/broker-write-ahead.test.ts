import { filterFor, topicFor } from '@careedge/edge';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startEmbeddedBroker } from '../src/broker/index.js';
import { silentLogger } from '../src/core/logger.js';
import { createMetrics } from '../src/core/metrics.js';
import { AlarmJournal, alarmWriteAhead } from '../src/journal/index.js';
import { openRegister } from '../src/register/register.js';
import { fakeClock } from './helpers/fake-clock.js';
import { openTempDatabase } from './helpers/tmp.js';

const examplePath = new URL('../sites/example.yaml', import.meta.url).pathname;
const SITE = 'sunrise';

/** Resolves when `check` holds; the deadline only turns "never" into a clear failure. */
async function eventually(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A real broker whose write-ahead is the real alarm journal on a real SQLite file, with a gate in
 * front of record(): while `hold` is on, an alarm's journal write does not even start, as if the
 * disk were slow. The gateway side is the in-process subscriber (as LocalLink uses it).
 */
async function startBroker() {
  const { db } = openTempDatabase();
  const register = openRegister(db, examplePath);
  const journal = new AlarmJournal(db, fakeClock().clock);
  let open: () => void = () => {};
  let gate: Promise<void> | undefined;
  const written: string[] = [];
  const record = journal.record.bind(journal);
  journal.record = (deviceId, topic, payload) => {
    written.push(deviceId);
    return gate !== undefined
      ? gate.then(() => record(deviceId, topic, payload))
      : record(deviceId, topic, payload);
  };
  const metrics = createMetrics();
  const journalWrite = alarmWriteAhead(journal, silentLogger(), metrics.registry);
  const broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    siteId: SITE,
    gatewaySecret: 'test-gateway-secret-0123456789',
    authenticate: (u, p) => register.authenticate(u, p),
    isLogin: (id) => register.isLogin(id),
    writeAhead: (principal, topic, payload) =>
      principal.kind === 'device' ? journalWrite(topic, payload) : undefined,
    writeAheadDurable: () => {
      synced.push([...delivered]);
      journalWrite.durable();
    },
    bulkLeaves: ['telemetry'],
  });
  /** What the gateway had been handed each time the write-ahead was asked to be durable. */
  const synced: string[][] = [];
  const delivered: string[] = [];
  await broker.local.subscribe(filterFor('deviceEvent', SITE), (_t, p) =>
    delivered.push(p.toString().startsWith('{') ? JSON.parse(p.toString()).type : 'not json'),
  );
  await broker.local.subscribe(filterFor('deviceTelemetry', SITE), () => delivered.push('telemetry'));
  const clients: MqttClient[] = [];
  onTestFinished(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker.close();
  });
  const band = async (id: string, extra: IClientOptions = {}) => {
    const c = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: id,
      password: `demo-${id}-secret`,
      clientId: `${id}-${Math.random().toString(16).slice(2, 8)}`, // bound to the login
      reconnectPeriod: 0,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  return {
    broker,
    db,
    journal,
    metrics,
    band,
    written,
    delivered,
    synced,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

const event = (id: string) => topicFor('deviceEvent', SITE, id);
const telemetry = (id: string) => topicFor('deviceTelemetry', SITE, id);
const sos = JSON.stringify({ seq: 1, ts: 1_767_261_600_000, type: 'sos' });
const reading = JSON.stringify({
  seq: 2,
  ts: 1_767_261_600_000,
  activity: 1,
  worn: true,
  batteryPct: 80,
  rssiDbm: -60,
});
const unsettled = (db: ReturnType<typeof openTempDatabase>['db']) =>
  (db.prepare('SELECT COUNT(*) AS n FROM alarm_journal WHERE settled_at IS NULL').get() as { n: number }).n;

describe('embedded broker: alarm write-ahead before the PUBACK', () => {
  it('acknowledges an SOS only once its journal entry is committed, and passes it on only then', async () => {
    const t = await startBroker();
    const [band, other] = [await t.band('wb-101'), await t.band('wb-102')];
    t.hold();
    let journaledAtPuback: number | undefined;
    const acked = band.publishAsync(event('wb-101'), sos, { qos: 1 }).then(() => {
      journaledAtPuback = unsettled(t.db);
    });
    await eventually('the broker to take the SOS', () => t.written.length === 1);
    // Another band's telemetry is acknowledged meanwhile: the broker is not stuck, only the SOS waits.
    await other.publishAsync(telemetry('wb-102'), reading, { qos: 1 });
    expect(journaledAtPuback).toBeUndefined();
    expect(t.delivered).toEqual(['telemetry']);
    expect(unsettled(t.db)).toBe(0);

    t.release();
    await acked;
    expect(journaledAtPuback).toBe(1);
    await eventually('the SOS at the gateway', () => t.delivered.length === 2);
    expect(t.delivered).toEqual(['telemetry', 'sos']);
  });

  it('hands a journaled SOS to the gateway in the turn of its commit, not a turn later after the PUBACK', async () => {
    const t = await startBroker();
    const band = await t.band('wb-101');
    const record = t.journal.record.bind(t.journal);
    let atNextImmediate: string[] | undefined;
    t.journal.record = (deviceId, topic, payload) =>
      record(deviceId, topic, payload).then(() => {
        // Whatever is set now runs after the next turn's socket reads, as aedes' routing would.
        setImmediate(() => {
          atNextImmediate = [...t.delivered];
        });
      });
    await band.publishAsync(event('wb-101'), sos, { qos: 1 });
    await eventually('the next immediate', () => atNextImmediate !== undefined);
    expect(atNextImmediate).toEqual(['sos']);
    expect(t.delivered).toEqual(['sos']); // once
  });

  it('makes the journal entry durable after handing the SOS on and before its PUBACK', async () => {
    const t = await startBroker();
    const band = await t.band('wb-101');
    let syncedAtPuback: string[][] | undefined;
    await band.publishAsync(telemetry('wb-101'), reading, { qos: 1 });
    expect(t.synced, 'not for telemetry').toEqual([]);
    await band.publishAsync(event('wb-101'), sos, { qos: 1 }).then(() => {
      syncedAtPuback = [...t.synced];
    });
    expect(syncedAtPuback, 'once, with the SOS already handed on').toEqual([['telemetry', 'sos']]);
    // Nothing settled the entry here (no alert service): durable() synced it with a write of its own.
    expect(t.db.prepare('SELECT device_id FROM alarm_journal').pluck().all()).toEqual(['wb-101']);
  });

  it('does not journal telemetry or events that are not alarms', async () => {
    const t = await startBroker();
    const band = await t.band('wb-101');
    await band.publishAsync(telemetry('wb-101'), reading, { qos: 1 });
    await band.publishAsync(event('wb-101'), JSON.stringify({ seq: 3, ts: 1, type: 'off-wrist' }), {
      qos: 1,
    });
    await band.publishAsync(event('wb-101'), 'not json', { qos: 1 });
    expect(t.journal.unsettled()).toEqual([]);
    await band.publishAsync(event('wb-101'), sos, { qos: 1 });
    expect(t.journal.unsettled().map((e) => e.deviceId)).toEqual(['wb-101']);
  });

  it("keeps a band's messages in order while its alarm is being written", async () => {
    const t = await startBroker();
    const band = await t.band('wb-101');
    t.hold();
    // Written back to back, so aedes may well read them in one go and handle them at once.
    const sent = [
      band.publishAsync(event('wb-101'), sos, { qos: 1 }),
      band.publishAsync(event('wb-101'), JSON.stringify({ seq: 2, ts: 1, type: 'off-wrist' }), { qos: 1 }),
      band.publishAsync(telemetry('wb-101'), reading, { qos: 1 }),
    ];
    await eventually('the broker to take the SOS', () => t.written.length >= 1);
    t.release();
    await Promise.all(sent);
    await eventually('all three at the gateway', () => t.delivered.length === 3);
    expect(t.delivered).toEqual(['sos', 'off-wrist', 'telemetry']);
  });

  it("passes on an SOS behind telemetry whose PUBACK is held, and keeps the SOS's PUBACK behind that one", async () => {
    const t = await startBroker();
    // As with forwarding on: telemetry's PUBACK waits until the gateway says its points are stored.
    const stored: (() => void)[] = [];
    t.broker.local.takeBulk((_topic, _payload, handled) => {
      t.delivered.push('telemetry');
      handled?.(new Promise<void>((resolve) => stored.push(resolve)));
    });
    t.broker.local.holdBulkAcks(true);
    const band = await t.band('wb-101');
    const acked: string[] = [];
    void band.publishAsync(telemetry('wb-101'), reading, { qos: 1 }).then(() => acked.push('telemetry'));
    void band.publishAsync(event('wb-101'), sos, { qos: 1 }).then(() => acked.push('sos'));
    await eventually('the SOS at the gateway', () => t.delivered.includes('sos'));
    await eventually('the telemetry handled', () => stored.length === 1);
    expect(t.journal.unsettled(), 'journaled before it went on').toHaveLength(1);
    // A round trip: a PUBACK released by now would come before the SUBACK.
    await band.subscribeAsync(topicFor('deviceReassurance', SITE, 'wb-101'), { qos: 1 });
    expect(acked, 'both PUBACKs wait: MQTT order').toEqual([]);

    stored[0]!();
    await eventually('both PUBACKs', () => acked.length === 2);
    expect(acked).toEqual(['telemetry', 'sos']);
  });

  it('passes on a journaled alarm whose band lost its connection before the PUBACK', async () => {
    const t = await startBroker();
    const band = await t.band('wb-101', { clientId: 'wb-101' });
    t.hold();
    band.publish(event('wb-101'), sos, { qos: 1 });
    await eventually('the broker to take the SOS', () => t.written.length === 1);
    band.stream.destroy(); // out of Wi-Fi range while the journal is written…
    // …and back: taking over the client id, which the broker answers only after closing the old
    // connection [MQTT-3.1.4-2]. So the SOS's connection is gone for sure.
    await t.band('wb-101', { clientId: 'wb-101' });
    t.release();
    await eventually('the SOS at the gateway', () => t.delivered.includes('sos'));
    expect(t.journal.unsettled()).toHaveLength(1); // for ingest to claim and settle
  });

  it('lets an alarm through, counted, when the journal cannot be written', async () => {
    const t = await startBroker();
    const band = await t.band('wb-101');
    t.db.close(); // the card is gone
    await band.publishAsync(event('wb-101'), sos, { qos: 1 });
    await eventually('the SOS to reach the gateway', () => t.delivered.includes('sos'));
    const values = (await t.metrics.registry.getSingleMetric('careedge_alarm_journal_records_total')!.get())
      .values;
    expect(values).toEqual([expect.objectContaining({ labels: { result: 'failed' }, value: 1 })]);
  });
});
