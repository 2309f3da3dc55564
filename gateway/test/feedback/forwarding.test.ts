import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classOf } from '../../src/forwarding/measurements.js';
import { eventually, forwardingGateway, influxdForTest } from '../helpers/forwarding.js';
import { onTopic } from '../helpers/mqtt-client.js';

const SITE = fileURLToPath(new URL('../fixtures/site-kiosks.yaml', import.meta.url));

describe('feedback taps to InfluxDB (real influxd)', { timeout: 60_000 }, () => {
  it('writes each counted tap as a feedback point (site, zone, kiosk, face, reason; score), never a filtered one', async () => {
    const influx = await influxdForTest();
    const g = await forwardingGateway(influx, {}, { siteFile: SITE });
    const k = await g.client('kiosk-lounge');
    await k.listen('deviceThanks');
    const tap = async (body: Record<string, unknown>) => {
      const sent = await k.send('deviceTap', body);
      await k.next(onTopic('thanks', { tapSeq: sent.seq }));
    };
    await tap({ face: 'very-unhappy', reason: 'food' });
    await tap({ face: 'very-unhappy' }); // mashing: filtered
    await g.tick(60_000);
    await tap({ face: 'happy' });
    await g.tick(1000);
    await eventually(async () => {
      expect(await influx.count('feedback', 'score')).toBe(2);
    });
    const points = await influx.query('SELECT * FROM feedback ORDER BY time');
    expect(points).toEqual([
      expect.objectContaining({
        site: 'testsite',
        zone: 'south',
        kiosk: 'kiosk-lounge',
        face: 'very-unhappy',
        reason: 'food',
        score: 1,
      }),
      expect.objectContaining({ kiosk: 'kiosk-lounge', face: 'happy', score: 3, reason: null }),
    ]);
  });

  it('is never dropped by a full outbox (precious, as alerts)', () => {
    expect(classOf('feedback')).toBe('precious');
  });
});
