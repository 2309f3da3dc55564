import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

describe('found by probing: the publish-rate token bucket when the wall clock steps back', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * mqtt/open.ts feeds the broker's PublishRate with `clock.now()` (wall time) instead of a
   * monotonic clock. When NTP steps the clock back (anything over ~5 s with the defaults 20/s,
   * burst 100), `tokens + (now - at) * perSecond` goes negative for every connection the bucket
   * has seen: each client's next non-alarm publish is refused and its connection closed. Site
   * wide at once: the carer's "I'm going" (staffReply ack) is dropped and her handset thrown off,
   * the alarm keeps escalating and the resident is not told help is coming.
   */
  it("a carer's accept after a 60 s clock step back is answered, not refused with a disconnect", async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;

    g.fake.setSystemTime(g.fake.now - 60_000); // NTP corrects a clock that ran a minute ahead
    const sent = await within(alice.send('staffReply', { action: 'ack', alertId }), 3000);
    expect(sent, 'the ack got no PUBACK: the broker refused it and closed the handset').not.toBe('timeout');
    expect(alice.client.connected).toBe(true);
    expect(g.alerts.get(alertId as number).state).toBe('acknowledged');
  });
});
