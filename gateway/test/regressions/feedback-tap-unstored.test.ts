/**
 * Found by probing: a kiosk tap arriving while the SD card refuses writes (full, or remounted
 * read-only) threw out of the feedback module's listener: the resident who tapped was never
 * thanked, the tap was counted nowhere (the taps metric had no result for it), and every such tap
 * wrote an "event listener failed" error line, a thousand a second under a masher, onto the card
 * that is already full. Now the tap is thanked, counted as unstored, and said at most once per
 * log interval; the call-staff key, an alarm, goes on as before.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const SITE = fileURLToPath(new URL('../fixtures/site-kiosks.yaml', import.meta.url));

let g: TestGateway;
afterEach(async () => {
  g.gateway.context.db.pragma('query_only = 0');
  await g.stop();
});

it('thanks and counts a tap the card cannot store, and the call-staff key still calls a carer', async () => {
  g = await testGateway({ siteFile: SITE });
  const k = await g.client('kiosk-lounge');
  await k.listen('deviceThanks');
  const dave = await g.handset('dave'); // the south wing's first responder
  await g.settled();
  g.gateway.context.db.pragma('query_only = 1'); // every write now fails, like a read-only card

  for (const face of ['unhappy', 'very-unhappy', 'happy'] as const) {
    const sent = await k.send('deviceTap', { face });
    expect((await k.next(onTopic('thanks', { tapSeq: sent.seq }))).payload).toMatchObject({
      tapSeq: sent.seq,
    });
    await g.tick(5000); // no mashing: each one is somebody's feedback
  }
  expect(await g.metric('careedge_feedback_taps_total', { result: 'unstored' })).toBe(3);
  expect(await g.metric('careedge_feedback_taps_total', { result: 'counted' })).toBe(0);

  await k.send('deviceEvent', { type: 'call' });
  for (let i = 0; i < 3; i++) await g.tick(10_000);
  const calls = dave.drain().filter(onTopic('dispatch', { type: 'alert' }));
  // Sent from memory, as any alarm the card cannot record (regressions/disk-full.test.ts).
  expect(calls[0]?.payload).toMatchObject({ kind: 'call', room: 'Day lounge', reason: 'unrecorded' });
});
