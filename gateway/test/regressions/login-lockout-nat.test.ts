import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: login throttling and devices sharing one address (site Wi-Fi behind NAT / a bridge)', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * One wristband with a stale secret (replaced band, secret rotated, band left in a drawer) retries
   * its login. LoginThrottle.check refuses EVERY login from that address once it has 10 failures —
   * including correct logins of other residents' bands and staff handsets — for 60 s, doubling to
   * 15 min, and the broken band re-arms it forever. Care home: after a Wi-Fi roam or an AP reboot,
   * Rose's band cannot reconnect, so her SOS reaches nobody; handsets cannot reconnect either.
   * (Holding back answers is fine; refusing a correct secret is not.)
   */
  it("one device's wrong secret does not lock out a correct wristband on the same address", async () => {
    g = await testGateway({ logins: { firstDelayMs: 0, maxDelayMs: 0 } });
    for (let i = 0; i < 10; i++) {
      await expect(g.client('wb-2', 'old-secret-of-wb-2-000000')).rejects.toThrow();
    }
    // Rose's band, correct secret, same (NATed) address.
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    expect((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload).toMatchObject({ kind: 'sos' });
  });
});
