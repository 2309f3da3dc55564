import { createServer } from 'node:net';
import { filterFor, topicFor } from '@careedge/edge';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { createMetrics } from '../src/core/metrics.js';
import { AlarmJournal, alarmWriteAhead } from '../src/journal/index.js';
import { ClientLink } from '../src/mqtt/link.js';
import { fakeClock } from './helpers/fake-clock.js';
import { openTempDatabase } from './helpers/tmp.js';

const SITE = 'sunrise';
const sos = JSON.stringify({ seq: 1, ts: 1_767_261_600_000, type: 'sos' });

async function eventually(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A plain aedes with its default in-memory persistence stands in for an external broker
 * (Mosquitto, EMQX): it keeps the gateway's persistent session and tells us, through its 'ack'
 * event, when the gateway's PUBACK arrives. The gateway side is the real ClientLink with the real
 * journal, whose record() can be held back as if the disk were slow.
 */
async function externalBroker() {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  const pubacks: string[] = [];
  broker.on('ack', (packet) => {
    if (packet && 'topic' in packet && packet.topic.endsWith('/event')) pubacks.push(packet.topic);
  });

  const { db } = openTempDatabase();
  const clock = fakeClock().clock;
  const journal = new AlarmJournal(db, clock);
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const written: string[] = [];
  const record = journal.record.bind(journal);
  journal.record = (deviceId, topic, payload) => {
    written.push(deviceId);
    return gate !== undefined
      ? gate.then(() => record(deviceId, topic, payload))
      : record(deviceId, topic, payload);
  };
  const writeAhead = alarmWriteAhead(journal, silentLogger(), createMetrics().registry);

  const links: ClientLink[] = [];
  const device = await connectAsync(url, { clientId: 'wb-101', reconnectPeriod: 0 });
  onTestFinished(async () => {
    await Promise.all(links.map((l) => l.close()));
    await device.endAsync(true);
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    pubacks,
    journal,
    written,
    device,
    /** The gateway's link; the same site means the same client id, so the same session. */
    async link() {
      const link = await ClientLink.connect({
        url,
        username: 'gateway',
        password: 'unused-by-this-broker',
        siteId: SITE,
        clock,
        log: silentLogger(),
        writeAhead,
      });
      links.push(link);
      return link;
    },
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

describe('link to an external broker: alarm write-ahead', () => {
  it('handles and acknowledges an SOS only after its journal entry is committed', async () => {
    const b = await externalBroker();
    const link = await b.link();
    const handled: string[] = [];
    link.onMessage((topic) => handled.push(topic));
    await link.subscribe([filterFor('deviceEvent', SITE)]);

    b.hold();
    await b.device.publishAsync(topicFor('deviceEvent', SITE, 'wb-101'), sos, { qos: 1 });
    // The device has its PUBACK from the broker; the gateway's copy waits for the journal,
    // neither handled nor acknowledged, so a crash now leaves it in the gateway's session.
    await eventually('the SOS to reach the journal', () => b.written.length === 1);
    expect({ handled, pubacks: b.pubacks }).toEqual({ handled: [], pubacks: [] });

    b.release();
    await eventually('the PUBACK at the broker', () => b.pubacks.length === 1);
    expect(b.journal.unsettled().map((e) => e.deviceId)).toEqual(['wb-101']);
    expect(handled).toEqual([topicFor('deviceEvent', SITE, 'wb-101')]);
  });

  it('keeps what its persistent session delivers before ingest listens, unacknowledged', async () => {
    const b = await externalBroker();
    const first = await b.link();
    first.onMessage(() => {});
    await first.subscribe([filterFor('deviceEvent', SITE)]);
    await first.close();
    // While the gateway is away, the broker keeps the SOS in the gateway's session…
    await b.device.publishAsync(topicFor('deviceEvent', SITE, 'wb-101'), sos, { qos: 1 });

    // …and sends it right after the CONNACK, before the gateway's modules have started.
    const again = await b.link();
    await eventually('the SOS to be journaled', () => b.journal.unsettled().length === 1);
    expect(b.pubacks).toEqual([]);
    const handled: string[] = [];
    again.onMessage((_topic, payload) => handled.push(payload.toString()));
    await eventually('the PUBACK at the broker', () => b.pubacks.length === 1);
    expect(handled).toEqual([sos]);
  });
});
