import { topicFor } from '@careedge/edge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/db.js';
import { AlarmJournal } from '../../src/journal/index.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';

async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('alarm journal across restarts (real broker, SQLite file)', () => {
  let g: TestGateway;
  beforeEach(async () => {
    g = await testGateway();
  });
  afterEach(async () => {
    await g.stop();
  });

  const journalRows = () =>
    g.gateway.context.db
      .prepare(
        'SELECT device_id AS deviceId, settled_at IS NOT NULL AS settled FROM alarm_journal ORDER BY id',
      )
      .all() as { deviceId: string; settled: number }[];

  /** As if the gateway died after the PUBACK and before the alert's commit. */
  async function journaledBeforeCrash(deviceId: string, message: object): Promise<void> {
    await g.gateway.stop();
    const db = openDatabase(`${g.dir}/careedge.sqlite`);
    const topic = topicFor('deviceEvent', g.gateway.siteId, deviceId);
    await new AlarmJournal(db, g.clock).record(deviceId, topic, Buffer.from(JSON.stringify(message)));
    db.close();
  }

  it('settles an alarm in the commit of its alert, so a restart does not raise it again', async () => {
    const band = await g.device('wb-1');
    await band.send('deviceEvent', { type: 'sos' });
    await eventually('the alert', () => g.alerts.open().length === 1);
    expect(journalRows()).toEqual([{ deviceId: 'wb-1', settled: 1 }]);

    await g.restart();
    expect(g.alerts.open()).toMatchObject([{ deviceId: 'wb-1', count: 1 }]);
  });

  it('raises at start an SOS acknowledged before a crash; the band resending it changes nothing', async () => {
    const sos = { seq: 5, ts: g.fake.now - 1000, type: 'sos' };
    await journaledBeforeCrash('wb-1', sos);
    await g.restart();
    expect(g.alerts.open()).toMatchObject([{ deviceId: 'wb-1', kind: 'sos', count: 1 }]);
    const alertId = g.alerts.open()[0]!.id;
    expect(g.gateway.context.alertStore.audit(alertId).map((a) => a.action)).toEqual([
      'raised',
      'dispatched',
    ]);
    expect(journalRows()).toEqual([{ deviceId: 'wb-1', settled: 1 }]);

    // A band that got no PUBACK sends the same message again: a retransmission, not a second press.
    const band = await g.device('wb-1');
    await band.send('deviceEvent', { type: 'sos' }, { seq: sos.seq, ts: sos.ts });
    await eventually(
      'the resend to be handled',
      async () =>
        (await g.metric('careedge_ingest_messages_total', {
          channel: 'deviceEvent',
          result: 'duplicate',
        })) === 1,
    );
    expect(g.alerts.open()).toMatchObject([{ id: alertId, count: 1 }]);
    expect(journalRows()).toEqual([
      { deviceId: 'wb-1', settled: 1 },
      { deviceId: 'wb-1', settled: 1 },
    ]);
  });

  it('settles a journaled alarm that ingest refuses, so it is not handled again at every start', async () => {
    await journaledBeforeCrash('wb-gone', { seq: 1, ts: g.fake.now, type: 'sos' }); // since removed from the register
    await g.restart();
    expect(g.alerts.open()).toEqual([]);
    expect(
      await g.metric('careedge_ingest_messages_total', { channel: 'deviceEvent', result: 'unknown-device' }),
    ).toBe(1);
    expect(journalRows()).toEqual([{ deviceId: 'wb-gone', settled: 1 }]);
  });
});
