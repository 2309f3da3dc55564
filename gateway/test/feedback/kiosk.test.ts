import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeepPartial } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const SITE = fileURLToPath(new URL('../fixtures/site-kiosks.yaml', import.meta.url));
const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 23, 10, 0, 0);

type Face = 'very-happy' | 'happy' | 'unhappy' | 'very-unhappy';

// Feedback kiosks through the real gateway: real broker, real MQTT clients, SQLite file, fake time.
describe('feedback kiosks', () => {
  let g: TestGateway;
  const start = async (overrides: DeepPartial<GatewayConfig> = {}) => {
    g = await testGateway({ siteFile: SITE, ...overrides }, { start: START });
  };
  afterEach(async () => {
    await g.stop();
  });

  const kiosk = async (id: string) => {
    const c = await g.client(id);
    await c.listen('deviceThanks');
    return c;
  };
  /** A tap, answered by its thank-you (so the gateway has handled it, counted or filtered). */
  const tap = async (k: TestClient, face: Face, reason?: string) => {
    const sent = await k.send('deviceTap', { face, ...(reason ? { reason } : {}) });
    return (await k.next(onTopic('thanks', { tapSeq: sent.seq }))).payload;
  };
  const taps = (kioskId: string) =>
    g.gateway.context.db
      .prepare(
        'SELECT face, reason, zone_id AS zoneId, room_id AS roomId, at FROM feedback_taps WHERE kiosk_id = ?',
      )
      .all(kioskId);
  const happyIndex = async (query: string) => {
    const api = g.api('staff');
    const res = await api.inject({ method: 'GET', url: `/api/v1/feedback/happy-index?${query}` });
    await api.close();
    return res;
  };
  const followUps = () => g.alerts.open().filter((a) => a.kind === 'feedback-follow-up');

  describe('taps', () => {
    beforeEach(() => start());

    it('a tap is stored (anonymous, with kiosk, zone, room and time), thanked and counted', async () => {
      const k = await kiosk('kiosk-lounge');
      const thanks = await tap(k, 'unhappy', 'food');
      expect(thanks).toMatchObject({ text: 'Thank you for telling us.', ts: START });
      expect(taps('kiosk-lounge')).toEqual([
        { face: 'unhappy', reason: 'food', zoneId: 'south', roomId: 'lounge', at: START },
      ]);
      expect(await g.metric('careedge_feedback_taps_total', { result: 'counted' })).toBe(1);
    });

    it('button mashing is filtered, counted per kiosk and hour, and thanked; it does not count as feedback', async () => {
      const k = await kiosk('kiosk-lounge');
      await tap(k, 'very-unhappy');
      for (let i = 0; i < 5; i++) {
        await g.tick(1000); // drumming once a second: each tap within 3 s of the previous one
        await tap(k, 'very-unhappy');
      }
      expect(taps('kiosk-lounge')).toHaveLength(1);
      expect(await g.metric('careedge_feedback_taps_total', { result: 'filtered' })).toBe(5);
      await g.tick(3000); // 3 s of quiet: the next tap is someone's feedback again
      await tap(k, 'happy');
      expect(taps('kiosk-lounge')).toHaveLength(2);
      const res = await happyIndex('by=kiosk');
      expect(res.json().buckets).toEqual([
        {
          kiosk: 'kiosk-lounge',
          hour: '2026-11-23T10:00:00.000Z',
          taps: 2,
          happyIndex: 2,
          faces: { 'very-happy': 0, happy: 1, unhappy: 0, 'very-unhappy': 1 },
          filtered: 5,
        },
      ]);
      // Five very-unhappy taps by one hand are no burst: nobody is sent a follow-up.
      expect(followUps()).toEqual([]);
    });

    it('a kiosk finds its reasons waiting (retained configuration)', async () => {
      const k = await g.client('kiosk-n2');
      await k.listen('deviceConfiguration');
      expect((await k.next(onTopic('config'))).payload).toMatchObject({
        reasons: ['food', 'noise', 'waiting', 'cleanliness', 'staff', 'other'],
      });
    });

    it('a tap with a reason not configured is refused, counted and not thanked', async () => {
      const k = await kiosk('kiosk-lounge');
      await k.send('deviceTap', { face: 'unhappy', reason: 'parking' });
      await g.tick(5000);
      await tap(k, 'happy'); // handled after the refused one (one connection keeps order)
      expect(await g.metric('careedge_feedback_taps_total', { result: 'rejected' })).toBe(1);
      expect(taps('kiosk-lounge')).toEqual([expect.objectContaining({ face: 'happy' })]);
      expect(k.drain().filter((m) => m.topic.endsWith('/thanks'))).toEqual([]);
    });

    it('the Happy Index per kiosk and per zone and hour, across hours; bad parameters are a clear 400', async () => {
      const lounge = await kiosk('kiosk-lounge');
      const n2 = await kiosk('kiosk-n2');
      await tap(lounge, 'very-happy');
      await tap(n2, 'happy');
      await g.tick(10_000);
      await tap(lounge, 'happy');
      await g.tick(HOUR);
      await tap(lounge, 'unhappy');
      const byKiosk = await happyIndex(
        'from=2026-11-23T09:00:00Z&to=2026-11-23T12:00:00Z&by=kiosk&bucket=hour',
      );
      expect(byKiosk.statusCode).toBe(200);
      expect(
        byKiosk.json().buckets.map((b: Record<string, unknown>) => [b.kiosk, b.hour, b.taps, b.happyIndex]),
      ).toEqual([
        ['kiosk-lounge', '2026-11-23T10:00:00.000Z', 2, 3.5],
        ['kiosk-n2', '2026-11-23T10:00:00.000Z', 1, 3],
        ['kiosk-lounge', '2026-11-23T11:00:00.000Z', 1, 2],
      ]);
      const byZone = await happyIndex('from=2026-11-23T10:00:00Z&to=2026-11-23T11:00:00Z&by=zone');
      expect(byZone.json().buckets).toEqual([
        expect.objectContaining({ zone: 'north', taps: 1, happyIndex: 3 }),
        expect.objectContaining({
          zone: 'south',
          taps: 2,
          happyIndex: 3.5,
          faces: { 'very-happy': 1, happy: 1, unhappy: 0, 'very-unhappy': 0 },
        }),
      ]);
      // Without from/to: the last 24 hours up to now.
      expect((await happyIndex('by=zone')).json().buckets).toHaveLength(3);

      const bad = await happyIndex('by=room');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'invalid-request' });
      expect(bad.json().error.message).toContain('querystring/by');
      const backwards = await happyIndex('from=2026-11-23T12:00:00Z&to=2026-11-23T10:00:00Z');
      expect(backwards.statusCode).toBe(400);
      expect(backwards.json().error.message).toBe('querystring/from: must be before querystring/to');
      const notATime = await happyIndex('from=yesterday');
      expect(notATime.statusCode).toBe(400);
      expect(notATime.json().error.message).toContain('querystring/from');
    });

    it("the kiosk's call-staff key raises a call for the kiosk's room, dispatched like a care button", async () => {
      const k = await kiosk('kiosk-lounge');
      await k.listen('deviceReassurance');
      const dave = await g.handset('dave'); // the south wing's first responder
      await k.send('deviceEvent', { type: 'call' });
      const dispatch = (await dave.next(onTopic('dispatch', { type: 'alert' }))).payload;
      expect(dispatch).toMatchObject({ kind: 'call', reason: 'new', room: 'Day lounge', zone: 'South wing' });
      const alert = g.alerts.get(dispatch.alertId as number);
      expect(alert).toMatchObject({
        kind: 'call',
        deviceId: 'kiosk-lounge',
        roomId: 'lounge',
        residentId: null,
      });
      const ack = await dave.send('staffReply', { action: 'ack', alertId: alert.id });
      expect((await dave.next(onTopic('result', { transaction: ack.seq }))).payload.status).toBe('ok');
      expect((await k.next(onTopic('reassure'))).payload).toMatchObject({
        kind: 'help-coming',
        alertId: alert.id,
      });
    });
  });

  describe('unhappy bursts', () => {
    /** Taps a minute apart (no mashing). */
    const tapAll = async (k: TestClient, faces: Face[]) => {
      for (const f of faces) {
        await g.tick(60_000);
        await tap(k, f);
      }
    };

    it('open exactly one low-priority follow-up for the supervisor with its deadline; a later burst updates it', async () => {
      await start();
      const sam = await g.handset('sam');
      const dave = await g.handset('dave');
      const k = await kiosk('kiosk-lounge');
      await tapAll(k, ['happy', 'unhappy', 'happy']);
      expect(followUps()).toEqual([]);
      await tapAll(k, ['very-unhappy']); // 4 taps, 2 unhappy: 50 %
      const dispatch = (await sam.next(onTopic('dispatch', { kind: 'feedback-follow-up' }))).payload;
      expect(dispatch).toMatchObject({ reason: 'new', priority: 'low', room: 'Day lounge' });
      const [followUp] = followUps();
      expect(followUps()).toHaveLength(1);
      expect(followUp).toMatchObject({
        id: dispatch.alertId,
        priority: 'low',
        deviceId: 'kiosk-lounge',
        roomId: 'lounge',
        zoneId: 'south',
        residentId: null,
      });
      // To the supervisor, not to the wing's responders: it is her task, not a call.
      expect(g.gateway.context.alertStore.targets(followUp!.id).map((t) => t.staffId)).toEqual(['sam']);
      const raised = g.gateway.context.alertStore.audit(followUp!.id).find((e) => e.action === 'raised')!;
      expect(raised.detail).toMatchObject({
        kiosk: 'kiosk-lounge',
        taps: 4,
        unhappy: 2,
        dueAt: followUp!.raisedAt + 24 * HOUR,
      });
      expect(dave.drain().filter((m) => m.payload.kind === 'feedback-follow-up')).toEqual([]);

      // The taps of that burst do not make the next one: four more, three of them unhappy.
      await tapAll(k, ['unhappy', 'happy', 'very-unhappy']);
      expect(followUps()[0]!.count).toBe(1);
      await tapAll(k, ['unhappy']);
      expect(followUps()).toHaveLength(1);
      expect(followUps()[0]).toMatchObject({ id: followUp!.id, count: 2 });
      expect(await g.metric('careedge_feedback_bursts_total', { followUp: 'opened' })).toBe(1);
      expect(await g.metric('careedge_feedback_bursts_total', { followUp: 'updated' })).toBe(1);
      // Sam takes it: the kiosk hears no "help is coming" (it called nobody).
      await k.listen('deviceReassurance');
      const ack = await sam.send('staffReply', { action: 'ack', alertId: followUp!.id });
      expect((await sam.next(onTopic('result', { transaction: ack.seq }))).payload.status).toBe('ok');
      await tapAll(k, ['happy']); // its thank-you comes after anything the ack sent
      expect(k.drain().filter((m) => m.topic.endsWith('/reassure'))).toEqual([]);
      // Another kiosk's taps are another window.
      const n2 = await kiosk('kiosk-n2');
      await tapAll(n2, ['unhappy', 'unhappy', 'unhappy']);
      expect(followUps()).toHaveLength(1);
    });

    it('a window survives a restart (read from the stored taps), and so does the mashing filter', async () => {
      await start();
      let k = await kiosk('kiosk-lounge');
      await tapAll(k, ['unhappy', 'very-unhappy']);
      await g.restart();
      k = await kiosk('kiosk-lounge');
      await g.tick(1000); // 1 s after the last stored tap: mashing, even across the restart
      await tap(k, 'happy');
      expect(taps('kiosk-lounge')).toHaveLength(2);
      await tapAll(k, ['happy', 'unhappy']);
      expect(followUps()).toHaveLength(1);
      const raised = g.gateway.context.alertStore
        .audit(followUps()[0]!.id)
        .find((e) => e.action === 'raised');
      expect(raised?.detail).toMatchObject({ taps: 4, unhappy: 3 }); // two before the restart, two after
    });

    it('taps spread wider than the window make no burst', async () => {
      await start();
      const k = await kiosk('kiosk-lounge');
      for (const f of ['unhappy', 'unhappy', 'unhappy', 'unhappy'] as Face[]) {
        await g.tick(6 * 60_000);
        await tap(k, f);
      }
      expect(followUps()).toEqual([]);
    });

    it('a follow-up still open at its deadline goes to the supervisor again, also after a restart', async () => {
      await start({ feedback: { followUpDeadlineH: 1 }, dispatch: { ackTimeoutS: { low: 7200 } } });
      const k = await kiosk('kiosk-lounge');
      await tapAll(k, ['unhappy', 'unhappy', 'unhappy', 'unhappy']);
      const [followUp] = followUps();
      expect(followUp?.state).toBe('dispatched');
      await g.restart();
      const sam = await g.handset('sam');
      await g.tick(HOUR);
      const again = (
        await sam.next(onTopic('dispatch', { kind: 'feedback-follow-up', reason: 'escalation' }))
      ).payload;
      expect(again.alertId).toBe(followUp!.id);
      const overdue = g.gateway.context.alertStore
        .audit(followUp!.id)
        .filter((e) => e.detail.reason === 'feedback follow-up overdue');
      expect(overdue).toHaveLength(1);
    });
  });
});
