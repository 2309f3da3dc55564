/**
 * Found by probing: a Happy Index asked from (or to) a time inside an hour answered that hour's
 * bucket with only the taps inside the range but all of its filtered taps, under the label of the
 * whole hour: 10:30 to 11:00 showed one tap of two and the mashing of the whole hour, as "10:00".
 * A bucket is now always a whole hour: every hour the range touches.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const SITE = fileURLToPath(new URL('../fixtures/site-kiosks.yaml', import.meta.url));
const START = Date.UTC(2026, 10, 23, 10, 0, 0);

let g: TestGateway;
afterEach(async () => {
  await g.stop();
});

it('answers whole hours when the range starts or ends inside one', async () => {
  g = await testGateway({ siteFile: SITE }, { start: START });
  const k = await g.client('kiosk-lounge');
  await k.listen('deviceThanks');
  const tap = async (face: string) => {
    const sent = await k.send('deviceTap', { face });
    await k.next(onTopic('thanks', { tapSeq: sent.seq }));
  };
  await g.tick(10 * 60_000);
  await tap('very-unhappy'); // 10:10
  await g.tick(1000);
  await tap('very-unhappy'); // 10:10:01, mashing: filtered
  await g.tick(30 * 60_000);
  await tap('very-happy'); // 10:40

  const api = g.api('staff');
  const res = await api.inject({
    method: 'GET',
    url: '/api/v1/feedback/happy-index?by=kiosk&from=2026-11-23T10:30:00Z&to=2026-11-23T11:00:00Z',
  });
  await api.close();
  expect(res.statusCode).toBe(200);
  expect(res.json().buckets).toEqual([
    expect.objectContaining({ hour: '2026-11-23T10:00:00.000Z', taps: 2, happyIndex: 2.5, filtered: 1 }),
  ]);
});
