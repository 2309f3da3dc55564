import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_SITE } from '../../src/app.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

/**
 * The example site's real roster (Europe/London, GMT in November): day 07:00–19:00 anna (east 1),
 * ben (east 2), carmen (supervisor); night 19:00–07:00 dmitri (east 1), eilidh (east 2), farah
 * (supervisor). Wristband wb-101 belongs to a resident of the east wing.
 */
const at = (hhmmss: string) => Date.parse(`2026-11-23T${hhmmss}Z`);
const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });
const STAFF = ['anna', 'ben', 'carmen', 'dmitri', 'eilidh', 'farah'] as const;
type Staff = (typeof STAFF)[number];

describe('shift boundaries on the example site', () => {
  let g: TestGateway;
  let band: TestClient;
  let hs: Record<Staff, TestClient>;
  afterEach(async () => {
    await g.stop();
  });

  async function siteAt(time: string) {
    g = await testGateway({ siteFile: EXAMPLE_SITE }, { start: at(time) });
    band = await g.client('wb-101', 'demo-wb-101-secret');
    await band.listen('deviceReassurance');
    hs = {} as Record<Staff, TestClient>;
    for (const id of STAFF) {
      hs[id] = await g.client(id, `demo-${id}-handset`);
      await hs[id].listen('staffDispatch', 'staffResult');
    }
  }
  const reply = async (h: TestClient, body: Record<string, unknown>) => {
    const sent = await h.send('staffReply', body);
    return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
  };
  const escalatedTo = async (alertId: number) => {
    await g.tick(30_000);
    const last = g.gateway.context.alertStore.audit(alertId).at(-1)!;
    expect(last.action).toBe('escalated');
    return last.detail.to;
  };

  it('an SOS at 18:59:45 escalates to the night shift from its first responder, not from level 1', async () => {
    await siteAt('18:59:45');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await hs.anna.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    // 19:00:15: the night shift is on. Dmitri leads the east wing.
    expect(await escalatedTo(alertId)).toEqual(['dmitri']);
    expect((await hs.dmitri.next(isAlert({ reason: 'escalation' }))).payload.level).toBe(1);
    expect(await escalatedTo(alertId)).toEqual(['eilidh']);
    expect(await escalatedTo(alertId)).toEqual(['farah']);
    expect(await escalatedTo(alertId)).toEqual(['dmitri', 'eilidh', 'farah']);
    // The last level is every registered staff member, the day shift at home included.
    expect(await escalatedTo(alertId)).toEqual(['anna', 'ben', 'carmen', 'dmitri', 'eilidh', 'farah']);
    expect((await hs.ben.next(isAlert({ reason: 'escalation' }))).payload.level).toBe(5);
  });

  it('refuses an accept from staff who are off shift and were not asked (not-on-shift)', async () => {
    await siteAt('20:00:00');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await hs.dmitri.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    expect(await reply(hs.anna, { action: 'ack', alertId })).toMatchObject({
      status: 'error',
      error: { code: 'not-on-shift' },
    });
    // Eilidh is on shift though not asked yet: the nearest carer may take it.
    expect(await reply(hs.eilidh, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect(g.alerts.get(alertId).ownerId).toBe('eilidh');
  });

  it('refuses a handover to staff who are off shift (not-on-shift)', async () => {
    await siteAt('20:00:00');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await hs.dmitri.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    await reply(hs.dmitri, { action: 'ack', alertId });
    expect(await reply(hs.dmitri, { action: 'handover', alertId, to: 'anna' })).toMatchObject({
      status: 'error',
      error: { code: 'not-on-shift' },
    });
    expect(await reply(hs.dmitri, { action: 'handover', alertId, to: 'eilidh' })).toMatchObject({
      status: 'ok',
    });
  });

  it('answers internal-error when the database refuses the write, and accepts the retry', async () => {
    await siteAt('20:00:00');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await hs.dmitri.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    const db = g.gateway.context.db;
    db.pragma('query_only = ON'); // a real SQLITE_READONLY on the next write
    expect(await reply(hs.dmitri, { action: 'ack', alertId })).toMatchObject({
      status: 'error',
      error: { code: 'internal-error' },
    });
    expect(g.alerts.get(alertId).state).toBe('dispatched');
    db.pragma('query_only = OFF');
    expect(await reply(hs.dmitri, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
  });

  it('a clock that comes back an hour behind after a restart still escalates within the timeout', async () => {
    await siteAt('20:00:00');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await hs.dmitri.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    await g.gateway.stop();
    g.fake.setSystemTime(at('19:00:10')); // a Pi without a real-time clock
    await g.restart();
    await g.tick(29_999);
    expect(g.alerts.get(alertId).level).toBe(0);
    await g.tick(1);
    expect(g.alerts.get(alertId).level).toBe(1);
  });
});
