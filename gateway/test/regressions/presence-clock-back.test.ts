import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: presence lifetime with a clock that came back behind', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * The presence key's since-time is stored in SQLite. A Pi without a real-time clock restarts
   * after a power cut at its last saved time (fake-hwclock; a site without internet never corrects
   * it), i.e. behind `on_since`. CallRules.staffPresent computes now - since < lifetime, which is
   * true for any since in the future: a key forgotten in the room counts as present for the
   * lifetime PLUS the whole jump. Care home: every later call from that room is an "emergency"
   * that skips its own carer, and a reset closes the room's taken calls — exactly what the lifetime
   * exists to prevent.
   */
  it('a key left on longer than its lifetime is not presence, even after the clock came back', async () => {
    g = await testGateway({ rules: { presenceLifetimeS: 600 } });
    let button = await g.device('btn-n1');
    await button.send('deviceEvent', { type: 'presence', on: true });
    await expect.poll(() => g.gateway.context.alertStore.presenceSince('n1')).not.toBeNull();
    g.fake.setSystemTime(g.fake.now - 6 * 3600_000); // restart after a power cut: 6 h behind
    await g.restart();
    await g.tick(601_000 + 60_000); // the key is forgotten: well past its 10 min lifetime
    button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    await button.send('deviceEvent', { type: 'call' });
    expect((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload).toMatchObject({
      kind: 'call',
      priority: 'medium',
    });
  });
});
